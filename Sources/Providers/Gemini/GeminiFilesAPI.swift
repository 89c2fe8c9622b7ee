import AsyncHTTPClient
import Foundation
import GeminiDialect
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Gemini's Files API for the files door: the resumable upload protocol (a `start` call that announces the size
/// and type and answers with an upload URL, then one `upload, finalize` call with the bytes) and deletes. Gemini
/// never serves an uploaded file's bytes back, so there is no download. The key goes in `x-goog-api-key`.
public struct GeminiFilesAPI: Sendable {
    /// Gemini's limit on `displayName`.
    static let maxDisplayNameCharacters = 512
    let files: FilesHTTP

    public init(http: UpstreamHTTP) {
        self.files = FilesHTTP(http: http)
    }

    /// What Gemini said about an uploaded file.
    public struct File: Sendable, Hashable {
        /// `files/{id}`: what deletes and batch inputs name it by.
        public var name: String
        public var sizeBytes: Int64?
    }

    /// Start a resumable upload of `length` bytes, then send them.
    public func upload<Body: AsyncSequence & Sendable>(
        displayName: String, contentType: String, length: Int64, body: Body, target: UpstreamTarget
    ) async throws -> File where Body.Element == ByteBuffer {
        let root = Self.root(target.baseURL)
        var start = HTTPClientRequest(url: root + "/upload/v1beta/files")
        start.method = .POST
        start.headers = headers(target)
        for (name, value) in Self.startHeaders(length: length, contentType: contentType) { start.headers.replaceOrAdd(name: name, value: value) }
        start.body = .bytes(Self.startBody(displayName: displayName))
        let started = try await call { try await files.checked(start, target: target) }
        _ = try? await started.body.collect(upTo: 1 << 20)
        guard let uploadURL = Self.uploadURL(started.headers) else {
            throw GatewayError(.internalError, "provider '\(target.provider)' started an upload without an X-Goog-Upload-URL")
        }
        var upload = HTTPClientRequest(url: uploadURL)
        upload.method = .POST
        // The upload URL is a session URL that needs no key; the key goes only where the provider's own base is.
        upload.headers = uploadURL.hasPrefix(root + "/") ? headers(target) : HTTPHeaders([("accept", "application/json")])
        for (name, value) in Self.finalizeHeaders() { upload.headers.replaceOrAdd(name: name, value: value) }
        upload.body = .stream(body, length: .known(length))
        let finished = try await call { try await files.checked(upload, target: target, seconds: FilesHTTP.uploadSeconds) }
        let answer = try await files.json(finished, target: target)
        let file = answer["file"] ?? answer
        guard let name = file["name"]?.stringValue, !name.isEmpty else {
            throw GatewayError(.internalError, "provider '\(target.provider)' finished an upload without a file name")
        }
        let size: Int64? =
            switch file["sizeBytes"] {
            case .string(let text)?: Int64(text)
            case let value?: value.intValue.map(Int64.init)
            case nil: nil
            }
        return File(name: name, sizeBytes: size)
    }

    /// `DELETE {base}/v1beta/{name}` (`name` is `files/{id}`).
    public func delete(name: String, target: UpstreamTarget) async throws {
        let path = name.split(separator: "/", omittingEmptySubsequences: false).map { FilesHTTP.segment(String($0)) }.joined(separator: "/")
        var request = HTTPClientRequest(url: Self.root(target.baseURL) + "/v1beta/" + path)
        request.method = .DELETE
        request.headers = headers(target)
        let response = try await call { try await files.checked(request, target: target) }
        _ = try? await response.body.collect(upTo: 1 << 20)
    }

    /// The `start` request's protocol headers: the size and type of what will follow.
    public static func startHeaders(length: Int64, contentType: String) -> [(String, String)] {
        [
            ("X-Goog-Upload-Protocol", "resumable"),
            ("X-Goog-Upload-Command", "start"),
            ("X-Goog-Upload-Header-Content-Length", String(length)),
            ("X-Goog-Upload-Header-Content-Type", contentType),
            ("Content-Type", "application/json"),
        ]
    }

    /// The one data request: every byte at offset 0, and the upload closed by it.
    public static func finalizeHeaders() -> [(String, String)] {
        [("X-Goog-Upload-Command", "upload, finalize"), ("X-Goog-Upload-Offset", "0")]
    }

    /// `{"file": {"display_name": …}}`, the name cut to what Gemini accepts.
    public static func startBody(displayName: String) -> ByteBuffer {
        let name = String(displayName.prefix(maxDisplayNameCharacters))
        return JSONCoding.encode(["file": ["display_name": .string(name)]] as JSONValue)
    }

    /// Where the bytes go, from the `start` answer (header names are case-insensitive).
    public static func uploadURL(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "x-goog-upload-url").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The API root, the base URL given with or without its version.
    static func root(_ baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        for version in ["/v1beta", "/v1"] where base.hasSuffix(version) {
            base.removeLast(version.count)
            break
        }
        return base
    }

    func call<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as GatewayError {
            throw GeminiStatus.refine(error)
        }
    }

    func headers(_ target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders([("accept", "application/json")])
        if let key = target.apiKey, !key.isEmpty { headers.add(name: "x-goog-api-key", value: key) }
        return headers
    }
}

extension GeminiFilesAPI: ProviderFileStore {
    /// Gemini never serves an uploaded file's bytes back.
    public var servesContent: Bool { false }

    public func upload<Body: AsyncSequence & Sendable>(
        name: String, contentType: String, length: Int64?, body: Body, target: UpstreamTarget
    ) async throws -> ProviderFile where Body.Element == ByteBuffer {
        // The resumable protocol announces the size up front; the door keeps a copy first, so it is known.
        guard let length else { throw GatewayError(.internalError, "an upload to Gemini needs its length up front") }
        let file = try await upload(displayName: name, contentType: contentType, length: length, body: body, target: target)
        return ProviderFile(id: file.name, bytes: file.sizeBytes)
    }

    public func content(fileId: String, target: UpstreamTarget) async throws -> ByteStream {
        throw GatewayError(.validation, "Gemini does not serve the bytes of uploaded files")
    }

    public func delete(fileId: String, target: UpstreamTarget) async throws {
        try await delete(name: fileId, target: target)
    }

    /// Gemini names files `files/{id}`; the gateway's own ids are hex and have no slash.
    public func isFileId(_ id: String) -> Bool { id.hasPrefix("files/") }
}
