import Foundation
import NIOCore
import SwitchyardModel

/// Reads a Messages request body into the canonical model. Every problem is a `.validation` error naming the JSON
/// path of the offending member.
public enum AnthropicRequestDecoder {
    public static func decode(_ body: ByteBuffer, form: AnthropicRequestForm) throws(GatewayError) -> AnthropicRequest {
        try decode(Data(body.readableBytesView), form: form)
    }

    public static func decode(_ body: Data, form: AnthropicRequestForm) throws(GatewayError) -> AnthropicRequest {
        if body.isEmpty {
            throw GatewayError(.validation, "the request body is empty; expected a Messages JSON object")
        }
        let decoder = JSONDecoder()
        decoder.userInfo[AnthropicWireRequest.formKey] = form
        do {
            return try decoder.decode(AnthropicWireRequest.self, from: body).value
        } catch let failure as WireDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let error as DecodingError {
            throw GatewayError(.validation, WireDecodingFailure.describe(error, request: "a valid Messages request"))
        } catch {
            throw GatewayError(.validation, "the request body is not a valid Messages JSON object")
        }
    }
}
