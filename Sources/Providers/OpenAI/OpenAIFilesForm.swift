import Foundation
import NIOCore

/// A `multipart/form-data` body written around a file that streams: the text fields and the file part's head go
/// before the bytes and the closing boundary after them, so an upload is never held whole, and its length is known
/// whenever the file's is (OpenAI's `/files` wants a plain request with a Content-Length).
public struct OpenAIFilesForm: Sendable {
    public let boundary: String
    /// Everything before the file's bytes.
    public let head: ByteBuffer
    /// Everything after them.
    public let tail: ByteBuffer

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public init(
        fields: [(String, String)], fileField: String, filename: String, fileContentType: String,
        boundary: String = "switchyard-\(UUID().uuidString)"
    ) {
        self.boundary = boundary
        var head = ByteBuffer()
        for (name, value) in fields {
            head.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n\(value)\r\n")
        }
        head.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(fileField))\"; filename=\"\(Self.quoted(filename))\"\r\n"
                + "Content-Type: \(fileContentType)\r\n\r\n")
        self.head = head
        self.tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
    }

    /// The whole body's length for a file of `fileBytes`.
    public func length(fileBytes: Int64) -> Int64 {
        Int64(head.readableBytes + tail.readableBytes) + fileBytes
    }

    public func body<File: AsyncSequence & Sendable>(_ file: File) -> Body<File> where File.Element == ByteBuffer {
        Body(head: head, file: file, tail: tail)
    }

    /// A quoted-string parameter as browsers write it (WHATWG): `"`, CR and LF percent-encoded, so a key's last
    /// component can never end the parameter or the header early. Other bytes, UTF-8 included, stay as they are.
    static func quoted(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "%22"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The head, the file's chunks as they arrive, then the tail. An error from the file ends the body before the
    /// closing boundary, so the upstream never takes a truncated file for a whole one.
    public struct Body<File: AsyncSequence & Sendable>: AsyncSequence, Sendable where File.Element == ByteBuffer {
        public typealias Element = ByteBuffer
        let head: ByteBuffer
        let file: File
        let tail: ByteBuffer

        public func makeAsyncIterator() -> Iterator {
            Iterator(head: head, file: file.makeAsyncIterator(), tail: tail)
        }

        public struct Iterator: AsyncIteratorProtocol {
            var head: ByteBuffer?
            var file: File.AsyncIterator
            var tail: ByteBuffer?
            var fileDone = false

            public mutating func next() async throws -> ByteBuffer? {
                if let first = head {
                    head = nil
                    return first
                }
                while !fileDone {
                    guard let chunk = try await file.next(isolation: #isolation) else {
                        fileDone = true
                        break
                    }
                    if chunk.readableBytes > 0 { return chunk }
                }
                defer { tail = nil }
                return tail
            }
        }
    }
}
