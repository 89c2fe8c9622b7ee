import Crypto
import NIOCore

/// The SHA-256 of a body as it streams, for `X-Amz-Content-SHA256`: the Bedrock door's signature covers it, and the
/// S3 door checks a declared digest against the bytes that arrived.
public struct PayloadSHA256: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
    }

    /// Lower-case hex, as SigV4 writes it.
    public func hex() -> String {
        SigV4Signer.hex(hasher.finalize())
    }

    public static func hex(of buffer: ByteBuffer) -> String {
        var digest = PayloadSHA256()
        digest.update(buffer)
        return digest.hex()
    }
}
