import Foundation
import NIOCore
import NIOHTTP1
import OpenAIDialect
import SwitchyardModel

/// OpenAI's Batch API: the requests go up as a JSONL file (purpose `batch`), `POST /batches` starts the batch,
/// `GET /batches/{id}` reports it, and the output and error files hold the answers.
public struct OpenAIBatchAPI: BatchProvider {
    let http: BatchHTTP

    public init(http: UpstreamHTTP) {
        self.http = BatchHTTP(http: http)
    }

    public var nativeRecordForm: String? { "openai" }

    public func submit(_ submission: BatchSubmission, target: UpstreamTarget) async throws -> String {
        let endpoint = submission.endpoint ?? "/v1/chat/completions"
        var fileId = submission.inputFileId
        if fileId == nil {
            var lines: [String] = []
            for record in submission.records {
                let body: JSONValue
                if case .object(var native)? = record.nativeBody {
                    native["model"] = .string(target.model)
                    body = .object(native)
                } else if let request = record.request {
                    body = try OpenAIRequestBuilder.body(request, model: target.model, stream: false)
                } else {
                    continue
                }
                let line: JSONValue = ["custom_id": .string(record.customId), "method": "POST", "url": .string(endpoint), "body": body]
                lines.append(JSONCoding.documentText(line))
            }
            let form = BatchHTTP.multipart(
                fields: [("purpose", "batch")],
                file: ("file", "\(submission.displayName).jsonl", "application/jsonl", Array((lines.joined(separator: "\n") + "\n").utf8)))
            var headers = headers(target)
            headers.replaceOrAdd(name: "content-type", value: form.contentType)
            let uploaded = try BatchHTTP.json(try await http.send(.POST, url(target, "/files"), headers: headers, body: form.body, target: target), provider: target.provider)
            guard let id = uploaded["id"]?.stringValue else { throw unreadable(target) }
            fileId = id
        }
        var request: [String: JSONValue] = [
            "input_file_id": .string(fileId ?? ""), "endpoint": .string(endpoint), "completion_window": "24h",
        ]
        if !submission.metadata.isEmpty { request["metadata"] = .object(submission.metadata.mapValues { .string($0) }) }
        let batch = try BatchHTTP.json(
            try await http.post(url(target, "/batches"), headers: headers(target), json: .object(request), target: target), provider: target.provider)
        guard let id = batch["id"]?.stringValue else { throw unreadable(target) }
        return id
    }

    public func state(of batchId: String, target: UpstreamTarget) async throws -> BatchRemoteState {
        let batch = try await self.batch(batchId, target: target)
        let counts = batch["request_counts"]
        let total = counts?["total"]?.intValue ?? 0
        let failed = counts?["failed"]?.intValue ?? 0
        let succeeded = counts?["completed"]?.intValue ?? 0
        let phase: BatchRemoteState.Phase =
            switch batch["status"]?.stringValue ?? "" {
            case "validating": .validating
            case "in_progress", "finalizing": .running
            case "completed": .ended
            case "expired": .expired
            case "cancelling": .cancelling
            case "cancelled": .cancelled
            case "failed": .failed(Self.errors(batch) ?? "the batch failed")
            default: .running
            }
        return BatchRemoteState(phase: phase, total: total, succeeded: succeeded, failed: failed)
    }

    public func outcomes(of batchId: String, target: UpstreamTarget) async throws -> [BatchRemoteOutcome] {
        let batch = try await self.batch(batchId, target: target)
        var outcomes: [BatchRemoteOutcome] = []
        for key in ["output_file_id", "error_file_id"] {
            guard let fileId = batch[key]?.stringValue, !fileId.isEmpty else { continue }
            let content = try await http.get(url(target, "/files/\(Self.escape(fileId))/content"), headers: headers(target), target: target)
            outcomes += BatchHTTP.jsonLines(content).compactMap { Self.outcome($0, provider: target.provider) }
        }
        return outcomes
    }

    public func cancel(_ batchId: String, target: UpstreamTarget) async throws {
        _ = try await http.post(url(target, "/batches/\(Self.escape(batchId))/cancel"), headers: headers(target), json: .object([:]), target: target)
    }

    /// The newest batch whose metadata names the job (the gateway tags every batch it creates).
    public func find(jobId: String, target: UpstreamTarget) async throws -> String? {
        let page = try BatchHTTP.json(
            try await http.get(url(target, "/batches?limit=100"), headers: headers(target), target: target),
            provider: target.provider)
        let tagged = (page["data"]?.arrayValue ?? []).filter { $0["metadata"]?["switchyard_job"]?.stringValue == jobId }
        let newest = tagged.max { ($0["created_at"]?.doubleValue ?? 0) < ($1["created_at"]?.doubleValue ?? 0) }
        return newest?["id"]?.stringValue
    }

    func batch(_ id: String, target: UpstreamTarget) async throws -> JSONValue {
        try BatchHTTP.json(try await http.get(url(target, "/batches/\(Self.escape(id))"), headers: headers(target), target: target), provider: target.provider)
    }

    /// `{"custom_id", "response": {"status_code", "body"}, "error"}`
    static func outcome(_ line: JSONValue, provider: String) -> BatchRemoteOutcome? {
        guard let customId = line["custom_id"]?.stringValue else { return nil }
        if let error = line["error"], error != .null {
            return BatchRemoteOutcome(customId: customId, result: .failure(code: 500, message: error["message"]?.stringValue ?? "the request failed"))
        }
        let status = line["response"]?["status_code"]?.intValue ?? 500
        let body = line["response"]?["body"] ?? .null
        guard (200..<300).contains(status) else {
            let message = body["error"]?["message"]?.stringValue ?? "provider '\(provider)' answered \(status)"
            return BatchRemoteOutcome(customId: customId, result: .failure(code: status, message: message))
        }
        var response: ChatResponse?
        if body["choices"] != nil,
            let decoded = try? JSONCoding.decode(OpenAIChatResponse.self, from: JSONCoding.encode(body), provider: provider)
        {
            response = decoded.canonical(latencyMs: 0)
        }
        return BatchRemoteOutcome(customId: customId, result: .success(native: body, response: response))
    }

    static func errors(_ batch: JSONValue) -> String? {
        let messages = batch["errors"]?["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? id
    }

    func url(_ target: UpstreamTarget, _ path: String) -> String {
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("accept", "application/json")])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "authorization", value: "Bearer \(key)") }
        return headers
    }

    func unreadable(_ target: UpstreamTarget) -> GatewayError {
        GatewayError(.internalError, "provider '\(target.provider)' sent a batch answer the gateway could not read")
    }
}
