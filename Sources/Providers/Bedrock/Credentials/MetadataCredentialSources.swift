import Foundation
import NIOHTTP1
import SwitchyardModel

/// ECS and EKS Pod Identity: `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the `Authorization` token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// (read at each fetch: it rotates) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
struct ContainerCredentialSource: AWSCredentialSource {
    let url: String
    let tokenFile: String?
    let token: String?
    let http: CredentialHTTP
    static let ecsHost = "http://169.254.170.2"
    /// botocore's rule: a full URI over plain http must point at the container agent or the loopback.
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]", "localhost", "127.0.0.1"]
    static let timeoutSeconds = 2.0
    static let attempts = 3

    var description: String { "container (\(url))" }

    init?(environment: CredentialEnvironment, http: CredentialHTTP) throws {
        if let relative = environment.value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = Self.ecsHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment.value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            guard let parts = URLComponents(string: full), let scheme = parts.scheme, let host = parts.host else {
                throw CredentialFailure("container: AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' is not a URL")
            }
            guard scheme == "https" || (scheme == "http" && (Self.allowedHTTPHosts.contains(host) || host.hasPrefix("127."))) else {
                throw CredentialFailure(
                    "container: AWS_CONTAINER_CREDENTIALS_FULL_URI over http must name the loopback or the container agent (169.254.170.2, 169.254.170.23), not '\(host)'")
            }
            url = full
        } else {
            return nil
        }
        tokenFile = environment.value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        token = environment.value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        self.http = http
    }

    func fetch() async throws -> FetchedCredentials {
        var headers = [("accept", "application/json")]
        if let tokenFile {
            guard let value = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
                throw CredentialFailure("\(description): cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '\(tokenFile)'")
            }
            headers.append(("authorization", value))
        } else if let token {
            headers.append(("authorization", token))
        }
        var last = "no attempt"
        for attempt in 1...Self.attempts {
            do {
                let answer = try await http.send(.GET, url, headers: headers, timeoutSeconds: Self.timeoutSeconds)
                if answer.status == 200 { return try CredentialJSON.parse(answer.body, source: description, tokenKey: "Token") }
                last = "HTTP \(answer.status)"
                // A refusal will not change on a retry.
                if (400..<500).contains(answer.status) { break }
            } catch let failure as CredentialFailure {
                throw failure
            } catch {
                last = "\(error)"
            }
            if attempt < Self.attempts { try await Task.sleep(for: .milliseconds(100 * attempt)) }
        }
        throw CredentialFailure("\(description): \(last)")
    }
}

/// EC2 instance roles through IMDSv2: `PUT /latest/api/token`, then the role name and its credentials with the
/// token; IMDSv1 (no token) only when the token call is not offered (403, 404, 405), as botocore does.
struct InstanceMetadataCredentialSource: AWSCredentialSource {
    /// `http://169.254.169.254`, or `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    let endpoint: String
    let http: CredentialHTTP
    /// botocore's defaults: one second, one attempt (`AWS_METADATA_SERVICE_TIMEOUT`, `_NUM_ATTEMPTS`).
    let timeoutSeconds: Double
    let attempts: Int
    static let tokenTTLSeconds = 21600
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    init(environment: CredentialEnvironment, http: CredentialHTTP) {
        var endpoint = environment.value("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.http = http
        timeoutSeconds = environment.value("AWS_METADATA_SERVICE_TIMEOUT").flatMap(Double.init) ?? 1
        attempts = max(1, environment.value("AWS_METADATA_SERVICE_NUM_ATTEMPTS").flatMap(Int.init) ?? 1)
    }

    var description: String { "instance-metadata (\(endpoint))" }

    func fetch() async throws -> FetchedCredentials {
        var last: Error = CredentialFailure("\(description): no attempt")
        for _ in 0..<attempts {
            do {
                return try await fetchOnce()
            } catch {
                last = error
            }
        }
        throw last
    }

    private func fetchOnce() async throws -> FetchedCredentials {
        var headers: [(String, String)] = []
        let token = try await request(.PUT, "/latest/api/token", headers: [("x-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenTTLSeconds))])
        switch token.status {
        case 200: headers.append(("x-aws-ec2-metadata-token", token.body))
        case 403, 404, 405: break
        default: throw CredentialFailure("\(description): the token request answered HTTP \(token.status)")
        }
        let roles = try await request(.GET, Self.credentialsPath, headers: headers)
        guard roles.status == 200 else {
            throw CredentialFailure("\(description): no instance role (HTTP \(roles.status) for \(Self.credentialsPath))")
        }
        guard let role = roles.body.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw CredentialFailure("\(description): the instance has no role attached")
        }
        let answer = try await request(.GET, Self.credentialsPath + role, headers: headers)
        guard answer.status == 200 else { throw CredentialFailure("\(description): role '\(role)' answered HTTP \(answer.status)") }
        return try CredentialJSON.parse(answer.body, source: "\(description) role \(role)", tokenKey: "Token")
    }

    private func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)]) async throws -> (status: Int, body: String) {
        do {
            return try await http.send(method, endpoint + path, headers: headers, timeoutSeconds: timeoutSeconds)
        } catch {
            throw CredentialFailure("\(description): \(method.rawValue) \(path) failed: \(error)")
        }
    }
}
