import Foundation
import OpenAIDialect

/// Where `/v1/files` keeps a file in the gateway's own store: bucket `openai-files`, key
/// `<token>/<purpose>/<filename>`, file id `file-<token>`. The id is the token rather than the object's ETag because
/// a batch rewrites its output files when it finishes again after a restart, and their ids must not change; the
/// purpose and filename ride in the key because objects keep no other metadata the files API could list by.
public enum OpenAIFileKey {
    public static let namespace = "gateway"
    public static let bucket = "openai-files"
    static let prefix = "file-"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A file of `/v1/files`, parsed back from its key.
    public struct Parsed: Sendable, Hashable {
        public var token: String
        public var purpose: String
        public var filename: String

        public var fileId: String { OpenAIFileKey.prefix + token }
        public var key: String { "\(token)/\(purpose)/\(filename)" }
        public var uri: String { "s3://\(OpenAIFileKey.bucket)/\(key)" }
    }

    /// Uploads get 24 random characters, so they never meet a batch's output tokens (see `batchOutput`).
    public static func upload(purpose: String, filename: String) -> Parsed {
        var generator = SystemRandomNumberGenerator()
        let token = String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        return Parsed(token: token, purpose: purpose, filename: cleaned(filename))
    }

    /// A batch's output (`errors` false) or error file: the same id however often it is written.
    public static func batchOutput(jobId: String, errors: Bool) -> Parsed {
        let kind = errors ? "error" : "output"
        return Parsed(token: "\(jobId)\(kind)", purpose: OpenAIFileObject.batchOutputPurpose, filename: "batch_\(jobId)_\(kind).jsonl")
    }

    public static func parse(key: String) -> Parsed? {
        let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        return Parsed(token: String(parts[0]), purpose: String(parts[1]), filename: String(parts[2]))
    }

    /// The token of a `file-…` id; nil for anything no file of this scheme could have (so it is simply not found).
    public static func token(fileId: String) -> String? {
        guard fileId.hasPrefix(prefix) else { return nil }
        let token = fileId.dropFirst(prefix.count)
        guard (1...64).contains(token.count), token.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return String(token)
    }

    /// The name as the caller's file system had it, without a path, control characters or more than 255 bytes.
    static func cleaned(_ filename: String) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        while name.utf8.count > 255 { name.removeLast() }
        return name.isEmpty ? "file" : name
    }
}
