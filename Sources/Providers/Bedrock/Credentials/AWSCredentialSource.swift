import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// One set of credentials a source produced, and when it stops being valid (nil: long-term keys).
public struct FetchedCredentials: Sendable, Hashable {
    public var access: AWSAccess
    public var expiration: Date?

    public init(access: AWSAccess, expiration: Date? = nil) {
        self.access = access
        self.expiration = expiration
    }
}

/// One place AWS credentials can come from (the environment, a profile, STS, the ECS or EC2 metadata endpoints).
/// `fetch` may use the network; only the refreshing supplier calls it, never a request.
public protocol AWSCredentialSource: Sendable {
    /// What it is, for `check-config`, `/health` and error messages: never a secret.
    var description: String { get }
    func fetch() async throws -> FetchedCredentials
}

/// The process environment and the files the AWS SDKs read, as one value, so tests can point them anywhere.
public struct CredentialEnvironment: Sendable {
    public var variables: [String: String]

    public init(variables: [String: String]) {
        self.variables = variables
    }

    public func value(_ name: String) -> String? {
        variables[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    var home: String { value("HOME") ?? NSHomeDirectory() }

    func expandingHome(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    var credentialsFile: String { expandingHome(value("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials") }
    var configFile: String { expandingHome(value("AWS_CONFIG_FILE") ?? "~/.aws/config") }
    /// The profile the SDKs use when none is named.
    var profileName: String { value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE") ?? "default" }
    var region: String? { value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") }

    /// STS's regional endpoint, or the SDKs' endpoint overrides.
    func stsEndpoint(region: String) -> String {
        value("AWS_ENDPOINT_URL_STS") ?? value("AWS_ENDPOINT_URL") ?? "https://sts.\(region).amazonaws.com"
    }

    var metadataDisabled: Bool { value("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" }
}

/// The few HTTP calls credential sources make (STS, ECS, IMDS), with a deadline each.
struct CredentialHTTP: Sendable {
    let client: HTTPClient
    /// Credential endpoints answer in a few hundred bytes; anything near this is not one.
    static let maxAnswerBytes = 1 << 20

    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil, timeoutSeconds: Double
    ) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        let bytes = try await response.body.collect(upTo: Self.maxAnswerBytes)
        return (Int(response.status.code), String(buffer: bytes))
    }
}

/// The JSON credentials shape the ECS endpoint, IMDS and `credential_process` share (with their own key spellings).
enum CredentialJSON {
    /// The members read, each on its own: a member of another type counts as absent.
    struct Members: Decodable {
        var text: [String: String] = [:]
        var version: Int?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let members = try decoder.container(keyedBy: Key.self)
            for key in members.allKeys {
                if let value = try? members.decode(String.self, forKey: key) { text[key.stringValue] = value }
            }
            version = try? members.decodeIfPresent(Int.self, forKey: Key(stringValue: "Version"))
        }

        static func read(_ text: String) -> Members? {
            try? JSONDecoder().decode(Members.self, from: Data(text.utf8))
        }
    }

    static func parse(_ text: String, source: String, tokenKey: String) throws -> FetchedCredentials {
        guard let object = Members.read(text)?.text else {
            throw CredentialFailure("\(source): the answer is not a JSON object")
        }
        guard let id = object["AccessKeyId"], !id.isEmpty, let secret = object["SecretAccessKey"], !secret.isEmpty else {
            throw CredentialFailure("\(source): the answer has no AccessKeyId and SecretAccessKey")
        }
        var expiration: Date?
        if let text = object["Expiration"] {
            guard let date = ISO8601.parse(text) else { throw CredentialFailure("\(source): Expiration '\(text)' is not an ISO 8601 time") }
            expiration = date
        }
        let token = object[tokenKey].flatMap { $0.isEmpty ? nil : $0 }
        return FetchedCredentials(access: AWSAccess(accessKeyId: id, secretAccessKey: secret, sessionToken: token), expiration: expiration)
    }
}

/// AWS writes times as `2026-01-02T03:04:05Z`, with or without fractional seconds, sometimes with an offset.
enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(trimmed) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(trimmed) { return date }
        return nil
    }
}

/// A source could not produce credentials. Its message names the source and never holds a secret.
struct CredentialFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
