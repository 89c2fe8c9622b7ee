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
        } catch let failure as ConverseDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let error as DecodingError {
            throw GatewayError(.validation, describe(error))
        } catch {
            throw GatewayError(.validation, "the request body is not a valid Converse JSON object")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey], _ message: String) -> String {
            ConverseDecodingFailure(path, message).description
        }
        switch error {
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "the request body must be a JSON object" }
            return at(context.codingPath, "expected \(article(for: type))")
        case .valueNotFound(let type, let context):
            return at(context.codingPath, "expected \(article(for: type)), got null")
        case .keyNotFound(let key, let context):
            return at(context.codingPath + [key], "required member is missing")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the request body is not valid JSON" }
            return at(context.codingPath, "invalid value")
        @unknown default:
            return "the request body is not a valid Converse request"
        }
    }

    private static func article(for type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean" }
        if type == Int.self || type == Int32.self || type == Int64.self { return "an integer" }
        if type == Double.self || type == Float.self { return "a number" }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || (name.hasPrefix("[") && name.contains(":")) { return "an object" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
        return "an object"
    }
}
