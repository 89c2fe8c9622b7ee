import AWSWire
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Stores
import SwitchyardModel

/// The S3-compatible door: path-style S3 under a mount (`/bedrock/files`), enough of the API for boto3's object
/// calls, listings and managed transfers. One catch-all route per method; bucket and key come from the raw request
/// target, never from the router, which would decode or collapse parts of a key.
public struct S3Routes<Context: RequestContext>: Sendable {
    let backends: FileBackends
    let mount: String
    let maxObjectBytes: Int64
    let logger: Logger

    public init(backends: FileBackends, mount: String = "/bedrock/files", maxObjectBytes: Int64 = S3Limits.maxObjectBytes, logger: Logger) {
        self.backends = backends
        self.mount = mount
        self.maxObjectBytes = maxObjectBytes
        self.logger = logger
    }

    public func register(on router: some RouterMethods<Context>) {
        for method in [HTTPRequest.Method.get, .head, .put, .post, .delete] {
            for path in [mount, mount + "/**"] {
                router.on(RouterPath(path), method: method) { request, _ in await self.handle(request) }
            }
        }
    }

    func handle(_ request: Request) async -> Response {
        let requestId = S3Response.newRequestId()
        let isHead = request.method == .head
        var pipelineCall: CallContext?
        do {
            let target = try S3RequestTarget.parse(request.head.path ?? "/", mount: mount)
            let backend = try backends.resolve(request.headers[S3Headers.modelProvider])
            pipelineCall = begin(request, target: target, backend: backend, requestId: requestId)
            let call = S3Call(request: request, target: target, backend: backend, requestId: requestId)
            let response = try await CallScope.$current.withValue(pipelineCall) {
                if let s3 = backend as? S3PassthroughBackend { return try await forward(call, to: s3) }
                return try await dispatch(call)
            }
            let status = Int(response.status.code)
            guard let pipelineCall, status < 400, !isHead else {
                pipelineCall?.finish(CallEnd(outcome: status < 400 ? .success : .failure, status: status))
                return Self.withPluginHeaders(response, pipelineCall)
            }
            return Self.withPluginHeaders(Self.endingWithBody(response, call: pipelineCall, status: status), pipelineCall)
        } catch {
            let failure: S3Error
            switch error {
            case let error as S3Error: failure = error
            case BlobStoreError.invalidRange: failure = S3Error("InvalidRange", 416, "The requested range is not satisfiable")
            default:
                logger.error("S3 request failed", metadata: ["error": "\(error)", "requestId": "\(requestId)"])
                failure = .internalError()
            }
            let gone = error is CancellationError
            // An upstream failure is already on the record (redacted); the S3 door's own refusals have only a code.
            pipelineCall?.finish(CallEnd(outcome: gone ? .clientGone : .failure, status: gone ? 499 : failure.status, errorCode: failure.code))
            return Self.withPluginHeaders(S3Response.error(failure, requestId: requestId, head: isHead), pipelineCall)
        }
    }

    /// The call ends once its answer's body is out (a GetObject streams the provider's bytes after the head), so
    /// its latency covers the body; a client that leaves first ends it as gone, an upstream that fails mid-body as
    /// a failure.
    static func endingWithBody(_ response: Response, call: CallContext, status: Int) -> Response {
        var response = response
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
            } catch let error as GatewayError {
                call.finish(CallEnd(outcome: .failure, status: status, errorCode: error.upstreamCode), error: error)
                throw error
            } catch {
                call.finish(CallEnd(outcome: .clientGone, status: status))
                throw error
            }
            call.finish(CallEnd(outcome: .success, status: status))
        }
        return response
    }

    /// What the pipeline's plugins asked to put on the head (rate-limit state).
    static func withPluginHeaders(_ response: Response, _ call: CallContext?) -> Response {
        guard let extra = call?.answerHeaders, !extra.isEmpty else { return response }
        var response = response
        for header in extra {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }

    /// A request to a provider namespace is a call of the engine's pipeline: each provider file API call it makes
    /// is an attempt of it, and the plugins see it end with the status the client got. The gateway's own store
    /// makes no provider call.
    func begin(_ request: Request, target: S3RequestTarget, backend: any FileBackend, requestId: String) -> CallContext? {
        guard backend.namespace != FileBackends.gatewayNamespace, let engine = backends.engine else { return nil }
        let operation = S3Operation.name(
            method: request.method.rawValue, bucket: target.bucket, key: target.key, query: target.query.items.map(\.name))
        return engine.begin(
            CallDescriptor(
                requestId: requestId, door: "s3", operation: operation,
                route: S3Operation.route(mount: mount, bucket: target.bucket, key: target.key),
                userAgent: request.headers[.userAgent], traceParent: request.headers[S3Routes.traceParent]))
    }

    static var traceParent: HTTPField.Name { HTTPField.Name("traceparent")! }

    func dispatch(_ call: S3Call) async throws -> Response {
        let method = call.request.method
        let query = call.query
        guard call.target.bucket != nil else {
            guard method == .get else { throw Self.methodNotAllowed }
            return try await listBuckets(call)
        }
        guard call.target.key != nil else {
            switch method {
            case .get where query.has("location"): return locationConstraint(call)
            case .get where query.has("uploads"): return try await listMultipartUploads(call)
            case .get where query["list-type"] == "2": return try await listObjects(call, version: 2)
            case .get where Self.bucketSubresource(query) == nil: return try await listObjects(call, version: 1)
            case .head: return try await headBucket(call)
            case .put where Self.bucketSubresource(query) == nil: return try await createBucket(call)
            case .delete where Self.bucketSubresource(query) == nil: return try await deleteBucket(call)
            case .post where query.has("delete"): return try await deleteObjects(call)
            case .get, .put, .delete, .post:
                throw S3Error.notImplemented("This bucket operation (?\(Self.bucketSubresource(query) ?? "")) is not implemented by the gateway's S3 API.")
            default: throw Self.methodNotAllowed
            }
        }
        switch method {
        case .get where query.has("uploadId"): return try await listParts(call)
        case .get, .head:
            if let sub = Self.objectSubresource(query) {
                throw S3Error.notImplemented("GET ?\(sub) on objects is not implemented by the gateway's S3 API.")
            }
            return try await getObject(call)
        case .put where query.has("uploadId"):
            if call.header(S3Headers.copySource) != nil { throw S3Error.notImplemented("UploadPartCopy is not implemented by the gateway's S3 API.") }
            return try await uploadPart(call)
        case .put:
            if let sub = Self.objectSubresource(query) {
                throw S3Error.notImplemented("PUT ?\(sub) on objects is not implemented by the gateway's S3 API.")
            }
            return call.header(S3Headers.copySource) != nil ? try await copyObject(call) : try await putObject(call)
        case .delete where query.has("uploadId"): return try await abortMultipartUpload(call)
        case .delete: return try await deleteObject(call)
        case .post where query.has("uploads"): return try await createMultipartUpload(call)
        case .post where query.has("uploadId"): return try await completeMultipartUpload(call)
        case .post: throw S3Error.notImplemented("This POST on an object is not implemented by the gateway's S3 API.")
        default: throw Self.methodNotAllowed
        }
    }

    static var methodNotAllowed: S3Error {
        S3Error("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
    }

    /// Query names that are parameters, not subresources (`x-id` is botocore's operation tag).
    static var listParameters: Set<String> { [
        "list-type", "prefix", "delimiter", "marker", "max-keys", "encoding-type", "continuation-token", "start-after",
        "fetch-owner", "x-id",
    ] }

    static func bucketSubresource(_ query: S3Query) -> String? {
        query.items.first { !listParameters.contains($0.name) }?.name
    }

    static func objectSubresource(_ query: S3Query) -> String? {
        query.items.first { item in
            !(item.name == "x-id" || item.name == "versionId" || item.name.hasPrefix("response-"))
        }?.name
    }

    /// The request body as it streams in, decoded and verified; refused up front when it declares more than `limit`.
    func uploadBody(_ call: S3Call, limit: Int64) throws -> S3UploadBody<RequestBody> {
        let encoding = (call.request.headers[.contentEncoding] ?? "").lowercased()
        let awsChunked = encoding.split(separator: ",").contains { $0.trimmingASCIISpaces == "aws-chunked" }
            || (call.header(S3Headers.contentSHA256) ?? "").hasPrefix("STREAMING-")
        let lengthHeader = awsChunked ? call.header(S3Headers.decodedContentLength) : call.request.headers[.contentLength]
        let declared = lengthHeader.flatMap { Int64($0.trimmingASCIISpaces) }
        if let declared, declared > limit { throw S3Error.entityTooLarge(limit) }
        let payloadHash = call.header(S3Headers.contentSHA256).map { $0.trimmingASCIISpaces.lowercased() }
        let framing = S3UploadBody<RequestBody>.Framing(
            awsChunked: awsChunked, declaredLength: declared, headerCRC32: call.header(S3Headers.checksumCRC32), limit: limit,
            contentSHA256: payloadHash.flatMap { !awsChunked && SigV4Verifier.isHexDigest($0) ? $0 : nil })
        return S3UploadBody(base: call.request.body, framing: framing)
    }

    /// A small request document (CompleteMultipartUpload, Delete), checked like any upload, then parsed.
    func requestXML(_ call: S3Call) async throws -> S3XMLNode {
        var bytes: [UInt8] = []
        for try await chunk in try uploadBody(call, limit: S3Limits.maxRequestXMLBytes) {
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        do {
            return try S3XMLReader.parse(bytes)
        } catch {
            throw S3Error.malformedXML(error.description)
        }
    }
}
