import Foundation
import GeminiDialect
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Gemini's batch mode: `models/{model}:batchGenerateContent` with the requests inline (or a Files API file), a
/// long-running operation `batches/{id}` polled until its state is final, and the answers inline in it (or in a
/// responses file).
public struct GeminiBatchAPI: BatchProvider {
    let http: BatchHTTP

    public init(http: UpstreamHTTP) {
        self.http = BatchHTTP(http: http)
    }

    public var nativeRecordForm: String? { "gemini" }

    public func submit(_ submission: BatchSubmission, target: UpstreamTarget) async throws -> String {
        let input: JSONValue
        if let fileId = submission.inputFileId {
            input = ["fileName": .string(fileId.hasPrefix("files/") ? fileId : "files/\(fileId)")]
        } else {
            let requests: [JSONValue] = submission.records.compactMap { record in
                let body: JSONValue
                if let native = record.nativeBody {
                    body = native
                } else if let request = record.request {
                    body = GeminiRequestBuilder.body(request)
                } else {
                    return nil
                }
                return ["request": body, "metadata": ["key": .string(record.customId)]]
            }
            input = ["requests": ["requests": .array(requests)]]
        }
        let body: JSONValue = ["batch": ["displayName": .string(submission.displayName), "inputConfig": input]]
        let model = GeminiProvider.modelName(target.model)
        let escaped = model.addingPercentEncoding(withAllowedCharacters: GeminiProvider.pathCharacters) ?? model
        let operation = try BatchHTTP.json(
            try await call { try await http.post(url(target, "models/\(escaped):batchGenerateContent"), headers: headers(target), json: body, target: target) },
            provider: target.provider)
        guard let name = operation["name"]?.stringValue ?? operation["metadata"]?["name"]?.stringValue else {
            throw GatewayError(.internalError, "provider '\(target.provider)' sent a batch answer without a name")
        }
        return name
    }

    public func state(of batchId: String, target: UpstreamTarget) async throws -> BatchRemoteState {
        let batch = try await self.batch(batchId, target: target)
        let info = batch["metadata"] ?? batch
        let stats = info["batchStats"]
        let number = { (name: String) -> Int in
            switch stats?[name] {
            case .string(let s)?: Int(s) ?? 0
            case let value?: value.intValue ?? 0
            case nil: 0
            }
        }
        let state = (info["state"] ?? batch["state"])?.stringValue ?? ""
        let phase: BatchRemoteState.Phase =
            if state.hasSuffix("_SUCCEEDED") {
                .ended
            } else if state.hasSuffix("_FAILED") {
                .failed(batch["error"]?["message"]?.stringValue ?? "the batch failed")
            } else if state.hasSuffix("_CANCELLED") {
                .cancelled
            } else if state.hasSuffix("_EXPIRED") {
                .expired
            } else if state.hasSuffix("_PENDING") {
                .validating
            } else {
                .running
            }
        return BatchRemoteState(
            phase: phase, total: number("requestCount"), succeeded: number("successfulRequestCount"), failed: number("failedRequestCount"))
    }

    public func outcomes(of batchId: String, target: UpstreamTarget) async throws -> [BatchRemoteOutcome] {
        let batch = try await self.batch(batchId, target: target)
        let output = batch["response"] ?? batch["metadata"]?["output"] ?? batch["output"]
        if let inlined = output?["inlinedResponses"]?["inlinedResponses"]?.arrayValue {
            return inlined.enumerated().compactMap { i, item in Self.outcome(item, key: item["metadata"]?["key"]?.stringValue, provider: target.provider) }
        }
        if let file = output?["responsesFile"]?.stringValue {
            let content = try await call { try await http.get(downloadURL(target, file), headers: headers(target), target: target) }
            return BatchHTTP.jsonLines(content).compactMap { Self.outcome($0, key: $0["key"]?.stringValue, provider: target.provider) }
        }
        return []
    }

    public func cancel(_ batchId: String, target: UpstreamTarget) async throws {
        _ = try await call { try await http.post(url(target, "\(batchId):cancel"), headers: headers(target), json: .object([:]), target: target) }
    }

    func batch(_ name: String, target: UpstreamTarget) async throws -> JSONValue {
        try BatchHTTP.json(try await call { try await http.get(url(target, name), headers: headers(target), target: target) }, provider: target.provider)
    }

    /// `{"response": GenerateContentResponse, "metadata": {"key"}}` or `{"error": Status}`.
    static func outcome(_ item: JSONValue, key: String?, provider: String) -> BatchRemoteOutcome? {
        guard let key else { return nil }
        if let error = item["error"], error != .null {
            let code = error["code"]?.intValue ?? 500
            return BatchRemoteOutcome(
                customId: key, result: .failure(code: (400..<600).contains(code) ? code : 500, message: error["message"]?.stringValue ?? "the request failed"))
        }
        let body = item["response"] ?? .null
        var response: ChatResponse?
        if let decoded = try? JSONCoding.decode(GeminiResponse.self, from: JSONCoding.encode(body), provider: provider) {
            response = GeminiProvider.response(decoded, history: [], latencyMs: 0)
        }
        return BatchRemoteOutcome(customId: key, result: .success(native: body, response: response))
    }

    func call<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as GatewayError {
            throw GeminiStatus.refine(error)
        }
    }

    /// `{base}/v1beta/{path}`, the base URL given with or without its version.
    func url(_ target: UpstreamTarget, _ path: String) -> String {
        root(target) + "/v1beta/" + path
    }

    func downloadURL(_ target: UpstreamTarget, _ file: String) -> String {
        root(target) + "/download/v1beta/\(file):download?alt=media"
    }

    func root(_ target: UpstreamTarget) -> String {
        var base = target.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        for version in ["/v1beta", "/v1"] where base.hasSuffix(version) {
            base.removeLast(version.count)
            break
        }
        return base
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("accept", "application/json")])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "x-goog-api-key", value: key) }
        return headers
    }
}
