import Foundation
import Synchronization
import SwitchyardModel

/// A Bedrock endpoint: the configured base URL with `{region}` filled in.
struct BedrockEndpoint: Sendable {
    /// `scheme://host[:port]`
    let origin: String
    /// The Host header exactly as it is sent and signed.
    let hostHeader: String
    /// A path prefix of the endpoint URL, if it has one (no trailing slash).
    let basePath: String

    /// Parsed once per template and region: every call to Bedrock names its endpoint, and Foundation's URL parser
    /// cost 2 % of a passthrough call.
    init(template: String, region: String) throws {
        let cacheKey = region + " " + template
        if let known = Self.parsed.withLock({ $0[cacheKey] }) {
            self = known
            return
        }
        try self.init(parsing: template, region: region)
        let endpoint = self
        Self.parsed.withLock { parsed in
            if parsed.count >= 64 { parsed.removeAll(keepingCapacity: true) }
            parsed[cacheKey] = endpoint
        }
    }

    private static let parsed = Mutex<[String: BedrockEndpoint]>([:])

    private init(parsing template: String, region: String) throws {
        let text = template.replacingOccurrences(of: "{region}", with: region)
        guard let url = URLComponents(string: text), let scheme = url.scheme, let host = url.host else {
            throw GatewayError(.internalError, "the Bedrock endpoint '\(text)' is not a URL")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port.flatMap { $0 == defaultPort ? nil : $0 }
        hostHeader = port.map { "\(host):\($0)" } ?? host
        origin = "\(scheme)://\(hostHeader)"
        var path = url.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }
}
