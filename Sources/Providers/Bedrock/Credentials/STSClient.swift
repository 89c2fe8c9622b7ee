import AWSWire
import Foundation
import NIOHTTP1
import SwitchyardModel

/// STS's Query API (`Version=2011-06-15`): AssumeRole, signed with the source credentials, and
/// AssumeRoleWithWebIdentity, which the token authenticates (sent unsigned, as the SDKs do).
struct STSClient: Sendable {
    let http: CredentialHTTP
    /// `https://sts.<region>.amazonaws.com`, or `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`.
    let endpoint: String
    let region: String
    static let timeoutSeconds = 10.0

    func assumeRole(_ role: AWSCredentialSettings.AssumeRole, as caller: AWSAccess) async throws -> FetchedCredentials {
        var parameters = [
            ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", role.roleArn),
            ("RoleSessionName", role.sessionName ?? Self.defaultSessionName()),
        ]
        if let external = role.externalId { parameters.append(("ExternalId", external)) }
        if let duration = role.durationSeconds { parameters.append(("DurationSeconds", String(duration))) }
        return try await call(parameters, signedBy: caller, action: "AssumeRole")
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String?, token: String, durationSeconds: Int?) async throws -> FetchedCredentials {
        var parameters = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
            ("RoleSessionName", sessionName ?? Self.defaultSessionName()), ("WebIdentityToken", token),
        ]
        if let duration = durationSeconds { parameters.append(("DurationSeconds", String(duration))) }
        return try await call(parameters, signedBy: nil, action: "AssumeRoleWithWebIdentity")
    }

    /// botocore names sessions `botocore-session-<epoch seconds>`.
    static func defaultSessionName() -> String { "switchyard-session-\(Int(Date().timeIntervalSince1970))" }

    private func call(_ parameters: [(String, String)], signedBy caller: AWSAccess?, action: String) async throws -> FetchedCredentials {
        let place: BedrockEndpoint
        do {
            place = try BedrockEndpoint(template: endpoint, region: region)
        } catch {
            throw CredentialFailure("STS endpoint '\(endpoint)' is not a URL")
        }
        let body = parameters.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("host", place.hostHeader)]
        let path = place.basePath.isEmpty ? "/" : place.basePath + "/"
        if let caller {
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyId: caller.accessKeyId, secretAccessKey: caller.secretAccessKey, sessionToken: caller.sessionToken),
                region: region, service: "sts")
            headers += signer.signatureHeaders(method: "POST", path: path, headers: headers, payloadSHA256: SigV4Signer.sha256Hex(Array(body.utf8)))
        }
        let answer: (status: Int, body: String)
        do {
            answer = try await http.send(.POST, place.origin + path, headers: headers, body: body, timeoutSeconds: Self.timeoutSeconds)
        } catch {
            throw CredentialFailure("STS \(action) at \(place.origin) failed: \(error)")
        }
        guard answer.status == 200 else {
            let xml = MiniXML(answer.body)
            let code = xml.first("Code") ?? "HTTP \(answer.status)"
            let message = xml.first("Message").map { ": \($0)" } ?? ""
            throw CredentialFailure("STS \(action) refused (\(code)\(message))")
        }
        let xml = MiniXML(answer.body)
        guard let id = xml.first("AccessKeyId"), let secret = xml.first("SecretAccessKey"), let token = xml.first("SessionToken") else {
            throw CredentialFailure("STS \(action): the answer has no Credentials")
        }
        let expiration = xml.first("Expiration").flatMap(ISO8601.parse)
        guard let expiration else { throw CredentialFailure("STS \(action): the answer has no valid Expiration") }
        return FetchedCredentials(access: AWSAccess(accessKeyId: id, secretAccessKey: secret, sessionToken: token), expiration: expiration)
    }

    /// `application/x-www-form-urlencoded` as SigV4 and STS expect it: everything but unreserved characters escaped.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// Just enough XML for STS answers: the text of elements by local name (namespace prefixes and attributes
/// ignored, the five predefined entities and numeric references decoded). FoundationXML is not used: it needs
/// libxml2 at run time.
struct MiniXML {
    /// Leaf elements in document order: local name and decoded text.
    private(set) var leaves: [(name: String, text: String)] = []

    init(_ text: String) {
        var stack: [(name: String, start: String.Index)] = []
        var i = text.startIndex
        while let open = text[i...].firstIndex(of: "<") {
            guard let close = text[open...].firstIndex(of: ">") else { break }
            let tag = text[text.index(after: open)..<close]
            i = text.index(after: close)
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            if tag.hasPrefix("/") {
                let name = Self.localName(tag.dropFirst())
                if let last = stack.last, last.name == name {
                    stack.removeLast()
                    let inner = text[last.start..<open]
                    if !inner.contains("<") { leaves.append((name, Self.decode(String(inner)))) }
                }
            } else if !tag.hasSuffix("/") {
                stack.append((Self.localName(tag), i))
            }
        }
    }

    func first(_ name: String) -> String? { leaves.first(where: { $0.name == name })?.text }

    static func localName(_ tag: Substring) -> String {
        let name = tag.prefix(while: { !$0.isWhitespace && $0 != "/" })
        return String(name.split(separator: ":").last ?? name)
    }

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let scalar = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let scalar, let u = UnicodeScalar(scalar) { out.unicodeScalars.append(u) } else { out += "&\(entity);" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
