import Foundation

/// A file of the Files API as `/v1/files` shows it. The gateway processes a file when it stores it, so every file it
/// shows is `processed`.
public struct OpenAIFileObject: Sendable, Hashable, Encodable {
    public var id: String
    public var object = "file"
    public var bytes: Int64
    public var createdAt: Int
    public var filename: String
    public var purpose: String
    public var status = "processed"

    /// What callers may upload; `batch_output` is the purpose of the files a batch writes.
    public static let uploadPurposes: Set<String> = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
    public static let batchOutputPurpose = "batch_output"

    public init(id: String, bytes: Int64, createdAt: Int, filename: String, purpose: String) {
        self.id = id
        self.bytes = bytes
        self.createdAt = createdAt
        self.filename = filename
        self.purpose = purpose
    }

    enum CodingKeys: String, CodingKey {
        case id, object, bytes, filename, purpose, status
        case createdAt = "created_at"
    }
}

/// `DELETE /v1/files/{id}`'s answer.
public struct OpenAIFileDeleted: Sendable, Hashable, Encodable {
    public var id: String
    public var object = "file"
    public var deleted = true

    public init(id: String) {
        self.id = id
    }
}

/// A cursor page (`/v1/files`, `/v1/batches`): the SDK asks for the next one `after` the last id while `has_more`.
public struct OpenAIPage<Item: Encodable & Sendable>: Sendable, Encodable {
    public var object = "list"
    public var data: [Item]
    public var firstId: String?
    public var lastId: String?
    public var hasMore: Bool

    public init(data: [Item], hasMore: Bool, id: (Item) -> String) {
        self.data = data
        self.firstId = data.first.map(id)
        self.lastId = data.last.map(id)
        self.hasMore = hasMore
    }

    /// The page of `items` (already in the listing's order) after the one with id `after`, at most `limit` long.
    public static func cut(_ items: [Item], after: String?, limit: Int, id: (Item) -> String) -> OpenAIPage {
        var rest = items[...]
        if let after, let position = items.firstIndex(where: { id($0) == after }) { rest = items[(position + 1)...] }
        return OpenAIPage(data: Array(rest.prefix(limit)), hasMore: rest.count > limit, id: id)
    }

    enum CodingKeys: String, CodingKey {
        case object, data
        case firstId = "first_id"
        case lastId = "last_id"
        case hasMore = "has_more"
    }
}

/// The Files and Batch APIs' JSON: Codable, off the hot path.
public enum OpenAIObjectJSON {
    public static func data(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
