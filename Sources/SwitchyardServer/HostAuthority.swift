/// A `Host` header value (or the authority of an origin): a name or IP literal and an optional port, normalised
/// (lower case, no trailing dot, IPv6 in brackets) so that equal authorities compare equal.
struct HostAuthority: Hashable, CustomStringConvertible, Sendable {
    /// Without brackets for IPv6.
    let name: String
    let port: Int?

    init?(_ text: String) {
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return nil }
            let literal = lowered[lowered.index(after: lowered.startIndex)..<close]
            guard !literal.isEmpty, literal.contains(":"), literal.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return nil
            }
            name = String(literal)
            rest = lowered[lowered.index(after: close)...]
        } else {
            let end = lowered.lastIndex(of: ":") ?? lowered.endIndex
            var host = lowered[..<end]
            if host.hasSuffix(".") { host = host.dropLast() }
            guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-._".contains($0) }), host.allSatisfy(\.isASCII) else {
                return nil
            }
            name = String(host)
            rest = lowered[end...]
        }
        if rest.isEmpty {
            port = nil
        } else {
            guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()), (1...65535).contains(number), rest.dropFirst().allSatisfy(\.isNumber) else {
                return nil
            }
            port = number
        }
    }

    var description: String {
        let host = name.contains(":") ? "[\(name)]" : name
        return port.map { "\(host):\($0)" } ?? host
    }

    /// Names that only ever reach this machine: `localhost` and its subdomains (RFC 6761; browsers never send them
    /// to DNS), 127.0.0.0/8 and ::1. A page cannot rebind them to itself.
    var isLoopback: Bool {
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// An allowed entry without a port admits the name on any port.
    func admits(_ other: HostAuthority) -> Bool {
        name == other.name && (port == nil || port == other.port)
    }
}
