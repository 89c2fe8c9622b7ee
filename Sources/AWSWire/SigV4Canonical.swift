/// The canonical request of bedrock-wire.md §7.2, rebuilt on the server from the request as it arrived. Written
/// into one byte buffer, because it exists only to be hashed.
enum SigV4Canonical {
    /// `method \n uri \n query \n headers \n\n signedHeaders \n payloadHash`. The presigned form leaves
    /// `X-Amz-Signature` out of the query.
    static func request(
        _ request: SigV4Request, door: SigV4Door, signedHeaders: String, payloadHash: String, presigned: Bool
    ) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256 + request.path.utf8.count + request.query.utf8.count)
        out.append(contentsOf: request.method.utf8)
        out.append(newline)
        switch door {
        case .bedrock: appendNormalisedPath(request.path, to: &out)
        case .s3: out.append(contentsOf: request.path.isEmpty ? Array("/".utf8) : Array(request.path.utf8))
        }
        out.append(newline)
        appendQuery(request.query, dropping: presigned ? "X-Amz-Signature" : nil, to: &out)
        out.append(newline)
        // The names between `;`s, empty ones included, as botocore splits them; without an array of them.
        let names = signedHeaders.utf8
        var start = names.startIndex
        while true {
            let end = names[start...].firstIndex(of: UInt8(ascii: ";")) ?? names.endIndex
            let name = signedHeaders[start..<end]
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ":"))
            let key = String(name)
            if key == "host" {
                // HTTP/1's Host header arrives as the request's authority.
                appendTrimmed(request.authority ?? request.headers.values(of: key).first ?? "", to: &out)
            } else {
                for (index, value) in request.headers.values(of: key).enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    appendTrimmed(value, to: &out)
                }
            }
            out.append(newline)
            guard end != names.endIndex else { break }
            start = names.index(after: end)
        }
        out.append(newline)
        out.append(contentsOf: signedHeaders.utf8)
        out.append(newline)
        out.append(contentsOf: payloadHash.utf8)
        return out
    }

    /// SigV2's string to sign for a presigned S3 URL: `method \n md5 \n type \n expires \n x-amz-* \n resource`.
    static func stringToSignV2(_ request: SigV4Request, expires: Int64) -> [UInt8] {
        var out = [UInt8]()
        out.append(contentsOf: request.method.utf8)
        out.append(newline)
        for name in ["content-md5", "content-type"] {
            out.append(contentsOf: (request.header(name) ?? "").trimmingSpacesString.utf8)
            out.append(newline)
        }
        out.append(contentsOf: String(expires).utf8)
        out.append(newline)
        var amz: [String: [String]] = [:]
        for pair in SigV4Query.decodedPairs(request.query) where pair.name.lowercased().hasPrefix("x-amz-") {
            amz[pair.name.lowercased(), default: []].append(pair.value)
        }
        for (name, values) in amz.sorted(by: { $0.key < $1.key }) {
            out.append(contentsOf: "\(name):\(values.map(\.trimmingSpacesString).joined(separator: ","))\n".utf8)
        }
        let resource = request.s3ResourcePath ?? request.path
        out.append(contentsOf: (resource.isEmpty ? "/" : resource).utf8)
        let interesting = SigV4Query.decodedPairs(request.query).filter { subresourcesV2.contains($0.name) }
            .sorted { $0.name < $1.name }
        for (index, pair) in interesting.enumerated() {
            out.append(UInt8(ascii: index == 0 ? "?" : "&"))
            out.append(contentsOf: pair.name.utf8)
            if !pair.value.isEmpty || pair.hadEquals {
                out.append(UInt8(ascii: "="))
                out.append(contentsOf: pair.value.utf8)
            }
        }
        return out
    }

    /// The query parameters SigV2 signs as part of the resource (botocore's `HmacV1Auth.QSAOfInterest`).
    static let subresourcesV2: Set<String> = [
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber", "policy", "requestPayment",
        "torrent", "versioning", "versionId", "versions", "website", "uploads", "uploadId", "response-content-type",
        "response-content-language", "response-expires", "response-cache-control", "response-content-disposition",
        "response-content-encoding", "delete", "lifecycle", "tagging", "restore", "storageClass", "notification",
        "replication", "analytics", "metrics", "inventory", "select", "select-type", "object-lock",
    ]

    static let newline = UInt8(ascii: "\n")

    /// botocore's `remove_dot_segments` (which also drops empty segments), then every byte but `/` and the
    /// unreserved ones percent-encoded: an already encoded `%3A` becomes `%253A`.
    static func appendNormalisedPath(_ path: Substring, to out: inout [UInt8]) {
        // The usual path (one leading slash, no empty, `.` or `..` segment) normalises to itself: encode it as it is.
        if isNormal(path.utf8) {
            for byte in path.utf8 {
                if byte == UInt8(ascii: "/") { out.append(byte) } else { appendEncoded(byte, to: &out) }
            }
            return
        }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
            } else {
                segments.append(segment)
            }
        }
        if path.isEmpty {
            out.append(UInt8(ascii: "/"))
            return
        }
        if path.first == "/" { out.append(UInt8(ascii: "/")) }
        for (index, segment) in segments.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "/")) }
            for byte in segment.utf8 { appendEncoded(byte, to: &out) }
        }
        if path.last == "/", !segments.isEmpty { out.append(UInt8(ascii: "/")) }
    }

    /// Starts with `/`, and no segment after it is empty, `.` or `..` (a trailing `/` is kept either way).
    static func isNormal(_ path: Substring.UTF8View) -> Bool {
        guard path.first == UInt8(ascii: "/") else { return false }
        var segmentLength = 0
        var dots = 0
        for byte in path.dropFirst() {
            if byte == UInt8(ascii: "/") {
                if segmentLength == 0 || dots == segmentLength { return false }
                segmentLength = 0
                dots = 0
            } else {
                segmentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        // The last segment: empty is a trailing slash (kept); only dots (`.`, `..`, `...`) goes the long way.
        return segmentLength == 0 || dots != segmentLength
    }

    /// Each `name=value` decoded and encoded again with only the unreserved characters left bare, sorted by name
    /// then value; a bare flag (`?uploads`) becomes `uploads=`.
    static func appendQuery(_ query: Substring, dropping: String?, to out: inout [UInt8]) {
        guard !query.isEmpty else { return }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for piece in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { piece[..<$0] } ?? piece[...]
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            let name = SigV4Query.percentDecode(rawName)
            if let dropping, name.elementsEqual(dropping.utf8) { continue }
            pairs.append((reencode(name), reencode(SigV4Query.percentDecode(rawValue))))
        }
        pairs.sort { a, b in a.name == b.name ? a.value.lexicographicallyPrecedes(b.value) : a.name.lexicographicallyPrecedes(b.name) }
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.name)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
    }

    static func reencode(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if isUnreserved(byte) { out.append(byte) } else { appendPercent(byte, to: &out) }
        }
        return out
    }

    private static func appendEncoded(_ byte: UInt8, to out: inout [UInt8]) {
        if isUnreserved(byte) { out.append(byte) } else { appendPercent(byte, to: &out) }
    }

    private static func appendPercent(_ byte: UInt8, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        out.append(UInt8(ascii: "%"))
        out.append(digits.utf8Start[Int(byte >> 4)])
        out.append(digits.utf8Start[Int(byte & 0x0f)])
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// Trimmed, and inner runs of whitespace collapsed to one space (SigV4's `Trimall`).
    static func appendTrimmed(_ value: String, to out: inout [UInt8]) {
        var pendingSpace = false
        var wrote = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C {
                pendingSpace = wrote
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append(byte)
            wrote = true
        }
    }
}

/// The query parameters verification looks at, found in one pass over the raw query.
enum SigV4Query {
    struct Parameters {
        var algorithm, credential, date, expires, signedHeaders, signature, securityToken: String?
        var accessKeyIdV2, signatureV2, expiresV2: String?

        var hasV4: Bool { algorithm != nil || credential != nil || signature != nil }
        var hasV2: Bool { accessKeyIdV2 != nil || signatureV2 != nil }
        var isSigned: Bool { hasV4 || (accessKeyIdV2 != nil && signatureV2 != nil) }
    }

    static let v4Names: Set<String> = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
        "X-Amz-Security-Token",
    ]
    static let v2Names: Set<String> = ["AWSAccessKeyId", "Signature", "Expires", "x-amz-security-token"]

    static func signatureParameters(_ query: Substring) -> Parameters {
        var found = Parameters()
        // Most requests carry no query or one without signature parameters: skip the decoding for them.
        guard !query.isEmpty, contains(query.utf8, "X-Amz-") || contains(query.utf8, "AWSAccessKeyId") || contains(query.utf8, "Signature")
        else { return found }
        for (name, value, _) in decodedPairs(query) {
            switch name {
            case "X-Amz-Algorithm": found.algorithm = value
            case "X-Amz-Credential": found.credential = value
            case "X-Amz-Date": found.date = value
            case "X-Amz-Expires": found.expires = value
            case "X-Amz-SignedHeaders": found.signedHeaders = value
            case "X-Amz-Signature": found.signature = value
            case "X-Amz-Security-Token": found.securityToken = value
            case "AWSAccessKeyId": found.accessKeyIdV2 = value
            case "Signature": found.signatureV2 = value
            case "Expires": found.expiresV2 = value
            default: continue
            }
        }
        return found
    }

    /// On bytes: `StringProtocol.contains` goes through Foundation's search.
    static func contains(_ haystack: Substring.UTF8View, _ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first, haystack.count >= pattern.count else { return false }
        var index = haystack.startIndex
        while let start = haystack[index...].firstIndex(of: first) {
            if haystack[start...].starts(with: pattern) { return true }
            index = haystack.index(after: start)
        }
        return false
    }

    static func decodedPairs(_ query: Substring) -> [(name: String, value: String, hadEquals: Bool)] {
        query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { piece in
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { piece[..<$0] } ?? piece[...]
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            return (
                String(decoding: percentDecode(rawName), as: UTF8.self), String(decoding: percentDecode(rawValue), as: UTF8.self),
                equals != nil
            )
        }
    }

    /// `%XX` decoded; anything else (a lone `%`, a `+`) kept as it is, as botocore would have signed it.
    static func percentDecode(_ raw: Substring.UTF8View.SubSequence) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            if byte == UInt8(ascii: "%"), let j = raw.index(i, offsetBy: 2, limitedBy: raw.endIndex), j < raw.endIndex,
                let high = hexValue(raw[raw.index(after: i)]), let low = hexValue(raw[j])
            {
                out.append(high << 4 | low)
                i = raw.index(after: j)
            } else {
                out.append(byte)
                i = raw.index(after: i)
            }
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    var trimmingSpacesString: String { String(Substring(self).trimmingSpaces) }
}
