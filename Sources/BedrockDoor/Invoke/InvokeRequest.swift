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
        } catch let failure as WireDecodingFailure {
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
