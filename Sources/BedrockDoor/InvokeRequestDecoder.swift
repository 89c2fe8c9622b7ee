import AnthropicDialect
import Foundation
import NIOCore
import SwitchyardModel

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
