#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore

/// Holds back accepting while the process has no file descriptor to spare, and tries again shortly. An accept that
/// fails with EMFILE leaves NIO's listener registered for readability with its read still pending, so the event
/// loop wakes for the waiting connection over and over and spins at full CPU until a descriptor frees; asking first
/// avoids that. Sits on the listening channel, where `read` means "accept the next connection".
final class DescriptorBackoffHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Never

    private let logger: Logger
    private var retry: Scheduled<Void>?
    private var warned = false

    init(logger: Logger) {
        self.logger = logger
    }

    func read(context: ChannelHandlerContext) {
        guard retry == nil else { return }
        guard !Self.descriptorsExhausted() else {
            if !warned {
                warned = true
                logger.warning(
                    "no file descriptor left for another client connection; accepting again once one frees (raise ulimit -n or lower server.max_connections)")
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

    /// Duplicating a descriptor costs two system calls and fails exactly when an accept would.
    static func descriptorsExhausted() -> Bool {
        let probe = dup(STDERR_FILENO)
        guard probe < 0 else {
            closeDescriptor(probe)
            return false
        }
        return errno == EMFILE || errno == ENFILE
    }
}

/// Outside the handler, whose own `close` would shadow the system call.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
