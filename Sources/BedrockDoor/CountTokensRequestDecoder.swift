import Foundation
import NIOCore
import SwitchyardModel

/// Reads a CountTokens body into the chat request whose input tokens are to be counted. Problems are `.validation`
/// errors naming the JSON path (inside an invokeModel body, the path within that body).
public enum CountTokensRequestDecoder {
    public static func decode(_ body: ByteBuffer, modelId: String) throws(GatewayError) -> ChatRequest {
        if body.readableBytes == 0 {
            throw GatewayError(.validation, "the request body is empty; expected {\"input\": {\"converse\": …} | {\"invokeModel\": …}}")
        }
        let decoder = JSONDecoder()
        decoder.userInfo[InvokeRequestDecoder.modelIdKey] = modelId
        do {
            return try decoder.decode(CountTokensWireRequest.self, from: Data(body.readableBytesView)).value
        } catch let failure as ConverseDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let error as DecodingError {
            throw GatewayError(.validation, ConverseRequestDecoder.describe(error))
        } catch {
            throw GatewayError(.validation, "the request body is not a valid CountTokens JSON object")
        }
    }
}
