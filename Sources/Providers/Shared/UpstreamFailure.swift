import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import SwitchyardModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Network failures in words a caller understands. The errors of NIO and AsyncHTTPClient describe themselves with
/// function names and errno values (`read(descriptor:pointer:size:) … (errno: 104)`), which say nothing to a
/// caller and leak how the gateway is built; these say what the upstream did instead.
enum UpstreamFailure {
    /// The failure to get an answer's head.
    static func unreachable(_ error: any Error, target: UpstreamTarget) -> GatewayError {
        let what = what(error)
        if what.connectionDropped {
            return GatewayError(.unavailable, "provider '\(target.provider)' closed the connection before answering")
        }
        return GatewayError(.unavailable, "could not reach provider '\(target.provider)': \(what.phrase)")
    }

    /// The failure to read an answer's body after its head arrived. An answer over the size limit is not
    /// retryable: asking again downloads the same oversized answer.
    static func brokenAnswer(_ error: any Error, target: UpstreamTarget, limit: Int) -> GatewayError {
        if error is NIOTooManyBytesError {
            return tooLarge(target: target, limit: limit)
        }
        return GatewayError(.unavailable, "provider '\(target.provider)' broke off its answer: \(what(error).phrase)")
    }

    static func tooLarge(target: UpstreamTarget, limit: Int) -> GatewayError {
        GatewayError(.badUpstreamAnswer, "provider '\(target.provider)' sent an answer larger than \(formatBytes(limit))")
    }

    /// A phrase about the upstream ("it refused the connection"), and whether the connection was there and went away.
    static func what(_ error: any Error) -> (phrase: String, connectionDropped: Bool) {
        if let error = error as? HTTPClientError {
            switch error {
            case .remoteConnectionClosed: return ("it closed the connection", true)
            case .connectTimeout: return ("it did not accept a connection in time", false)
            case .tlsHandshakeTimeout: return ("the TLS handshake timed out", false)
            case .bodyLengthMismatch: return ("its answer was shorter or longer than it announced", true)
            case .invalidURL, .emptyHost, .emptyScheme: return ("its base URL is not a valid URL", false)
            case .readTimeout: return ("it stopped sending", false)
            case .socksHandshakeTimeout, .httpProxyHandshakeTimeout, .invalidProxyResponse, .proxyAuthenticationRequired:
                return ("the proxy in between failed", false)
            default: return ("the HTTP exchange failed", false)
            }
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return what(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return ("its host name could not be resolved", false) }
            return ("no connection could be made", false)
        }
        if let error = error as? IOError { return phrase(errno: error.errnoCode) }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return ("it did not accept a connection in time", false)
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return ("it closed the connection", true)
            default: return ("the connection failed", false)
            }
        }
        if String(reflecting: type(of: error)).contains("NIOSSL") { return ("the TLS connection failed", false) }
        return ("the connection failed", false)
    }

    private static func phrase(errno code: CInt) -> (phrase: String, connectionDropped: Bool) {
        switch code {
        case ECONNREFUSED: ("it refused the connection", false)
        case ECONNRESET, EPIPE, ECONNABORTED: ("it closed the connection", true)
        case ETIMEDOUT: ("the connection timed out", false)
        case ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, ENETDOWN: ("its host is not reachable on the network", false)
        default: ("the connection failed", false)
        }
    }

    static func formatBytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
