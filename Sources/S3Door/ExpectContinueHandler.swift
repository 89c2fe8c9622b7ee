import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` as soon as the request head arrives. Hummingbird 2 never
/// sends it, and boto3 (every PutObject and UploadPart) then waits a second before sending the body over http, or
/// hangs until its read timeout over TLS. Sits after Hummingbird's HTTP/1 codec (`additionalChannelHandlers`).
///
/// The interim answer goes out only when no earlier response on the connection is still being written, so a
/// pipelined request never gets its 100 in the middle of another response; otherwise it is sent once that response
/// ends. Should the handler answer without reading the body, Hummingbird drains the body the client then sends.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Requests whose final response has not ended yet, oldest first: whether each still awaits its 100.
    private var pending: [Bool] = []

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(var head) = unwrapInboundIn(data) {
            let expects = head.headerFields[.expect]?.lowercased() == "100-continue"
            if expects {
                // The application must not think it still owes the interim answer.
                head.headerFields[.expect] = nil
            }
            pending.append(expects)
            if pending.count == 1, expects { sendContinue(context: context) }
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        if case .head(let head) = part, head.status.kind == .informational {
            context.write(data, promise: promise)
            return
        }
        if case .head = part, !pending.isEmpty {
            // The final answer came first: the 100 is no longer owed.
            pending[0] = false
        }
        context.write(data, promise: promise)
        if case .end = part, !pending.isEmpty {
            pending.removeFirst()
            if pending.first == true { sendContinue(context: context) }
        }
    }

    private func sendContinue(context: ChannelHandlerContext) {
        pending[0] = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }
}
