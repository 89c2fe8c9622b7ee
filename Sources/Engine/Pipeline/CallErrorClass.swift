import SwitchyardModel

/// Whose fault a failed call was, from a closed set (gateway-features.md §2.3) so that the request log and the
/// metrics group failures the same way and no error message ever becomes a label.
public enum CallErrorClass: String, Sendable, Hashable, CaseIterable {
    /// Bad input, an unknown model.
    case caller
    /// A plugin of the chain (governance, budgets, limits) refused the call.
    case policy
    /// The upstream failed, throttled, timed out or answered with something unusable.
    case provider
    /// The gateway's own failure.
    case gateway

    /// The class of `error`; an upstream's own 4xx about the request (not about the key or its limits) is the
    /// caller's, since the same request fails on every provider.
    public init(_ error: GatewayError) {
        if error.refusedByPlugin {
            self = .policy
            return
        }
        if let status = error.upstreamStatus {
            switch status {
            case 401, 403, 408, 429: self = .provider
            case 400..<500: self = .caller
            default: self = .provider
            }
            return
        }
        switch error.kind {
        case .validation, .payloadTooLarge, .notFound: self = .caller
        case .accessDenied, .quotaExceeded: self = .policy
        case .throttled, .timeout, .unavailable, .badUpstreamAnswer, .streamFailed: self = .provider
        case .internalError: self = .gateway
        }
    }
}

extension CallRecord {
    /// Nil for a call that succeeded or whose client went away (its outcome says so; nothing failed); a call that
    /// ended without a canonical error still has a class.
    public var errorClass: CallErrorClass? {
        switch end?.outcome {
        case .success?, .clientGone?: return nil
        case .failure?, nil:
            if let error { return CallErrorClass(error) }
            return (end?.status ?? 500) < 500 ? .caller : .gateway
        }
    }
}
