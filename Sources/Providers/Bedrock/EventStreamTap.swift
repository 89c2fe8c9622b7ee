import AWSWire
import Foundation
import NIOCore

/// Reads a passing AWS event stream on the side, so the gateway knows the usage and any exception without
/// changing a byte of what the caller receives.
struct EventStreamTap {
    private var decoder = EventStreamDecoder()
    private(set) var usage: String?
    private(set) var exception: String?
    private(set) var broken = false
    private var lastChunk: ByteBuffer?

    mutating func observe(_ chunk: ByteBuffer) {
        guard !broken else { return }
        do {
            for message in try decoder.decode(chunk) {
                if let type = message.exceptionType {
                    exception = type
                } else if message.eventType == "metadata" {
                    usage = String(buffer: message.payload)
                } else if message.eventType == "chunk" {
                    lastChunk = message.payload
                }
            }
        } catch {
            broken = true
        }
    }

    /// InvokeModelWithResponseStream puts the invocation metrics inside the last chunk's bytes.
    private func invocationMetrics() -> String? {
        guard let payload = lastChunk,
            let object = try? JSONSerialization.jsonObject(with: Data(payload.readableBytesView)) as? [String: Any],
            let encoded = object["bytes"] as? String, let bytes = Data(base64Encoded: encoded),
            let inner = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
            let metrics = inner["amazon-bedrock-invocationMetrics"]
        else { return nil }
        return String(describing: metrics)
    }

    var summary: String {
        [(usage ?? invocationMetrics()).map { "usage \($0)" }, exception.map { "exception \($0)" }, broken ? "undecodable" : nil]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
