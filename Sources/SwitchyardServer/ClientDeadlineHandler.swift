import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// How long a client may take to send: these bound the client's sending only, never the gateway's answer, so a
/// ConverseStream that runs for minutes is not cut.
struct ClientDeadlines: Sendable {
    /// From accepting the connection, or from the first byte of a later request, to the end of the request head.
    var header: TimeAmount
    /// A kept-alive connection's wait for its next request.
    var idle: TimeAmount
    /// Each window of this much waiting for body bytes must bring `minBodyBytes` of them.
    var bodyWindow: TimeAmount
    var minBodyBytes: Int

    init(header: Double, idle: Double, bodyWindow: Double, bodyMinBytesPerSecond: Int) {
        self.header = .nanoseconds(Int64(header * 1e9))
        self.idle = .nanoseconds(Int64(idle * 1e9))
        self.bodyWindow = .nanoseconds(Int64(bodyWindow * 1e9))
        // A window must bring at least a byte, so a body that stops altogether is cut even with no rate asked for.
        self.minBodyBytes = max(1, Int(Double(bodyMinBytesPerSecond) * bodyWindow))
    }
}

/// Enforces `ClientDeadlines` on one HTTP/1 connection; sits after Hummingbird's HTTP codec
/// (`additionalChannelHandlers`) and places a `ClientBytesSignal` in front of the decoder, because a head that
/// trickles in produces no request part until it is complete.
///
/// Body time counts only while the gateway is asking for bytes (an outbound `read` not yet answered): when a route
/// consumes the body slower than the client sends it, back-pressure stops reads and the client is not to blame.
final class ClientDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Deadline {
        case header, idle, body
    }

    private let deadlines: ClientDeadlines
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var armed = false
    /// No request head yet: the header deadline runs from the accept.
    private var fresh = true
    /// Requests whose head arrived and whose response has not ended.
    private var inFlight = 0
    private var readingBody = false
    private var nextRequestStarted = false
    private var windowBytes = 0
    private var windowWaited = TimeAmount.zero
    private var waitingSince: NIODeadline?

    init(deadlines: ClientDeadlines, logger: Logger) {
        self.deadlines = deadlines
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        do {
            try context.pipeline.syncOperations.addHandler(ClientBytesSignal(), position: .first)
        } catch {
            logger.error("cannot watch a client connection's bytes; closing it", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ClientBytesArrived else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if awaitingRequest, !fresh, !nextRequestStarted {
            nextRequestStarted = true
            schedule(.header, in: deadlines.header, context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            fresh = false
            nextRequestStarted = false
            inFlight += 1
            readingBody = true
            windowBytes = 0
            windowWaited = .zero
            // The head arrived in answer to a read still being served; waiting restarts with the next read.
            waitingSince = nil
            schedule(.body, in: deadlines.bodyWindow, context)
        case .body(let bytes):
            windowBytes += bytes.readableBytes
        case .end:
            readingBody = false
            waitingSince = nil
            cancelTimer()
            if inFlight == 0 { awaitNextRequest(context) }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let since = waitingSince {
            windowWaited = windowWaited + (.now() - since)
            waitingSince = nil
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if readingBody, waitingSince == nil { waitingSince = .now() }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), inFlight > 0 {
            inFlight -= 1
            if inFlight == 0, !readingBody { awaitNextRequest(context) }
        }
        context.write(data, promise: promise)
    }

    private var awaitingRequest: Bool { inFlight == 0 && !readingBody }

    private func arm(_ context: ChannelHandlerContext) {
        guard !armed else { return }
        armed = true
        schedule(.header, in: deadlines.header, context)
    }

    private func awaitNextRequest(_ context: ChannelHandlerContext) {
        nextRequestStarted = false
        schedule(.idle, in: deadlines.idle, context)
    }

    private func schedule(_ deadline: Deadline, in delay: TimeAmount, _ context: ChannelHandlerContext) {
        cancelTimer()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.timer = nil
            self.expired(deadline, context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func expired(_ deadline: Deadline, _ context: ChannelHandlerContext) {
        switch deadline {
        case .idle:
            logger.debug("closing an idle client connection")
            context.close(promise: nil)
        case .header:
            logger.debug("closing a client connection whose request head did not arrive in time")
            // No request is in flight, so this answer cannot interleave with another.
            let head = HTTPResponse(status: .requestTimeout, headerFields: [.connection: "close", .contentLength: "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .body:
            checkBody(context)
        }
    }

    private func checkBody(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        let waited = windowWaited + (waitingSince.map { now - $0 } ?? .zero)
        guard waited >= deadlines.bodyWindow else {
            schedule(.body, in: deadlines.bodyWindow - waited, context)
            return
        }
        guard windowBytes >= deadlines.minBodyBytes else {
            // The route may be mid-answer, so no 408 can be slipped in; closing ends the body read with an error.
            logger.debug("closing a client connection whose request body stalled")
            context.close(promise: nil)
            return
        }
        windowBytes = 0
        windowWaited = .zero
        if waitingSince != nil { waitingSince = now }
        schedule(.body, in: deadlines.bodyWindow, context)
    }
}

/// Sent ahead of every read from the socket, before the HTTP decoder sees the bytes.
struct ClientBytesArrived: Sendable {}

final class ClientBytesSignal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(ClientBytesArrived())
        context.fireChannelRead(data)
    }
}
