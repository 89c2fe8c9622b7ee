import AnthropicDialect
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Anthropic's Message Batches: the requests go inline in `POST /v1/messages/batches`, the batch is polled until
/// `processing_status` is `ended`, and `results_url` holds one JSON line per request.
public struct AnthropicBatchAPI: BatchProvider {
    let http: BatchHTTP

    public init(http: UpstreamHTTP) {
        self.http = BatchHTTP(http: http)
    }

    public var nativeRecordForm: String? { nil }

    public func submit(_ submission: BatchSubmission, target: UpstreamTarget) async throws -> String {
        if submission.inputFileId != nil {
            throw GatewayError(.validation, "Anthropic message batches take their requests inline; a file_id cannot be used")
        }
        let requests: [JSONValue] = submission.records.compactMap { record in
            guard let request = record.request else { return nil }
            return ["custom_id": .string(record.customId), "params": AnthropicRequestEncoder.body(request, model: target.model, stream: false)]
        }
        let batch = try BatchHTTP.json(
            try await http.post(url(target, ""), headers: headers(target), json: ["requests": .array(requests)], target: target),
            provider: target.provider)
        guard let id = batch["id"]?.stringValue else {
            throw GatewayError(.internalError, "provider '\(target.provider)' sent a batch answer without an id")
        }
        return id
    }

    public func state(of batchId: String, target: UpstreamTarget) async throws -> BatchRemoteState {
        let batch = try await self.batch(batchId, target: target)
        let counts = batch["request_counts"]
        let count = { (name: String) in counts?[name]?.intValue ?? 0 }
        let total = ["processing", "succeeded", "errored", "canceled", "expired"].reduce(0) { $0 + count($1) }
        let cancelled = batch["cancel_initiated_at"].map { $0 != .null } ?? false
        let phase: BatchRemoteState.Phase =
            switch batch["processing_status"]?.stringValue ?? "" {
            case "ended": cancelled ? .cancelled : .ended
            case "canceling": .cancelling
            default: .running
            }
        return BatchRemoteState(phase: phase, total: total, succeeded: count("succeeded"), failed: count("errored") + count("expired"))
    }

    public func outcomes(of batchId: String, target: UpstreamTarget) async throws -> [BatchRemoteOutcome] {
        let batch = try await self.batch(batchId, target: target)
        let resultsURL = batch["results_url"]?.stringValue ?? url(target, "/\(escape(batchId))/results")
        let content = try await http.get(resultsURL, headers: headers(target), target: target)
        return BatchHTTP.jsonLines(content).compactMap { Self.outcome($0, provider: target.provider) }
    }

    public func cancel(_ batchId: String, target: UpstreamTarget) async throws {
        _ = try await http.post(url(target, "/\(escape(batchId))/cancel"), headers: headers(target), json: .object([:]), target: target)
    }

    func batch(_ id: String, target: UpstreamTarget) async throws -> JSONValue {
        try BatchHTTP.json(try await http.get(url(target, "/\(escape(id))"), headers: headers(target), target: target), provider: target.provider)
    }

    /// `{"custom_id", "result": {"type": "succeeded", "message"} | {"type": "errored", "error"} | canceled | expired}`;
    /// a cancelled request was never run and has no line.
    static func outcome(_ line: JSONValue, provider: String) -> BatchRemoteOutcome? {
        guard let customId = line["custom_id"]?.stringValue, let result = line["result"] else { return nil }
        switch result["type"]?.stringValue {
        case "succeeded":
            let message = result["message"] ?? .null
            var response: ChatResponse?
            if let decoded = try? JSONCoding.decode(AnthropicAnswer.self, from: JSONCoding.encode(message), provider: provider) {
                response = decoded.canonical(latencyMs: 0)
            }
            return BatchRemoteOutcome(customId: customId, result: .success(native: message, response: response))
        case "errored":
            let error = result["error"]?["error"] ?? result["error"]
            let type = error?["type"]?.stringValue ?? "api_error"
            return BatchRemoteOutcome(
                customId: customId, result: .failure(code: AnthropicErrorType.status(of: type), message: error?["message"]?.stringValue ?? type))
        case "expired":
            return BatchRemoteOutcome(customId: customId, result: .failure(code: 408, message: "the request expired before it was processed"))
        default:
            return nil
        }
    }

    func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? id
    }

    func url(_ target: UpstreamTarget, _ path: String) -> String {
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        return base + "/v1/messages/batches" + path
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("accept", "application/json"), ("anthropic-version", AnthropicProvider.apiVersion)])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "x-api-key", value: key) }
        return headers
    }
}
