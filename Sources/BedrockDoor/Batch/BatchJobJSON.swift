import Foundation
import Hummingbird
import NIOCore
import SwitchyardModel

/// The job description members of GetModelInvocationJob / ModelInvocationJobSummary, absent ones left out.
enum BatchJobJSON {
    static func description(_ job: BatchJobInfo) -> [String: Any] {
        var out: [String: Any] = [
            "jobArn": job.arn,
            "jobName": job.name,
            "modelId": job.modelId,
            "roleArn": job.roleArn,
            "status": job.status,
            "submitTime": BatchJobTimestamp.format(job.submitTime),
            "lastModifiedTime": BatchJobTimestamp.format(job.lastModifiedTime),
            "inputDataConfig": ["s3InputDataConfig": ["s3Uri": job.inputURI, "s3InputFormat": "JSONL"]],
            "outputDataConfig": ["s3OutputDataConfig": ["s3Uri": job.outputURI]],
            "totalRecordCount": job.totalRecordCount,
            "processedRecordCount": job.processedRecordCount,
            "successRecordCount": job.successRecordCount,
            "errorRecordCount": job.errorRecordCount,
        ]
        if let token = job.clientRequestToken { out["clientRequestToken"] = token }
        if let message = job.message { out["message"] = String(message.prefix(2048)) }
        if let end = job.endTime { out["endTime"] = BatchJobTimestamp.format(end) }
        if let hours = job.timeoutHours { out["timeoutDurationInHours"] = hours }
        if let expiry = job.expirationTime { out["jobExpirationTime"] = BatchJobTimestamp.format(expiry) }
        if let type = job.invocationType { out["modelInvocationType"] = type }
        return out
    }

    static func response(_ object: [String: Any]) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
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
