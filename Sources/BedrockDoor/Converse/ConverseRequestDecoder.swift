import Foundation
import NIOCore
import SwitchyardModel

/// Decodes a Converse / ConverseStream request body into the canonical `ChatRequest`, in one pass.
/// Every problem is a `.validation` error whose message starts with the JSON path of the offending member.
public enum ConverseRequestDecoder {
    public static func decode(_ body: ByteBuffer) throws(GatewayError) -> ChatRequest {
        try decode(Data(body.readableBytesView))
    }

    public static func decode(_ body: Data) throws(GatewayError) -> ChatRequest {
        if body.isEmpty {
            throw GatewayError(.validation, "the request body is empty; expected a Converse JSON object")
        }
        do {
            return try JSONDecoder().decode(ConverseWireRequest.self, from: body).value
        } catch let failure as WireDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let error as DecodingError {
            throw GatewayError(.validation, describe(error))
        } catch {
            throw GatewayError(.validation, "the request body is not a valid Converse JSON object")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        WireDecodingFailure.describe(error, request: "a valid Converse request")
    }
}
