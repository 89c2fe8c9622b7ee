import NIOCore
import Providers
import Testing

/// The multipart form OpenAI's `/files` takes, written around a streamed file.
@Suite struct OpenAIFilesFormTests {
    let form = OpenAIFilesForm(
        fields: [("purpose", "batch")], fileField: "file", filename: "we\"ird\r\nnäme.jsonl", fileContentType: "application/jsonl",
        boundary: "BOUNDARY")

    func collect(_ body: some AsyncSequence<ByteBuffer, any Error>) async throws -> String {
        var out = ""
        for try await chunk in body { out += String(buffer: chunk) }
        return out
    }

    func stream(_ chunks: [String], failing: Bool = false) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(ByteBuffer(string: chunk)) }
            if failing { continuation.finish(throwing: CancellationError()) } else { continuation.finish() }
        }
    }

    @Test func bodyIsFieldsThenFileThenClosingBoundary() async throws {
        let text = try await collect(form.body(stream(["{\"a\":1}\n", "", "{\"b\":2}\n"])))
        #expect(
            text == "--BOUNDARY\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"we%22ird%0D%0Anäme.jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n{\"a\":1}\n{\"b\":2}\n\r\n--BOUNDARY--\r\n")
        #expect(form.contentType == "multipart/form-data; boundary=BOUNDARY")
        #expect(form.length(fileBytes: 16) == Int64(text.utf8.count))
    }

    @Test func emptyFileStillFormsAWholeBody() async throws {
        let text = try await collect(form.body(stream([])))
        #expect(text.hasSuffix("Content-Type: application/jsonl\r\n\r\n\r\n--BOUNDARY--\r\n"))
        #expect(form.length(fileBytes: 0) == Int64(text.utf8.count))
    }

    /// A failing file never gets its closing boundary: the upstream cannot mistake a cut file for a whole one.
    @Test func aFailingFileEndsTheBodyWithoutTheTail() async throws {
        var seen = ""
        await #expect(throws: CancellationError.self) {
            for try await chunk in form.body(stream(["partial"], failing: true)) { seen += String(buffer: chunk) }
        }
        #expect(seen.hasSuffix("partial") && !seen.contains("--BOUNDARY--"))
    }

    @Test func boundariesAreUniquePerForm() {
        let a = OpenAIFilesForm(fields: [], fileField: "file", filename: "a", fileContentType: "x")
        let b = OpenAIFilesForm(fields: [], fileField: "file", filename: "a", fileContentType: "x")
        #expect(a.boundary != b.boundary && a.boundary.hasPrefix("switchyard-"))
    }
}
