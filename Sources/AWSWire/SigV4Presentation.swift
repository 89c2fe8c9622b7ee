import Foundation

/// The AWS credential a request presents, read from its `Authorization` header or its presigned query, before any
/// secret is known: enough to look the access key up and to check the scope and the clock.
public struct SigV4Presentation: Sendable, Hashable {
    public enum Form: Sendable, Hashable {
        /// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
        case header
        /// `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Signature=…`
        case presigned
        /// `?AWSAccessKeyId=…&Expires=…&Signature=…`: SigV2, which boto3's `generate_presigned_url` uses for S3
        /// unless the client sets `signature_version="s3v4"`.
        case presignedV2
    }

    public var form: Form
    public var accessKeyId: String
    /// `DATE/REGION/SERVICE/aws4_request` as presented; empty for SigV2.
    public var scope: String
    public var day: String
    public var region: String
    public var service: String
    public var terminator: String
    /// `content-type;host;x-amz-date`, as presented.
    public var signedHeaders: String
    /// The signature's bytes (hex for SigV4, base64 for SigV2, decoded); empty when it could not be decoded, which
    /// then fails as a mismatch.
    public var signature: [UInt8]
    /// `X-Amz-Date` as presented; empty for SigV2.
    public var amzDate: String
    public var signedAt: Int64?
    /// A presigned URL's end of validity, in seconds since 1970.
    public var expiresAt: Int64?
    public var sessionToken: String?

    static let algorithm = "AWS4-HMAC-SHA256"
    /// AWS's longest presigned validity: 7 days.
    static let maxExpiresSeconds: Int64 = 604_800

    /// The SigV4 (or SigV2 presigned) credential of `request`, nil when it carries none (no `Authorization`, a
    /// bearer token, no signature parameters in its query). SigV2 is read only at the S3 door.
    public static func find(in request: SigV4Request, door: SigV4Door) throws(SigV4Failure) -> SigV4Presentation? {
        let authorization = request.header("authorization")
        let query = SigV4Query.signatureParameters(request.query)
        let header = try authorization.flatMap { value throws(SigV4Failure) in try parseHeader(value, request: request) }
        if header != nil, query.isSigned {
            throw SigV4Failure(
                .malformedQuery,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
            )
        }
        if let header { return header }
        if query.hasV4 { return try parseQuery(query) }
        if query.hasV2, door == .s3 { return try parseQueryV2(query) }
        return nil
    }

    static func parseHeader(_ value: String, request: SigV4Request) throws(SigV4Failure) -> SigV4Presentation? {
        // Int offsets into one copy of the bytes: this runs for every signed request, and Substring.UTF8View's
        // checked indices cost more than the parse itself.
        let bytes = Array(value.utf8)
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        var start = 0
        while start < bytes.count, bytes[start] == 0x20 { start += 1 }
        guard let space = bytes[start...].firstIndex(of: 0x20) else {
            let trimmed = text(start..<bytes.count)
            if trimmed.hasPrefix("AWS4") { try unsupported(trimmed) }
            return nil
        }
        if !bytes[start..<space].elementsEqual(algorithm.utf8) {
            let scheme = text(start..<space)
            guard scheme.hasPrefix("AWS4") || scheme == "AWS" else { return nil }
            try unsupported(scheme)
        }
        var credential: Range<Int>?
        var signedHeaders: Range<Int>?
        var signature: Range<Int>?
        var cursor = space + 1
        while cursor < bytes.count {
            let comma = bytes[cursor...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
            var low = cursor
            var high = comma
            while low < high, bytes[low] == 0x20 || bytes[low] == 0x09 { low += 1 }
            while high > low, bytes[high - 1] == 0x20 || bytes[high - 1] == 0x09 { high -= 1 }
            if let equals = bytes[low..<high].firstIndex(of: UInt8(ascii: "=")) {
                let name = bytes[low..<equals]
                let value = equals + 1..<high
                if name.elementsEqual("Credential".utf8) {
                    credential = value
                } else if name.elementsEqual("SignedHeaders".utf8) {
                    signedHeaders = value
                } else if name.elementsEqual("Signature".utf8) {
                    signature = value
                }
            }
            cursor = comma + 1
        }
        var missing = ""
        if credential == nil { missing += "Authorization header requires 'Credential' parameter. " }
        if signedHeaders == nil { missing += "Authorization header requires 'SignedHeaders' parameter. " }
        if signature == nil { missing += "Authorization header requires 'Signature' parameter. " }
        guard let amzDate = request.header("x-amz-date") else {
            throw SigV4Failure(
                .malformedHeader, missing + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        guard let credential, let signedHeaders, let signature else {
            throw SigV4Failure(.malformedHeader, String(missing.dropLast()))
        }
        return try make(
            .header, credential: Substring(text(credential)), signedHeaders: Substring(text(signedHeaders)),
            signature: hexBytes(bytes[signature]), amzDate: amzDate,
            expires: nil, sessionToken: request.header("x-amz-security-token"), failure: .malformedHeader)
    }

    private static func unsupported(_ scheme: String) throws(SigV4Failure) -> Never {
        throw SigV4Failure(
            .malformedHeader,
            scheme == "AWS"
                ? "Signature Version 2 Authorization headers are not accepted; sign with Signature Version 4 (AWS4-HMAC-SHA256)."
                : "Unsupported AWS 'algorithm': '\(scheme)'; only AWS4-HMAC-SHA256 is accepted.")
    }

    static func parseQuery(_ query: SigV4Query.Parameters) throws(SigV4Failure) -> SigV4Presentation {
        guard let algorithm = query.algorithm, let credential = query.credential, let amzDate = query.date,
            let signedHeaders = query.signedHeaders, let signature = query.signature, let expires = query.expires
        else {
            throw SigV4Failure(
                .malformedQuery,
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
            )
        }
        guard algorithm == Self.algorithm else {
            throw SigV4Failure(.malformedQuery, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        guard let seconds = Int64(expires) else { throw SigV4Failure(.malformedQuery, "X-Amz-Expires should be a number") }
        guard seconds >= 0 else { throw SigV4Failure(.malformedQuery, "X-Amz-Expires must be non-negative") }
        guard seconds <= maxExpiresSeconds else {
            throw SigV4Failure(.malformedQuery, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
        }
        return try make(
            .presigned, credential: Substring(credential), signedHeaders: Substring(signedHeaders), signature: hexBytes(signature[...]),
            amzDate: amzDate, expires: seconds, sessionToken: query.securityToken, failure: .malformedQuery)
    }

    static func parseQueryV2(_ query: SigV4Query.Parameters) throws(SigV4Failure) -> SigV4Presentation {
        guard let accessKeyId = query.accessKeyIdV2, let signature = query.signatureV2, let expires = query.expiresV2 else {
            throw SigV4Failure(
                .malformedQuery, "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
        }
        guard let expiresAt = Int64(expires) else {
            throw SigV4Failure(.malformedQuery, "Invalid date (should be seconds since epoch): \(expires)")
        }
        return SigV4Presentation(
            form: .presignedV2, accessKeyId: accessKeyId, scope: "", day: "", region: "", service: "", terminator: "",
            signedHeaders: "", signature: Data(base64Encoded: signature).map { Array($0) } ?? [], amzDate: "", signedAt: nil,
            expiresAt: expiresAt, sessionToken: query.securityToken)
    }

    private static func make(
        _ form: Form, credential: Substring, signedHeaders: Substring, signature: [UInt8], amzDate: String, expires: Int64?,
        sessionToken: String?, failure: SigV4Failure.Kind
    ) throws(SigV4Failure) -> SigV4Presentation {
        // `AKID/DATE/REGION/SERVICE/TERMINATOR`: exactly four slashes, found on bytes.
        var slashes: [Substring.Index] = []
        slashes.reserveCapacity(4)
        var index = credential.utf8.startIndex
        while index < credential.utf8.endIndex {
            if credential.utf8[index] == UInt8(ascii: "/") {
                slashes.append(index)
                if slashes.count > 4 { break }
            }
            credential.utf8.formIndex(after: &index)
        }
        guard slashes.count == 4, slashes[0] != credential.startIndex else {
            throw SigV4Failure(
                failure, "The Credential is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
        }
        func after(_ slash: Substring.Index) -> Substring.Index { credential.utf8.index(after: slash) }
        let parts = [
            credential[..<slashes[0]], credential[after(slashes[0])..<slashes[1]], credential[after(slashes[1])..<slashes[2]],
            credential[after(slashes[2])..<slashes[3]], credential[after(slashes[3])...],
        ]
        guard let signedAt = AmzDate.seconds(amzDate) else {
            throw SigV4Failure(
                failure,
                "Date must be in ISO-8601 'basic format'. Got '\(amzDate.prefix(32))'. See http://en.wikipedia.org/wiki/ISO_8601")
        }
        return SigV4Presentation(
            form: form, accessKeyId: String(parts[0]), scope: String(credential[parts[1].startIndex...]), day: String(parts[1]),
            region: String(parts[2]), service: String(parts[3]), terminator: String(parts[4]), signedHeaders: String(signedHeaders),
            signature: signature, amzDate: amzDate, signedAt: signedAt, expiresAt: expires.map { signedAt + $0 },
            sessionToken: sessionToken)
    }

    /// `query` without its presigned-signature parameters (SigV4's `X-Amz-Algorithm` … `X-Amz-Signature`, SigV2's
    /// `AWSAccessKeyId`, `Signature`, `Expires`), which are the caller's credential, not the operation's; nil when
    /// it has none.
    public static func queryWithoutSignature(_ query: Substring) -> String? {
        let found = SigV4Query.signatureParameters(query)
        guard found.hasV4 || found.hasV2 else { return nil }
        let v2 = found.accessKeyIdV2 != nil
        let kept = query.split(separator: "&", omittingEmptySubsequences: true).filter { piece in
            let name = String(decoding: SigV4Query.percentDecode(piece.prefix { $0 != "=" }.utf8), as: UTF8.self)
            return !(SigV4Query.v4Names.contains(name) || (v2 && SigV4Query.v2Names.contains(name)))
        }
        return kept.joined(separator: "&")
    }

    /// 64 hex digits as 32 bytes; empty for anything else.
    static func hexBytes(_ text: Substring) -> [UInt8] {
        hexBytes(Array(text.utf8)[...])
    }

    static func hexBytes(_ digits: ArraySlice<UInt8>) -> [UInt8] {
        guard digits.count == 64 else { return [] }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var index = digits.startIndex
        while index != digits.endIndex {
            let next = digits.index(after: index)
            guard let high = SigV4Query.hexValue(digits[index]), let low = SigV4Query.hexValue(digits[next]) else { return [] }
            out.append(high << 4 | low)
            index = digits.index(after: next)
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
