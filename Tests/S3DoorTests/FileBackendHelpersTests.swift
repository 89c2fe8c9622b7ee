import Engine
import Hummingbird
import NIOCore
import SwitchyardModel
import Testing

@testable import S3Door

/// Ranges cut from whole downloads, and provider failures in S3's words.
@Suite struct FileBackendHelpersTests {
    func chunks(_ parts: [String]) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for part in parts { continuation.yield(ByteBuffer(string: part)) }
            continuation.finish()
        }
    }

    func read(_ parts: [String], range: ClosedRange<Int64>?, size: Int64?) async throws -> String {
        var out = ""
        for try await chunk in FileBackendRangeReader(chunks(parts), range: range, expectedSize: size).stream { out += String(buffer: chunk) }
        return out
    }

    @Test func rangesAreCutAcrossChunks() async throws {
        let parts = ["abc", "", "defg", "hij"]
        #expect(try await read(parts, range: nil, size: 10) == "abcdefghij")
        #expect(try await read(parts, range: 2...7, size: 10) == "cdefgh")
        #expect(try await read(parts, range: 0...0, size: 10) == "a")
        #expect(try await read(parts, range: 3...6, size: 10) == "defg")
        #expect(try await read(parts, range: 9...9, size: 10) == "j")
    }

    @Test func aShortDownloadIsAnError() async throws {
        await #expect(throws: S3Error.self) { _ = try await read(["abc"], range: nil, size: 10) }
        await #expect(throws: S3Error.self) { _ = try await read(["abc"], range: 1...5, size: 10) }
    }

    /// Entity tags forwarded to S3 go quoted, however the client wrote them.
    @Test func entityTagsAreQuotedForS3() {
        typealias Routes = S3Routes<BasicRequestContext>
        #expect(Routes.quotedTags("5d41402abc4b2a76b9719d911017c592") == "\"5d41402abc4b2a76b9719d911017c592\"")
        #expect(Routes.quotedTags("\"abc\"") == "\"abc\"")
        #expect(Routes.quotedTags("a, \"b\", W/\"c\"") == "\"a\", \"b\", \"c\"")
        #expect(Routes.quotedTags("*") == "*")
    }

    @Test func providerFailuresBecomeS3Errors() {
        let redactor = SecretRedactor(secrets: ["sk-live-secret-123"])
        func mapped(_ kind: GatewayError.Kind, _ message: String = "boom", key: String? = "k") -> S3Error? {
            FileBackendErrors.s3(GatewayError(kind, message), provider: "openai", bucket: "b", key: key, redactor: redactor) as? S3Error
        }
        #expect(mapped(.notFound)?.code == "NoSuchKey" && mapped(.notFound)?.status == 404)
        #expect(mapped(.notFound, key: nil)?.code == "NoSuchBucket")
        #expect(mapped(.accessDenied)?.code == "AccessDenied" && mapped(.accessDenied)?.status == 403)
        #expect(mapped(.throttled)?.code == "SlowDown" && mapped(.throttled)?.status == 503)
        #expect(mapped(.internalError)?.code == "InternalError" && mapped(.internalError)?.status == 500)
        #expect(mapped(.unavailable)?.code == "ServiceUnavailable" && mapped(.timeout)?.status == 503)
        #expect(mapped(.validation)?.status == 400)
        let leaked = mapped(.accessDenied, "Incorrect API key provided: sk-live-secret-123")?.message ?? ""
        #expect(!leaked.contains("sk-live") && leaked.contains("[redacted]"))
    }
}
