import AnthropicDialect
import Foundation
import NIOCore
import SwitchyardModel

/// An InvokeModel body read into the canonical model, with what its answer must look like.
public enum InvokeRequest: Sendable, Hashable {
    case chat(ChatRequest, family: InvokeFamily)
    /// `byType`: the answer also (Titan v2) or only (Cohere `embedding_types`) carries vectors keyed by type.
    case embedding(EmbeddingRequest, family: InvokeFamily, byType: Bool)

    public var family: InvokeFamily {
        switch self {
        case .chat(_, let family), .embedding(_, let family, _): family
        }
    }
}

/// Reads an InvokeModel body in its model family's own JSON into the canonical model. Every problem is a
/// `.validation` error that names the JSON path of the offending member, or the supported families.
public enum InvokeRequestDecoder {
    static let modelIdKey = CodingUserInfoKey(rawValue: "switchyard.invoke.modelId")!

    public static func decode(_ body: ByteBuffer, modelId: String) throws(GatewayError) -> InvokeRequest {
        try decode(Data(body.readableBytesView), modelId: modelId)
    }

    public static func decode(_ body: Data, modelId: String) throws(GatewayError) -> InvokeRequest {
        if body.isEmpty {
            throw GatewayError(.validation, "the request body is empty; expected the model's JSON request")
        }
        let decoder = JSONDecoder()
        decoder.userInfo[modelIdKey] = modelId
        do {
            return try decoder.decode(InvokeWireBody.self, from: body).value
        } catch let error as GatewayError {
            throw error
        } catch let failure as ConverseDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let failure as AnthropicDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let error as DecodingError {
            throw GatewayError(.validation, ConverseRequestDecoder.describe(error))
        } catch {
            throw GatewayError(.validation, "the request body is not a valid InvokeModel JSON object")
        }
    }
}

/// Detects a body's family and decodes it with that family's codec, in the same pass over the JSON.
struct InvokeWireBody: Decodable {
    let value: InvokeRequest

    init(from decoder: any Decoder) throws {
        let modelId = decoder.userInfo[InvokeRequestDecoder.modelIdKey] as? String ?? ""
        let family = try InvokeFamily.detect(modelId: modelId, probe: InvokeBodyProbe(from: decoder))
        switch try family.codec.decode(from: decoder) {
        case .chat(let chat): value = .chat(chat, family: family)
        case .embedding(let embedding, let byType): value = .embedding(embedding, family: family, byType: byType)
        }
    }
}

/// Readers shared by the InvokeModel family decoders; failures carry the member's JSON path like Converse's do.
extension KeyedDecodingContainer where Key == ConverseWireKey {
    /// A member that must be present and not null.
    func require(_ key: ConverseWireKey) throws {
        guard contains(key), try !decodeNil(forKey: key) else { throw failure(key, "required member is missing") }
    }

    /// An optional whole number of at least 1 (token limits); 1.5 or 0 get a message about the value.
    func positiveInt(_ key: ConverseWireKey) throws -> Int? {
        guard let n = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard n.rounded() == n, n >= 1, n <= Double(Int32.max) else {
            throw failure(key, "must be an integer between 1 and \(Int32.max)")
        }
        return Int(n)
    }

    func number(_ key: ConverseWireKey) throws -> Double? {
        try decodeIfPresent(Double.self, forKey: key)
    }

    /// A list of stop sequences; empty entries are refused as AWS does.
    func stopSequences(_ key: ConverseWireKey) throws -> [String] {
        let stops = try decodeIfPresent([String].self, forKey: key) ?? []
        if let i = stops.firstIndex(where: \.isEmpty) {
            throw ConverseDecodingFailure(codingPath + [key, ConverseWireKey(index: i)], "must not be empty")
        }
        return stops
    }

    /// Anthropic's `cache_control: {"type": "ephemeral", "ttl": "5m" | "1h"}`.
    func cacheControl(_ key: ConverseWireKey) throws -> CachePoint? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let control = try nestedContainer(keyedBy: ConverseWireKey.self, forKey: key)
        return CachePoint(ttl: try control.decodeIfPresent(String.self, forKey: "ttl"))
    }

    /// Extra request fields that only some providers' APIs know, kept for the ones that do.
    func passThrough(_ keys: [ConverseWireKey], into fields: inout [String: JSONValue]) throws {
        for key in keys {
            if let value = try decodeIfPresent(JSONValue.self, forKey: key), value != .null { fields[key.stringValue] = value }
        }
    }
}
