import NIOCore
import SwitchyardModel

/// Amazon Titan Text answers: `{"inputTextTokenCount", "results": [{"tokenCount", "outputText",
/// "completionReason"}]}`; streamed as `{"outputText", "index", "totalOutputTextTokenCount", "completionReason",
/// "inputTextTokenCount"}` chunks whose counts and reason are null until the last one.
enum InvokeTitanTextCodec: InvokeTextFormat {
    static func decodeChat(from decoder: any Decoder) throws -> ChatRequest {
        try InvokeTitanTextRequest(from: decoder).value
    }

    static func writeResponse(_ response: ChatResponse, modelId: String, into b: inout ByteBuffer) {
        let usage = response.usage
        b.writeStaticString("{\"inputTextTokenCount\":")
        b.writeJSONInt(usage.allInputTokens)
        b.writeStaticString(",\"results\":[{\"tokenCount\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"outputText\":")
        b.writeJSONString(text(of: response))
        b.writeStaticString(",\"completionReason\":")
        b.writeStaticString(completionReason(response.stopReason))
        b.writeStaticString("}]}")
    }

    static func writeTextChunk(_ text: String, into b: inout ByteBuffer) {
        b.writeStaticString("{\"outputText\":")
        b.writeJSONString(text)
        b.writeStaticString(",\"index\":0,\"totalOutputTextTokenCount\":null,\"completionReason\":null,\"inputTextTokenCount\":null}")
    }

    static func writeFinalChunk(_ end: InvokeStreamEnd, into b: inout ByteBuffer) {
        let usage = end.usage
        b.writeStaticString("{\"outputText\":\"\",\"index\":0,\"totalOutputTextTokenCount\":")
        b.writeJSONInt(usage.outputTokens)
        b.writeStaticString(",\"completionReason\":")
        b.writeStaticString(completionReason(end.stopReason))
        b.writeStaticString(",\"inputTextTokenCount\":")
        b.writeJSONInt(usage.allInputTokens)
        b.writeStaticString(",")
        end.metrics.writeMember(into: &b)
        b.writeStaticString("}")
    }

    static func completionReason(_ reason: StopReason) -> StaticString {
        switch reason {
        case .maxTokens, .contextWindowExceeded: "\"LENGTH\""
        case .stopSequence: "\"STOP_CRITERIA_MET\""
        case .contentFiltered, .guardrailIntervened: "\"CONTENT_FILTERED\""
        default: "\"FINISH\""
        }
    }
}

/// Amazon Titan Text's body: `{"inputText", "textGenerationConfig": {"maxTokenCount", "temperature", "topP",
/// "stopSequences"}}`.
struct InvokeTitanTextRequest: Decodable {
    let value: ChatRequest

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let text = try c.nonEmptyString("inputText")
        var inference = InferenceConfig()
        let configKey: WireKey = "textGenerationConfig"
        if c.contains(configKey), try !c.decodeNil(forKey: configKey) {
            let config = try c.nestedContainer(keyedBy: WireKey.self, forKey: configKey)
            inference.maxTokens = try config.positiveInt("maxTokenCount")
            inference.temperature = try config.number("temperature")
            inference.topP = try config.number("topP")
            inference.stopSequences = try config.stopSequences("stopSequences")
        }
        value = ChatRequest(messages: [Message(role: .user, content: [.text(text)])], inference: inference)
    }
}
