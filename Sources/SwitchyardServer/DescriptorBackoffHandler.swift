#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore

/// Holds back accepting while the process is close to its descriptor limit, and tries again shortly. Two reasons
/// not to accept until EMFILE: an accept that fails so leaves NIO's listener registered for readability with its
/// read still pending, and the event loop spins at full CPU until a descriptor frees; and libdispatch, which runs
/// the database queues and timers, checks its worker threads by opening `/proc/<tid>/stat` each second and traps the
/// whole process when that open fails. So a few descriptors always stay free for everything that is not a client.
/// Sits on the listening channel, where `read` means "accept the next connection".
final class DescriptorBackoffHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Never

    /// Free descriptors kept for libdispatch, the database, blobs and upstream connections.
    static let headroom = 16

    private let logger: Logger
    private let descriptorLimit: Int?
    private var retry: Scheduled<Void>?
    private var warned = false

    init(logger: Logger, descriptorLimit: Int? = ConnectionLimit.descriptorLimit()) {
        self.logger = logger
        self.descriptorLimit = descriptorLimit
    }

    func read(context: ChannelHandlerContext) {
        guard retry == nil else { return }
        guard !Self.descriptorsExhausted(limit: descriptorLimit) else {
            if !warned {
                warned = true
                logger.warning(
                    "too few file descriptors left for another client connection; accepting again once some free (raise ulimit -n or lower server.max_connections)")
            }
            retry = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(250)) {
                self.retry = nil
                self.read(context: context)
            }
            return
        }
        warned = false
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        retry?.cancel()
        retry = nil
    }

    /// A duplicate gets the lowest free descriptor, so when it lands within `headroom` of the limit every one below
    /// it is taken and at most `headroom` are left; the accept would take the same number. Two system calls.
    static func descriptorsExhausted(limit: Int?) -> Bool {
        let probe = dup(STDERR_FILENO)
        guard probe >= 0 else { return errno == EMFILE || errno == ENFILE }
        closeDescriptor(probe)
        return leavesTooFew(lowestFree: Int(probe), limit: limit)
    }

    static func leavesTooFew(lowestFree: Int, limit: Int?) -> Bool {
        guard let limit else { return false }
        return lowestFree >= limit - headroom
    }
}

/// Outside the handler, whose own `close` would shadow the system call.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
