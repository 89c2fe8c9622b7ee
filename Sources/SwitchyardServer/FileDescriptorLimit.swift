#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every in-flight stream holds two sockets (the caller's and the upstream's), so a soft limit of 1,024 open
/// files (a common default) caps the gateway at a few hundred streams, far under a provider's `max_connections`.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one; what cannot be raised stays as it was.
    static func raiseToHardLimit() {
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
}
