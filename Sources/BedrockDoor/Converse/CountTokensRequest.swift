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
        } catch let failure as WireDecodingFailure {
            throw GatewayError(.validation, failure.description)
        } catch let error as DecodingError {
            throw GatewayError(.validation, ConverseRequestDecoder.describe(error))
        } catch {
            throw GatewayError(.validation, "the request body is not a valid CountTokens JSON object")
        }
    }
}

/// `{"input": {"converse": {messages, system, toolConfig, additionalModelRequestFields}}}` or
/// `{"input": {"invokeModel": {"body": "<base64 of the model's JSON body>"}}}`, read as the chat request whose
/// input would be counted.
struct CountTokensWireRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let inputKey: WireKey = "input"
        try c.require(inputKey)
        let input = try c.nestedContainer(keyedBy: WireKey.self, forKey: inputKey)
        let member = try input.unionMember("input")
        switch member.stringValue {
        case "converse":
            value = try input.decode(ConverseWireRequest.self, forKey: member).value
        case "invokeModel":
            let invoke = try input.nestedContainer(keyedBy: WireKey.self, forKey: member)
            let bodyKey: WireKey = "body"
            guard let body = Self.bodyBytes(try invoke.decode(String.self, forKey: bodyKey)) else {
                throw invoke.failure(bodyKey, "is neither base64 nor a JSON object")
            }
            let modelId = decoder.userInfo[InvokeRequestDecoder.modelIdKey] as? String ?? ""
            do {
                switch try InvokeRequestDecoder.decode(body, modelId: modelId) {
                case .chat(let chat, _): value = chat
                case .embedding(let embedding, _, _):
                    value = ChatRequest(messages: [Message(role: .user, content: embedding.inputs.map { .text($0) })])
                }
            } catch {
                throw invoke.failure(bodyKey, error.message)
            }
        default:
            throw input.failure(member, "unknown input member (expected converse or invokeModel)")
        }
    }

    /// The service model makes `body` a blob, so boto3 sends base64; a JSON text sent as it is is accepted too.
    static func bodyBytes(_ text: String) -> Data? {
        if let bytes = Data(base64Encoded: text), bytes.first(where: { !Self.isSpace($0) }) == UInt8(ascii: "{") {
            return bytes
        }
        let raw = Data(text.utf8)
        return raw.first(where: { !Self.isSpace($0) }) == UInt8(ascii: "{") ? raw : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
