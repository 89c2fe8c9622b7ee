import Foundation
import NIOCore
import NIOHTTP1
import Providers
import Testing

/// Gemini's resumable upload protocol as the gateway speaks it: `start` announces size and type, one
/// `upload, finalize` request carries every byte.
@Suite struct GeminiUploadHeadersTests {
    @Test func startAnnouncesLengthAndType() {
        let headers = GeminiFilesAPI.startHeaders(length: 1234, contentType: "application/jsonl")
        #expect(headers.map { "\($0.0): \($0.1)" } == [
            "X-Goog-Upload-Protocol: resumable",
            "X-Goog-Upload-Command: start",
            "X-Goog-Upload-Header-Content-Length: 1234",
            "X-Goog-Upload-Header-Content-Type: application/jsonl",
            "Content-Type: application/json",
        ])
    }

    @Test func finalizeSendsEverythingAtOffsetZero() {
        #expect(GeminiFilesAPI.finalizeHeaders().map { "\($0.0): \($0.1)" } == ["X-Goog-Upload-Command: upload, finalize", "X-Goog-Upload-Offset: 0"])
    }

    @Test func startBodyNamesTheKeyAndIsCutToGeminisLimit() throws {
        let body = GeminiFilesAPI.startBody(displayName: "jobs/\"q\"/a.jsonl")
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: [String: String]]
        #expect(json == ["file": ["display_name": "jobs/\"q\"/a.jsonl"]])
        let long = GeminiFilesAPI.startBody(displayName: String(repeating: "ü", count: 600))
        let cut = try JSONSerialization.jsonObject(with: Data(long.readableBytesView)) as? [String: [String: String]]
        #expect(cut?["file"]?["display_name"]?.count == 512)
    }

    @Test func uploadURLIsReadWhateverTheHeaderCase() {
        #expect(GeminiFilesAPI.uploadURL(HTTPHeaders([("X-Goog-Upload-URL", "https://up/1")])) == "https://up/1")
        #expect(GeminiFilesAPI.uploadURL(HTTPHeaders([("x-goog-upload-url", "https://up/2")])) == "https://up/2")
        #expect(GeminiFilesAPI.uploadURL(HTTPHeaders([("x-goog-upload-url", "")])) == nil)
        #expect(GeminiFilesAPI.uploadURL(HTTPHeaders()) == nil)
    }
}
