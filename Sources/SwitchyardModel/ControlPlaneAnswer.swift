import NIOCore

/// What the control plane answered, successful or not, to be given back to the caller as it is.
public struct ControlPlaneAnswer: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: ByteBuffer

    public init(status: Int, headers: [(String, String)], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
