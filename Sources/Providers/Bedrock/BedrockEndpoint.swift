import Foundation
import SwitchyardModel

/// A Bedrock endpoint: the configured base URL with `{region}` filled in.
struct BedrockEndpoint {
    /// `scheme://host[:port]`
    let origin: String
    /// The Host header exactly as it is sent and signed.
    let hostHeader: String
    /// A path prefix of the endpoint URL, if it has one (no trailing slash).
    let basePath: String

    init(template: String, region: String) throws {
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
