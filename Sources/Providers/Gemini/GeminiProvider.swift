import AsyncHTTPClient
import Foundation
import GeminiDialect
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Google's Gemini API (`generativelanguage.googleapis.com`, v1beta).
public struct GeminiProvider: ChatProvider {
    let http: UpstreamHTTP

    public init(http: UpstreamHTTP) {
        self.http = http
    }

    public func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(GeminiRequestBuilder.body(request))
        let answer = try await post(url(target, "generateContent"), body: body, target: target)
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        let decoded = try JSONCoding.decode(GeminiResponse.self, from: answer, provider: target.provider)
        return Self.response(decoded, history: request.messages, latencyMs: latency)
    }

    public func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(GeminiRequestBuilder.body(request))
        let response: HTTPClientResponse
        do {
            response = try await http.open(
                url: url(target, "streamGenerateContent", query: "alt=sse"), headers: headers(target), body: body,
                target: target)
        } catch let error as GatewayError {
            throw GeminiStatus.refine(error)
        }
        let translator = GeminiStreamTranslator(provider: target.provider, started: started, history: request.messages)
        return SSEStreamPump.events(
            from: response, translator: translator, target: target, maxEventBytes: http.lane(for: target).maxStreamEventBytes)
    }

    func post(_ url: String, body: ByteBuffer, target: UpstreamTarget) async throws -> ByteBuffer {
        do {
            return try await http.postJSON(url: url, headers: headers(target), body: body, target: target)
        } catch let error as GatewayError {
            throw GeminiStatus.refine(error)
        }
    }

    /// `{base}/v1beta/models/{model}:{method}`; the key never goes in the URL, which ends up in logs.
    func url(_ target: UpstreamTarget, _ method: String, query: String? = nil) -> String {
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        for version in ["/v1beta", "/v1"] where base.hasSuffix(version) {
            base.removeLast(version.count)
            break
        }
        let model = Self.modelName(target.model)
        let escaped = model.addingPercentEncoding(withAllowedCharacters: Self.pathCharacters) ?? model
        return base + "/v1beta/models/" + escaped + ":" + method + (query.map { "?" + $0 } ?? "")
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("content-type", "application/json"), ("accept", "application/json")])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "x-goog-api-key", value: key) }
        return headers
    }

    static let pathCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func modelName(_ model: String) -> String { GeminiRequestBuilder.modelName(model) }

    static func response(_ decoded: GeminiResponse, history: [Message], latencyMs: Int) -> ChatResponse {
        decoded.chatResponse(history: history, latencyMs: latencyMs)
    }
}
