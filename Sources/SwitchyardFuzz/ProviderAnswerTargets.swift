import NIOCore
import Providers

/// Upstream answers as the providers read them; the first line of the input names the wire.
enum ProviderAnswerTargets {
    static func complete(_ input: [UInt8]) -> Bool {
        let (name, body) = InputSplitting.headerLine(input)
        guard let wire = UpstreamAnswerReader.Wire(rawValue: name) else { return false }
        return (try? UpstreamAnswerReader.complete(wire, body: ByteBuffer(bytes: body))) != nil
    }

    static func stream(_ input: [UInt8]) -> Bool {
        let (name, body) = InputSplitting.headerLine(input)
        guard let wire = UpstreamAnswerReader.Wire(rawValue: name) else { return false }
        return (try? UpstreamAnswerReader.stream(wire, chunks: InputSplitting.ragged(body))) != nil
    }
}
