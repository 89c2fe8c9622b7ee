import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardModel

extension S3Routes {
    /// A request of a namespace that is a real S3 account (`S3PassthroughBackend`), sent on as it came: bodies stream
    /// both ways, and S3's status, headers (ETag, Content-Range, checksums, request ids) and body, XML errors
    /// included, come back as S3 gave them. An upload is decoded from aws-chunked and checked here (the trailer
    /// checksum cannot be forwarded as a header), then sent plain with its length, which S3 requires.
    func forward(_ call: S3Call, to backend: S3PassthroughBackend) async throws -> Response {
        let ownerChange = try await checkPassthroughOwnership(call, namespace: backend.namespace)
        let method = call.request.method
        var headers: [(String, String)] = []
        for field in call.request.headers {
            let name = field.name.canonicalName
            if name == "content-encoding" {
                let rest = field.value.split(separator: ",").map { $0.trimmingASCIISpaces }.filter { $0 != "aws-chunked" }
                if !rest.isEmpty { headers.append((name, rest.joined(separator: ","))) }
            } else if Self.entityTagHeaders.contains(name) {
                headers.append((name, Self.quotedTags(field.value)))
            } else if Self.forwardedHeaders.contains(name) || (name.hasPrefix("x-amz-") && !Self.droppedAmzHeaders.contains(name)) {
                headers.append((name, field.value))
            }
        }
        var body: S3UploadBody<RequestBody>?
        var length: Int64?
        if method == .put || method == .post {
            let upload = try uploadBody(call, limit: maxObjectBytes)
            guard let declared = upload.framing.declaredLength else {
                throw S3Error("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
            }
            body = upload
            length = declared
        }
        let forwarded = S3ForwardCall(
            method: method.rawValue, bucket: call.target.bucket, key: call.target.key,
            query: call.query.items.map { ($0.name, $0.value) }, headers: headers)
        let send = { try await backend.send(forwarded, body: body, length: length) }
        let answer = if let body { try await body.blamingBody(send) } else { try await send() }
        if (200..<300).contains(answer.status) { try await applyPassthroughOwnership(ownerChange, namespace: backend.namespace) }
        // The shared HTTP client inflates gzip and deflate answers, so their length and coding no longer hold.
        let inflated = answer.header("content-encoding").map { $0.contains("gzip") || $0.contains("deflate") } ?? false
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            let lower = name.lowercased()
            if Self.answerHopByHop.contains(lower) || (inflated && (lower == "content-length" || lower == "content-encoding")) { continue }
            if let field = HTTPField.Name(lower) { fields.append(HTTPField(name: field, value: value)) }
        }
        let status = HTTPResponse.Status(code: answer.status)
        if call.isHead || answer.status == 204 || answer.status == 304 {
            _ = try? await answer.body.collect(upTo: 1 << 20)
            return Response(status: status, headers: fields, body: ResponseBody())
        }
        return Response(status: status, headers: fields, body: ResponseBody(asyncSequence: answer.body))
    }

    static var entityTagHeaders: Set<String> { ["if-match", "if-none-match", "x-amz-copy-source-if-match", "x-amz-copy-source-if-none-match"] }

    /// The documented snippets pass the ETag bare (`IfMatch=file_id`), as the gateway's own store accepts; S3
    /// compares quoted entity tags, so each goes up quoted (`*` stays as it is).
    static func quotedTags(_ value: String) -> String {
        S3Conditions.tags(value).map { $0 == "*" ? $0 : "\"\($0)\"" }.joined(separator: ", ")
    }

    /// Standard headers S3 reads; `x-amz-*` ones go too, but for the signature's own and the upload framing's.
    static var forwardedHeaders: Set<String> { [
        "content-type", "content-md5", "cache-control", "content-disposition", "content-language", "expires", "range",
        "if-modified-since", "if-unmodified-since",
    ] }

    /// Re-made when signing, or describing an aws-chunked body that is sent decoded. `x-amz-sdk-checksum-algorithm`
    /// would make S3 demand a checksum that, from a trailer, no longer travels.
    static var droppedAmzHeaders: Set<String> { [
        "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-decoded-content-length", "x-amz-trailer",
        "x-amz-sdk-checksum-algorithm",
    ] }

    static var answerHopByHop: Set<String> { [
        "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "date", "server",
    ] }
}
