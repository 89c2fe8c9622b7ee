import Crypto
import Foundation
import SwitchyardModel

/// A deterministic byte encoding of the canonical request, for hashing: every value is tagged and every variable
/// length is prefixed, so no two different requests write the same bytes; object members go in byte order of their
/// names; text is written as given (no case folding, no trimming); attachments are written as the SHA-256 of their
/// bytes. Not a storage format: nothing ever reads it back.
struct CanonicalBytes {
    private(set) var hasher = SHA256()

    mutating func tag(_ value: UInt8) {
        hasher.update(data: [value])
    }

    mutating func int(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { hasher.update(bufferPointer: $0) }
    }

    mutating func double(_ value: Double) {
        // -0 and 0 are the same number to every provider.
        let canonical = value == 0 ? 0 : value
        withUnsafeBytes(of: canonical.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) }
    }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        int(utf8.count)
        hasher.update(data: utf8)
    }

    mutating func data(_ value: Data) {
        tag(0xD1)
        hasher.update(data: Data(SHA256.hash(data: value)))
    }

    mutating func optional<T>(_ value: T?, _ write: (inout CanonicalBytes, T) -> Void) {
        if let value {
            tag(1)
            write(&self, value)
        } else {
            tag(0)
        }
    }

    mutating func json(_ value: JSONValue) {
        switch value {
        case .null: tag(0x10)
        case .bool(let b): tag(b ? 0x11 : 0x12)
        case .number(let n):
            tag(0x13)
            double(n)
        case .string(let s):
            tag(0x14)
            string(s)
        case .array(let items):
            tag(0x15)
            int(items.count)
            for item in items { json(item) }
        case .object(let members):
            tag(0x16)
            int(members.count)
            for name in members.keys.sorted(by: Self.byteOrder) {
                string(name)
                json(members[name]!)
            }
        }
    }

    /// Byte order of the UTF-8 forms: independent of locale and of Unicode normalisation.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    mutating func finish() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

extension CanonicalBytes {
    mutating func request(_ request: ChatRequest) {
        tag(0xA0)
        int(request.system.count)
        for part in request.system { content(part) }
        tag(0xA1)
        int(request.messages.count)
        for message in request.messages {
            string(message.role.rawValue)
            int(message.content.count)
            for part in message.content { content(part) }
        }
        tag(0xA2)
        int(request.tools.count)
        for tool in request.tools {
            string(tool.name)
            optional(tool.description) { $0.string($1) }
            json(tool.inputSchema)
            optional(tool.cachePoint) { $0.optional($1.ttl) { $0.string($1) } }
        }
        tag(0xA3)
        optional(request.toolChoice) { w, choice in
            switch choice {
            case .auto: w.tag(1)
            case .any: w.tag(2)
            case .tool(let name):
                w.tag(3)
                w.string(name)
            }
        }
        parameters(request)
    }

    /// What shapes the answer besides the conversation: the inference settings and the provider fields.
    mutating func parameters(_ request: ChatRequest) {
        tag(0xA4)
        optional(request.inference.maxTokens) { $0.int($1) }
        optional(request.inference.temperature) { $0.double($1) }
        optional(request.inference.topP) { $0.double($1) }
        int(request.inference.stopSequences.count)
        for stop in request.inference.stopSequences { string(stop) }
        tag(0xA5)
        json(.object(request.additionalFields))
    }

    mutating func content(_ part: ContentPart) {
        switch part {
        case .text(let text):
            tag(0xB0)
            string(text)
        case .image(let image):
            tag(0xB1)
            string(image.format.rawValue)
            data(image.data)
        case .document(let document):
            tag(0xB2)
            self.document(document)
        case .toolUse(let use):
            tag(0xB3)
            string(use.id)
            string(use.name)
            json(use.input)
        case .toolResult(let result):
            tag(0xB4)
            string(result.toolUseId)
            tag(result.isError ? 1 : 0)
            int(result.content.count)
            for item in result.content {
                switch item {
                case .text(let text):
                    tag(1)
                    string(text)
                case .json(let value):
                    tag(2)
                    json(value)
                case .image(let image):
                    tag(3)
                    string(image.format.rawValue)
                    data(image.data)
                case .document(let document):
                    tag(4)
                    self.document(document)
                }
            }
        case .reasoning(.text(let text, let signature)):
            tag(0xB5)
            string(text)
            optional(signature) { $0.string($1) }
        case .reasoning(.redacted(let bytes)):
            tag(0xB6)
            data(bytes)
        case .cachePoint(let point):
            tag(0xB7)
            optional(point.ttl) { $0.string($1) }
        }
    }

    mutating func document(_ document: DocumentPart) {
        string(document.format.rawValue)
        string(document.name)
        switch document.source {
        case .bytes(let bytes): data(bytes)
        case .text(let text): data(Data(text.utf8))
        }
    }
}
