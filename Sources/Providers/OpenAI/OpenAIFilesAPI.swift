import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// OpenAI's Files API for the files door: uploads (purpose `batch`, the bytes streamed inside the form), content
/// downloads streamed back, deletes. Failures are `GatewayError`s carrying the upstream status.
public struct OpenAIFilesAPI: Sendable {
    let files: FilesHTTP

    public init(http: UpstreamHTTP) {
        self.files = FilesHTTP(http: http)
    }

    /// What OpenAI said about an uploaded file.
    public struct File: Sendable, Hashable {
        public var id: String
        /// As OpenAI counted them; nil when its answer did not say.
        public var bytes: Int64?
    }

    /// `POST {base}/files`; `length` is the file's size when known, so the request carries a Content-Length.
    public func upload<Body: AsyncSequence & Sendable>(
        filename: String, contentType: String, length: Int64?, body: Body, target: UpstreamTarget
    ) async throws -> File where Body.Element == ByteBuffer {
        let form = OpenAIFilesForm(fields: [("purpose", "batch")], fileField: "file", filename: filename, fileContentType: contentType)
        var request = HTTPClientRequest(url: FilesHTTP.join(target.baseURL, "/files"))
        request.method = .POST
        request.headers = headers(target)
        request.headers.replaceOrAdd(name: "content-type", value: form.contentType)
        request.body = .stream(form.body(body), length: length.map { .known(form.length(fileBytes: $0)) } ?? .unknown)
        let response = try await files.checked(request, target: target, seconds: FilesHTTP.uploadSeconds)
        let answer = try await files.json(response, target: target)
        guard let id = answer["id"]?.stringValue, !id.isEmpty else {
            throw GatewayError(.internalError, "provider '\(target.provider)' answered an upload without a file id")
        }
        return File(id: id, bytes: answer["bytes"]?.intValue.map(Int64.init))
    }

    /// `GET {base}/files/{id}/content`: the bytes, streamed as they arrive (the whole file: OpenAI serves no ranges).
    public func content(fileId: String, target: UpstreamTarget) async throws -> HTTPClientResponse.Body {
        var request = HTTPClientRequest(url: FilesHTTP.join(target.baseURL, "/files/\(FilesHTTP.segment(fileId))/content"))
        request.method = .GET
        request.headers = headers(target)
        request.headers.replaceOrAdd(name: "accept", value: "*/*")
        return try await files.checked(request, target: target).body
    }

    /// `DELETE {base}/files/{id}`.
    public func delete(fileId: String, target: UpstreamTarget) async throws {
        var request = HTTPClientRequest(url: FilesHTTP.join(target.baseURL, "/files/\(FilesHTTP.segment(fileId))"))
        request.method = .DELETE
        request.headers = headers(target)
        let response = try await files.checked(request, target: target)
        _ = try? await response.body.collect(upTo: 1 << 20)
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("accept", "application/json")])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "authorization", value: "Bearer \(key)") }
        return headers
    }
}

extension OpenAIFilesAPI: ProviderFileStore {
    public var servesContent: Bool { true }

    public func upload<Body: AsyncSequence & Sendable>(
        name: String, contentType: String, length: Int64?, body: Body, target: UpstreamTarget
    ) async throws -> ProviderFile where Body.Element == ByteBuffer {
        let file = try await upload(filename: name, contentType: contentType, length: length, body: body, target: target)
        return ProviderFile(id: file.id, bytes: file.bytes)
    }

    public func content(fileId: String, target: UpstreamTarget) async throws -> ByteStream {
        ByteStream(try await content(fileId: fileId, target: target) as HTTPClientResponse.Body)
    }
}
