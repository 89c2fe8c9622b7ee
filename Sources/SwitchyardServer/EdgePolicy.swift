import Engine

/// Decides whether a request may come from where it says it comes from. The AWS SDKs never send `Origin` or
/// `Sec-Fetch-Site`; browsers send `Origin` on every cross-origin POST and `Sec-Fetch-Site` on every request, so a
/// request carrying either from a page nobody allowed is a web page driving the gateway, whatever its content type.
/// A `Host` that is not this machine is a DNS-rebinding page, which the browser treats as same-origin and lets read
/// the answers.
struct EdgePolicy: Sendable {
    enum Verdict: Equatable {
        /// `corsOrigin` is a listed cross-origin page, which the answer must name for the browser to show it.
        case pass(corsOrigin: String?)
        case preflight(origin: String)
        case refuse(Refusal)
    }

    enum Refusal: Equatable {
        case foreignHost
        case foreignOrigin
    }

    let allowedOrigins: Set<String>
    let allowedHosts: [HostAuthority]
    /// Bound to loopback only the loopback names can be right; bound to a public address the gateway cannot know
    /// its names unless told.
    let checksHost: Bool

    init(settings: ServerSettings) {
        allowedOrigins = Set(settings.allowedOrigins)
        allowedHosts = settings.allowedHosts.compactMap(HostAuthority.init)
        checksHost = HostAuthority(settings.host)?.isLoopback == true || !allowedHosts.isEmpty
    }

    /// `/health` answers any `Host`: load balancers and container probes call it by IP or by an internal name, and it
    /// performs nothing and holds no secret. It still refuses web pages.
    static func hostExempt(path: String) -> Bool { path == "/health" }

    func verdict(method: String, path: String, authority: String?, origin: String?, fetchSite: String?, preflightMethod: String?) -> Verdict {
        let host = authority.flatMap(HostAuthority.init)
        let hostTrusted = checksHost && host.map { host in host.isLoopback || allowedHosts.contains { $0.admits(host) } } == true
        // A request without Host (HTTP/1.0) comes from no browser and names no rebound domain.
        if checksHost, authority != nil, !hostTrusted, !Self.hostExempt(path: path) { return .refuse(.foreignHost) }
        guard let origin = origin?.lowercased() else {
            if let site = fetchSite?.lowercased(), site == "cross-site" || site == "same-site" { return .refuse(.foreignOrigin) }
            return .pass(corsOrigin: nil)
        }
        let corsOrigin: String?
        if allowedOrigins.contains(origin) {
            corsOrigin = origin
        } else if hostTrusted, let host, sameOrigin(origin, host: host) {
            corsOrigin = nil
        } else {
            return .refuse(.foreignOrigin)
        }
        if method == "OPTIONS", preflightMethod != nil { return .preflight(origin: origin) }
        return .pass(corsOrigin: corsOrigin)
    }

    /// Only meaningful once the Host is trusted: a rebinding page is same-origin with its own, foreign, Host.
    private func sameOrigin(_ origin: String, host: HostAuthority) -> Bool {
        for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
            if HostAuthority(String(origin.dropFirst(scheme.count))) == host { return true }
        }
        return false
    }
}
