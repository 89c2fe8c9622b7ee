import Foundation
import SwitchyardModel

/// Reads JSONL input in any of the three record forms; the form is decided per line by its members.
public enum BatchInputParser {
    /// `first` is the index the file's first record gets. A line that is not a JSON object in a known form becomes
    /// a record with a `problem`, so one bad line fails that record only.
    public static func parse(_ bytes: [UInt8], file: Int = 0, first: Int = 0) throws -> [BatchRecord] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GatewayError(.validation, "the input file is not UTF-8 text")
        }
        var records: [BatchRecord] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            records.append(record(trimmed, index: first + records.count, file: file))
        }
        return records
    }

    static func record(_ line: String, index: Int, file: Int) -> BatchRecord {
        let fallbackId = generatedId(index)
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)), let object = value.objectValue else {
            return BatchRecord(
                index: index, file: file, recordId: fallbackId, form: .bedrock, modelInput: .null,
                problem: "line \(index + 1) is not a JSON object")
        }
        if object["modelInput"] != nil || object["recordId"] != nil {
            let id = object["recordId"]?.stringValue ?? fallbackId
            guard let input = object["modelInput"], input.objectValue != nil else {
                return BatchRecord(index: index, file: file, recordId: id, form: .bedrock, modelInput: .null, problem: "the record has no modelInput object")
            }
            return BatchRecord(index: index, file: file, recordId: id, form: .bedrock, modelInput: input)
        }
        // Before OpenAI's form, which also names its records `custom_id`.
        if let params = object["params"] {
            let id = object["custom_id"]?.stringValue ?? fallbackId
            guard params.objectValue != nil else {
                return BatchRecord(index: index, file: file, recordId: id, form: .anthropic, modelInput: .null, problem: "the record's params is not an object")
            }
            return BatchRecord(index: index, file: file, recordId: id, form: .anthropic, modelInput: params)
        }
        if object["custom_id"] != nil || object["body"] != nil {
            let id = object["custom_id"]?.stringValue ?? fallbackId
            guard let body = object["body"], body.objectValue != nil else {
                return BatchRecord(index: index, file: file, recordId: id, form: .openai, modelInput: .null, problem: "the record has no body object")
            }
            return BatchRecord(index: index, file: file, recordId: id, form: .openai, modelInput: body, url: object["url"]?.stringValue)
        }
        if let request = object["request"] {
            let id = object["metadata"]?["key"]?.stringValue ?? object["key"]?.stringValue ?? fallbackId
            guard request.objectValue != nil else {
                return BatchRecord(index: index, file: file, recordId: id, form: .gemini, modelInput: .null, problem: "the record's request is not an object")
            }
            return BatchRecord(index: index, file: file, recordId: id, form: .gemini, modelInput: request)
        }
        return BatchRecord(
            index: index, file: file, recordId: fallbackId, form: .bedrock, modelInput: value,
            problem: "the record is in no known form: expected recordId/modelInput (Bedrock), custom_id/body (OpenAI) or request/metadata.key (Gemini)")
    }

    /// Bedrock names records without an id itself, with 11 characters; the index keeps it stable across restarts.
    static func generatedId(_ index: Int) -> String {
        let digits = String(index + 1)
        return "CALL" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }
}
