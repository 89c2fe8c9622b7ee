#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How many client connections the gateway serves at once. Past the descriptor limit accepts fail with EMFILE and
/// every client is locked out, and each client may need an upstream connection and a file of its own too; so the
/// cap leaves room for those below the limit. Connections over the cap wait in the listen backlog until one closes.
enum ConnectionLimit {
    /// Descriptors kept back for the database, the log, blobs being written and the listeners.
    static let reservedDescriptors = 64

    static func descriptorLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let status = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let status = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        // An unlimited limit clamps to Int.max, which caps nothing.
        guard status == 0 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// Half of what is left after the reserve: one descriptor for the client, one for its upstream.
    static func derived(descriptorLimit: Int?) -> Int {
        guard let descriptorLimit else { return 65_536 }
        return max(8, (descriptorLimit - reservedDescriptors) / 2)
    }

    /// The configured cap when there is one; `warning` says when it exceeds what the descriptor limit can hold.
    static func resolve(configured: Int?) -> (limit: Int, warning: String?) {
        let descriptors = descriptorLimit()
        let derived = derived(descriptorLimit: descriptors)
        guard let configured else { return (derived, nil) }
        if let descriptors, configured > derived {
            return (
                configured,
                "server.max_connections \(configured) leaves too few of the \(descriptors) file descriptors (ulimit -n) "
                    + "for upstream connections and files; \(derived) would fit"
            )
        }
        return (configured, nil)
    }
}
