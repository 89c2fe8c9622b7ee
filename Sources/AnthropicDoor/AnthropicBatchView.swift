import Foundation
import SwitchyardModel

/// A desk's batch as `/v1/messages/batches` shows it: `processing_status` from the runner's status (`canceling`
/// while a cancel waits for the requests in flight), and `request_counts` in Anthropic's five buckets, the requests
/// the batch ended without running counted as the runner recorded them (canceled, expired, or errored when its
/// key's budget ran out or the key was revoked).
enum AnthropicBatchView {
    static let idPrefix = "msgbatch_"

    /// The desk's id behind `msgbatch_…`; an id of any other shape names no batch.
    static func deskId(_ id: String) -> String {
        id.hasPrefix(idPrefix) ? String(id.dropFirst(idPrefix.count)) : ""
    }

    /// `resultsBase`: the door's URL (`http://host/anthropic`), which `results_url` starts with.
    static func object(_ batch: DoorBatch, resultsBase: String) -> JSONValue {
        let id = idPrefix + batch.id
        return .object([
            "id": .string(id), "type": "message_batch", "processing_status": .string(processingStatus(batch)),
            "request_counts": .object(counts(batch).mapValues { .number(Double($0)) }),
            "created_at": time(batch.createdAt), "expires_at": time(batch.expiresAt), "ended_at": batch.isEnded ? time(batch.endedAt) : .null,
            "cancel_initiated_at": time(batch.cancelRequestedAt), "archived_at": .null,
            "results_url": batch.isEnded ? .string("\(resultsBase)/v1/messages/batches/\(id)/results") : .null,
        ])
    }

    static func processingStatus(_ batch: DoorBatch) -> String {
        if batch.isEnded { return "ended" }
        return batch.status == "Stopping" ? "canceling" : "in_progress"
    }

    /// As Anthropic counts: every request is `processing` until the whole batch ends, and the buckets always add up
    /// to the batch's requests.
    static func counts(_ batch: DoorBatch) -> [String: Int] {
        guard batch.isEnded else { return ["processing": batch.total, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0] }
        var counts = ["processing": 0, "succeeded": batch.succeeded, "errored": batch.errored, "canceled": 0, "expired": 0]
        let rest = max(0, batch.total - batch.processed)
        // A batch that ended before the runner could note why (its stored requests could not be read) failed them all.
        let bucket = batch.notes["unrun"].flatMap { counts[$0] == nil ? nil : $0 } ?? "errored"
        counts[bucket, default: 0] += rest
        return counts
    }

    static func deleted(_ id: String) -> JSONValue {
        .object(["id": .string(id), "type": "message_batch_deleted"])
    }

    /// RFC 3339 with milliseconds, as Anthropic writes its times.
    static func time(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        return .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
