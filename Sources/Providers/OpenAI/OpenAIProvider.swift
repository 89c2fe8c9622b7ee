import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenAIDialect
import SwitchyardModel

/// OpenAI Chat Completions, and every server that speaks it (Mistral, Groq, Ollama, vLLM, llama.cpp).
public struct OpenAIProvider: ChatProvider {
    let http: UpstreamHTTP

    public init(http: UpstreamHTTP) {
        self.http = http
    }

    public func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(try OpenAIRequestBuilder.body(request, model: target.model, stream: false))
        let answer = try await http.postJSON(url: url(target), headers: headers(target), body: body, target: target)
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        let decoded = try JSONCoding.decode(OpenAIChatResponse.self, from: answer, provider: target.provider)
        return decoded.canonical(latencyMs: latency)
    }

    public func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(try OpenAIRequestBuilder.body(request, model: target.model, stream: true))
        let response = try await http.open(url: url(target), headers: headers(target), body: body, target: target)
        let translator = OpenAIStreamTranslator(provider: target.provider, started: started)
        return SSEStreamPump.events(
            from: response, translator: translator, target: target, maxEventBytes: http.lane(for: target).maxStreamEventBytes)
    }

    func url(_ target: UpstreamTarget) -> String {
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("content-type", "application/json"), ("accept", "application/json")])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "authorization", value: "Bearer \(key)") }
        return headers
    }
}
