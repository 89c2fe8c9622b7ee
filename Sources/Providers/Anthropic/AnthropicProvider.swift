import AnthropicDialect
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Anthropic's Messages API.
public struct AnthropicProvider: ChatProvider {
    static let apiVersion = "2023-06-01"
    let http: UpstreamHTTP

    public init(http: UpstreamHTTP) {
        self.http = http
    }

    public func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(AnthropicRequestEncoder.body(request, model: target.model, stream: false))
        let answer = try await http.postJSON(url: url(target), headers: headers(target, request), body: body, target: target)
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        return try JSONCoding.decode(AnthropicAnswer.self, from: answer, provider: target.provider).canonical(latencyMs: latency)
    }

    public func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        let started = ContinuousClock.now
        let body = JSONCoding.encode(AnthropicRequestEncoder.body(request, model: target.model, stream: true))
        let response = try await http.open(url: url(target), headers: headers(target, request), body: body, target: target)
        let translator = AnthropicStreamTranslator(provider: target.provider, started: started)
        return SSEStreamPump.events(
            from: response, translator: translator, target: target, maxEventBytes: http.lane(for: target).maxStreamEventBytes)
    }

    func url(_ target: UpstreamTarget) -> String {
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        return base + "/v1/messages"
    }

    func headers(_ target: UpstreamTarget, _ request: ChatRequest) -> HTTPHeaders {
        var headers = HTTPHeaders([
            ("content-type", "application/json"), ("accept", "application/json"),
            ("anthropic-version", Self.apiVersion),
        ])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "x-api-key", value: key) }
        if let beta = AnthropicRequestEncoder.betaHeader(request) { headers.add(name: "anthropic-beta", value: beta) }
        return headers
    }
}
