import AWSWire
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardModel
import SwitchyardServer
import SwitchyardTestSupport
import Testing

/// The Bedrock runtime routes as the whole application serves them (middleware included), in process, over a
/// scripted provider: no network.
@Suite struct BedrockRouteTests {
    let provider: ScriptedProvider
    let plugin: RecordingPlugin
    let engine: Engine

    init(_ script: [ScriptedProvider.Step] = [], refusing refusal: GatewayError? = nil) {
        provider = ScriptedProvider(script)
        plugin = RecordingPlugin(refusing: refusal)
        engine = TestEngines.engine([(TestEngines.provider("openai"), provider)], aliases: ["fast": "openai/gpt-4o"], plugins: [plugin])
    }

    init() { self.init([]) }

    static let converseBody = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#
    static let requestIdField = HTTPField.Name("x-amzn-RequestId")!
    static let errorTypeField = HTTPField.Name("x-amzn-ErrorType")!

    func withApp<Value: Sendable>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let gateway = Gateway(config: GatewayConfig(), logger: TestEngines.quietLogger)
        return try await gateway.makeApplication(engine: engine).test(.router, test)
    }

    func post(_ client: any TestClientProtocol, _ path: String, headers: HTTPFields = [:], body: String = Self.converseBody) async throws
        -> TestResponse
    {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test func converseAnswersInBedrockJSONAndTheRecordCarriesTheRequestId() async throws {
        let response = try await withApp { try await post($0, "/bedrock/model/fast/converse") }
        #expect(response.status == .ok)
        let body = try Self.json(response.body)
        let message = try #require((body["output"] as? [String: Any])?["message"] as? [String: Any])
        let content = try #require(message["content"] as? [[String: Any]])
        #expect(content.first?["text"] as? String == "ok")
        #expect(body["stopReason"] as? String == "end_turn")
        let usage = try #require(body["usage"] as? [String: Any])
        #expect(usage["inputTokens"] as? Int == 11 && usage["outputTokens"] as? Int == 3)

        let requestId = try #require(response.headers[Self.requestIdField])
        let record = try #require(plugin.ended.first)
        #expect(plugin.ended.count == 1)
        #expect(record.descriptor.requestId == requestId)
        #expect(record.descriptor.door == "bedrock-runtime" && record.descriptor.operation == "Converse")
        #expect(record.descriptor.route == "/bedrock/model/{modelId}/converse")
        #expect(record.descriptor.modelRequested == "fast")
        #expect(record.provider == "openai" && record.model == "gpt-4o")
        #expect(record.end?.status == 200 && record.end?.outcome == .success)
    }

    @Test func aProviderSlashModelIdIsReadPercentDecoded() async throws {
        let response = try await withApp { try await post($0, "/bedrock/model/openai%2Fgpt-4o-mini/converse") }
        #expect(response.status == .ok)
        #expect(provider.modelsUsed == ["gpt-4o-mini"])
    }

    @Test func converseStreamFramesDecodeAndTheStreamEndIsRecorded() async throws {
        let response = try await withApp { try await post($0, "/bedrock/model/fast/converse-stream") }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/vnd.amazon.eventstream")
        var decoder = EventStreamDecoder()
        let messages = try decoder.decode(response.body)
        #expect(decoder.bufferedByteCount == 0)
        let types = messages.map { $0.header(EventStreamHeader.eventType)?.stringValue ?? "?" }
        #expect(types.first == "messageStart")
        #expect(types.suffix(2) == ["messageStop", "metadata"])
        let text = try messages.filter { $0.header(EventStreamHeader.eventType)?.stringValue == "contentBlockDelta" }.map { message in
            let delta = try #require(try Self.json(message.payload)["delta"] as? [String: Any])
            return delta["text"] as? String ?? ""
        }.joined()
        #expect(text == "Hello there")
        let metadata = try Self.json(try #require(messages.last).payload)
        #expect((metadata["usage"] as? [String: Any])?["outputTokens"] as? Int == 2)

        let record = try #require(plugin.ended.first)
        #expect(record.descriptor.requestId == response.headers[Self.requestIdField])
        #expect(record.descriptor.stream && record.descriptor.operation == "ConverseStream")
        #expect(record.usage == Usage(inputTokens: 9, outputTokens: 2))
        #expect(record.stopReason == "end_turn")
        #expect(record.end?.outcome == .success)
    }

    @Test func aCallCancelledUnderneathEndsAsClientGoneNotAsAFailure() async throws {
        let test = Self([.cancelled])
        _ = try await test.withApp { try await test.post($0, "/bedrock/model/fast/converse") }
        let record = try #require(test.plugin.ended.first)
        #expect(record.end?.outcome == .clientGone)
        #expect(record.end?.status == 499)
    }

    @Test func aStreamFailingMidwayEndsWithAnExceptionFrame() async throws {
        let test = Self([.failStream(after: [.messageStart(.assistant)], GatewayError(.streamFailed, "upstream cut the stream"))])
        let response = try await test.withApp { try await test.post($0, "/bedrock/model/fast/converse-stream") }
        var decoder = EventStreamDecoder()
        let messages = try decoder.decode(response.body)
        let last = try #require(messages.last)
        #expect(last.header(EventStreamHeader.messageType)?.stringValue == "exception")
        #expect(last.header(EventStreamHeader.exceptionType)?.stringValue == "modelStreamErrorException")
        let record = try #require(test.plugin.ended.first)
        #expect(record.end?.outcome == .failure)
        #expect(record.end?.errorCode == "ModelStreamErrorException")
    }

    @Test(arguments: [
        (GatewayError(.throttled, "over the budget"), HTTPResponse.Status.tooManyRequests, "ThrottlingException"),
        (GatewayError(.accessDenied, "not allowed"), HTTPResponse.Status.forbidden, "AccessDeniedException"),
    ])
    func aPluginRefusalIsRenderedInTheBedrockDialect(refusal: GatewayError, status: HTTPResponse.Status, code: String) async throws {
        let test = Self([], refusing: refusal)
        for path in ["/bedrock/model/fast/converse", "/bedrock/model/fast/converse-stream"] {
            let response = try await test.withApp { try await test.post($0, path) }
            #expect(response.status == status, "\(path)")
            #expect(response.headers[Self.errorTypeField] == code, "\(path)")
            #expect(try Self.json(response.body)["message"] as? String == refusal.message, "\(path)")
        }
        #expect(test.provider.calls.isEmpty)
        #expect(test.plugin.ended.map { $0.end?.status } == [Int(status.code), Int(status.code)])
        #expect(test.plugin.ended.allSatisfy { $0.end?.errorCode == code && $0.error?.refusedByPlugin == true })
    }

    @Test func aForeignOriginIsRefusedBeforeAnyCallBegins() async throws {
        let response = try await withApp {
            try await post($0, "/bedrock/model/fast/converse", headers: [HTTPField.Name("Origin")!: "https://evil.example"])
        }
        #expect(response.status == .forbidden)
        #expect(response.headers[Self.errorTypeField] == "AccessDeniedException")
        #expect(response.headers[Self.requestIdField] != nil)
        #expect(try Self.json(response.body)["message"] != nil)
        #expect(provider.calls.isEmpty)
        #expect(plugin.planned.isEmpty && plugin.ended.isEmpty)
    }

    @Test func anUnknownModelIsAValidationStyleErrorInTheRecordAndTheAnswer() async throws {
        let response = try await withApp { try await post($0, "/bedrock/model/nobody%2Fknows/converse") }
        #expect(response.status == .notFound)
        #expect(response.headers[Self.errorTypeField] == "ResourceNotFoundException")
        let record = try #require(plugin.ended.first)
        #expect(record.descriptor.requestId == response.headers[Self.requestIdField])
        #expect(record.end?.errorCode == "ResourceNotFoundException")
        #expect(provider.calls.isEmpty)
    }

    @Test func aMalformedBodyIsAValidationExceptionAndTheCallIsEnded() async throws {
        let response = try await withApp { try await post($0, "/bedrock/model/fast/converse", body: #"{"messages": 5}"#) }
        #expect(response.status == .badRequest)
        #expect(response.headers[Self.errorTypeField] == "ValidationException")
        #expect(plugin.ended.first?.end?.status == 400)
        #expect(provider.calls.isEmpty)
    }
}
