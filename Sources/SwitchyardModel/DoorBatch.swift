import Foundation

/// A door's batch as the desk keeps it, in no dialect: the door derives its own statuses and counts from these.
public struct DoorBatch: Sendable, Hashable {
    /// The desk's id (12 lower-case letters and digits); doors show it behind their own prefix.
    public var id: String
    /// One of Bedrock's status names (`Submitted` … `Expired`), which the runner keeps every job in.
    public var status: String
    /// Set when the runner tried every record or stopped; the results are written by then.
    public var isEnded: Bool
    /// Why a batch stopped other than by a cancel (a budget, a revoked key, an unreadable input); nil otherwise.
    public var message: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var cancelRequestedAt: Date?
    public var endedAt: Date?
    public var expiresAt: Date
    public var total: Int
    public var processed: Int
    public var succeeded: Int
    public var errored: Int
    /// The door's notes from the create, and what the runner recorded for the door when it wrote the results
    /// (file ids, what became of the records it did not run).
    public var notes: [String: String]

    public init(
        id: String, status: String, isEnded: Bool, message: String?, createdAt: Date, startedAt: Date?, cancelRequestedAt: Date?,
        endedAt: Date?, expiresAt: Date, total: Int, processed: Int, succeeded: Int, errored: Int, notes: [String: String]
    ) {
        self.id = id
        self.status = status
        self.isEnded = isEnded
        self.message = message
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.cancelRequestedAt = cancelRequestedAt
        self.endedAt = endedAt
        self.expiresAt = expiresAt
        self.total = total
        self.processed = processed
        self.succeeded = succeeded
        self.errored = errored
        self.notes = notes
    }
}
