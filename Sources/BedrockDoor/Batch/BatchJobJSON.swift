import Foundation
import Hummingbird
import NIOCore
import SwitchyardModel

/// The job description members of GetModelInvocationJob / ModelInvocationJobSummary, absent ones left out.
enum BatchJobJSON {
    static func description(_ job: BatchJobInfo) -> JSONValue {
        var out: [String: JSONValue] = [
            "jobArn": .string(job.arn),
            "jobName": .string(job.name),
            "modelId": .string(job.modelId),
            "roleArn": .string(job.roleArn),
            "status": .string(job.status),
            "submitTime": .string(BatchJobTimestamp.format(job.submitTime)),
            "lastModifiedTime": .string(BatchJobTimestamp.format(job.lastModifiedTime)),
            "inputDataConfig": ["s3InputDataConfig": ["s3Uri": .string(job.inputURI), "s3InputFormat": "JSONL"]],
            "outputDataConfig": ["s3OutputDataConfig": ["s3Uri": .string(job.outputURI)]],
            "totalRecordCount": .number(Double(job.totalRecordCount)),
            "processedRecordCount": .number(Double(job.processedRecordCount)),
            "successRecordCount": .number(Double(job.successRecordCount)),
            "errorRecordCount": .number(Double(job.errorRecordCount)),
        ]
        if let token = job.clientRequestToken { out["clientRequestToken"] = .string(token) }
        if let message = job.message { out["message"] = .string(String(message.prefix(2048))) }
        if let end = job.endTime { out["endTime"] = .string(BatchJobTimestamp.format(end)) }
        if let hours = job.timeoutHours { out["timeoutDurationInHours"] = .number(Double(hours)) }
        if let expiry = job.expirationTime { out["jobExpirationTime"] = .string(BatchJobTimestamp.format(expiry)) }
        if let type = job.invocationType { out["modelInvocationType"] = .string(type) }
        return .object(out)
    }

    static func response(_ document: JSONValue) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: BedrockJSON.encode(document)))
    }
}

/// ISO-8601 timestamps as the bedrock model declares them, written with milliseconds and `Z`.
enum BatchJobTimestamp {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return nil
    }
}

/// The nextToken of ListModelInvocationJobs: where the next page starts, opaque to callers.
enum BatchJobPageToken {
    static func make(offset: Int) -> String {
        Data("jobs:\(offset)".utf8).base64EncodedString()
    }

    static func offset(_ token: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("jobs:"),
            let offset = Int(text.dropFirst(5)), offset >= 0
        else { return nil }
        return offset
    }
}
