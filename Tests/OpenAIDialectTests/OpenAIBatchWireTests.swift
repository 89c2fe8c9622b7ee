import Foundation
import NIOCore
import OpenAIDialect
import SwitchyardModel
import Testing

@Suite struct OpenAIFileUploadTests {
    static func form(_ parts: [(name: String, filename: String?, body: String)], boundary: String = "abc123") -> ByteBuffer {
        var text = "preamble\r\n"
        for part in parts {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { text += "; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream" }
            text += "\r\n\r\n\(part.body)\r\n"
        }
        return ByteBuffer(string: text + "--\(boundary)--\r\n")
    }

    @Test func readsTheFileAndPurpose() throws {
        let lines = "{\"a\":1}\r\n{\"b\":2}\n"
        let body = Self.form([("purpose", nil, "batch"), ("file", "in.jsonl", lines)])
        let upload = try OpenAIFileUpload.read(body, contentType: "multipart/form-data; boundary=abc123")
        #expect(upload.purpose == "batch" && upload.filename == "in.jsonl" && String(buffer: upload.bytes) == lines)
        let quoted = try OpenAIFileUpload.read(Self.form([("file", "a%22b.jsonl", "x"), ("purpose", nil, "user_data")], boundary: "q q"),
                                               contentType: #"multipart/form-data; boundary="q q""#)
        #expect(quoted.filename == "a\"b.jsonl" && quoted.purpose == "user_data" && String(buffer: quoted.bytes) == "x")
    }

    @Test func refusesWhatIsNoUpload() {
        func param(_ body: ByteBuffer, _ type: String? = "multipart/form-data; boundary=abc123") -> String? {
            do {
                _ = try OpenAIFileUpload.read(body, contentType: type)
                return "accepted"
            } catch {
                #expect(error.status == 400)
                return error.param ?? "-"
            }
        }
        #expect(param(Self.form([("file", "a", "x")])) == "purpose")
        #expect(param(Self.form([("purpose", nil, "batch")])) == "file")
        #expect(param(Self.form([("purpose", nil, "bogus"), ("file", "a", "x")])) == "purpose")
        #expect(param(Self.form([("purpose", nil, "batch")]), "application/json") == "-")
        #expect(param(ByteBuffer(string: "--abc123\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end")) == "-")
        #expect(param(ByteBuffer(string: "--abc123")) == "-")
    }
}

@Suite struct OpenAIBatchRequestTests {
    func read(_ json: String) throws(OpenAIError) -> OpenAIBatchRequest { try OpenAIBatchRequest.read(ByteBuffer(string: json)) }

    @Test func readsACreate() throws {
        let request = try read(#"{"input_file_id":"file-x","endpoint":"/v1/embeddings","completion_window":"24h","metadata":{"k":"v"}}"#)
        #expect(request == OpenAIBatchRequest(inputFileId: "file-x", endpoint: "/v1/embeddings", completionWindow: "24h", metadata: ["k": "v"]))
        #expect(try read(#"{"input_file_id":"f","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":null}"#).metadata == nil)
    }

    @Test func refusalsNameTheParameter() {
        func param(_ json: String) -> String? {
            do {
                _ = try read(json)
                return "accepted"
            } catch {
                return error.param
            }
        }
        #expect(param(#"{"endpoint":"/v1/chat/completions","completion_window":"24h"}"#) == "input_file_id")
        #expect(param(#"{"input_file_id":"f","endpoint":"/v1/responses","completion_window":"24h"}"#) == "endpoint")
        #expect(param(#"{"input_file_id":"f","endpoint":"/v1/chat/completions","completion_window":"1h"}"#) == "completion_window")
        #expect(param(#"{"input_file_id":"f","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"k":1}}"#) == "metadata.k")
        let many = (0..<17).map { "\"k\($0)\":\"v\"" }.joined(separator: ",")
        #expect(param(#"{"input_file_id":"f","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{\#(many)}}"#) == "metadata")
        #expect(param("[1]") == nil)
    }
}

@Suite struct OpenAIBatchLineTests {
    func json(_ line: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) }

    @Test func answeredRefusedAndUnsentLines() throws {
        let answered = try json(OpenAIBatchLine.answered(id: "batch_req_1", customId: "c\"1", requestId: "r1", body: Array(#"{"object":"chat.completion"}"#.utf8)))
        #expect(answered == ["id": "batch_req_1", "custom_id": "c\"1", "response": ["status_code": 200, "request_id": "r1", "body": ["object": "chat.completion"]], "error": .null])
        let error = OpenAIError(status: 404, type: "invalid_request_error", code: "model_not_found", message: "no such model")
        let refused = try json(OpenAIBatchLine.refused(id: "i", customId: "c", requestId: "r", error: error))
        #expect(refused["response"]?["status_code"] == 404 && refused["error"] == .null)
        #expect(refused["response"]?["body"]?["error"] == ["message": "no such model", "type": "invalid_request_error", "param": .null, "code": "model_not_found"])
        let unsent = try json(OpenAIBatchLine.unsent(id: "i", customId: "c", code: "invalid_request", message: "bad line"))
        #expect(unsent["response"] == .null && unsent["error"] == ["code": "invalid_request", "message": "bad line"])
    }
}

@Suite struct OpenAIObjectTests {
    @Test func pagesCutAfterACursor() {
        let items = ["a", "b", "c", "d"]
        let first = OpenAIPage.cut(items, after: nil, limit: 3, id: { $0 })
        #expect(first.data == ["a", "b", "c"] && first.hasMore && first.firstId == "a" && first.lastId == "c")
        let next = OpenAIPage.cut(items, after: "c", limit: 3, id: { $0 })
        #expect(next.data == ["d"] && !next.hasMore)
        #expect(OpenAIPage.cut(items, after: "zz", limit: 10, id: { $0 }).data == items)
    }

    @Test func batchAndFileObjectsUseOpenAIsNames() throws {
        var batch = OpenAIBatchObject(
            id: "batch_x", endpoint: "/v1/chat/completions", inputFileId: "file-a", completionWindow: "24h", status: .inProgress, createdAt: 5,
            requestCounts: .init(total: 2, completed: 1, failed: 0))
        batch.failures = [.init(code: "batch_failed", message: "why")]
        let value = try JSONDecoder().decode(JSONValue.self, from: OpenAIObjectJSON.data(batch))
        #expect(value["object"] == "batch" && value["status"] == "in_progress" && value["input_file_id"] == "file-a")
        #expect(value["request_counts"] == ["total": 2, "completed": 1, "failed": 0])
        #expect(value["errors"]?["data"]?.arrayValue?.first?["message"] == "why" && value["errors"]?["object"] == "list")
        let file = try JSONDecoder().decode(
            JSONValue.self, from: OpenAIObjectJSON.data(OpenAIFileObject(id: "file-a", bytes: 3, createdAt: 9, filename: "f", purpose: "batch")))
        #expect(file == ["id": "file-a", "object": "file", "bytes": 3, "created_at": 9, "filename": "f", "purpose": "batch", "status": "processed"])
    }
}
