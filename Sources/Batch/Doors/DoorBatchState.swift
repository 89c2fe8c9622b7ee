import Foundation
import Stores
import SwitchyardModel

/// Keys of `BatchJob.runnerState` for jobs made through a door's batch API (`DoorBatchDesk`); the job itself is an
/// ordinary gateway-run job, so it is stored, leased, resumed and administered as every other.
enum DoorBatchState {
    /// The dialect (`openai`, `anthropic`): records route by their own body's model and results take its form.
    static let form = "form"
    /// Unix seconds of the transitions the doors report and the job's own dates do not hold.
    static let inProgressAt = "inProgressAt"
    static let cancellingAt = "cancellingAt"
    /// Set by a delete: the job stays in the store (the runner's and the administrator's history) but no door
    /// finds it again.
    static let deletedAt = "deletedAt"
    /// The note, set when the job ends with records it never ran, of what they count as (`BatchUnrun.countedAs`).
    static let unrun = "unrun"

    static func dialect(_ job: BatchJob) -> DoorBatchDialect? {
        job.runnerState[form].flatMap(DoorBatchDialect.init(rawValue:))
    }

    /// Where a door's note lives: under the dialect's name, so the notes of one door never meet another's.
    static func note(_ name: String, _ dialect: DoorBatchDialect) -> String { "\(dialect.rawValue).\(name)" }

    static func notes(_ job: BatchJob, _ dialect: DoorBatchDialect) -> [String: String] {
        let prefix = note("", dialect)
        var out: [String: String] = [:]
        for (key, value) in job.runnerState where key.hasPrefix(prefix) { out[String(key.dropFirst(prefix.count))] = value }
        return out
    }

    /// What such jobs are named, so listings can find them by name before checking the form.
    static func namePrefix(_ dialect: DoorBatchDialect) -> String { "\(dialect.rawValue)-batch-" }

    static func stamp(_ date: Date = Date()) -> String { String(Int(date.timeIntervalSince1970)) }

    static func date(_ stamp: String?) -> Date? { stamp.flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) }
}

/// Keys of `BatchJob.runnerState` for jobs made through `/v1/batches`: the door's notes (`DoorBatchState.note`)
/// under `openai.`, and the file ids the runner sets once written, in the same update that ends the job.
enum OpenAIBatchState {
    static let endpoint = "openai.endpoint"
    static let outputFileId = "openai.outputFileId"
    static let errorFileId = "openai.errorFileId"
}

/// Where a batch given inline (Anthropic's `requests`) keeps its records and results in the gateway's own store:
/// one folder per batch under bucket `door-batches`, written as the creating key, so the runner (acting as that
/// key) reads it and no other key sees it.
enum InlineBatchKey {
    static let namespace = "gateway"
    static let bucket = "door-batches"
    static let requests = "requests.jsonl"
    static let results = "results.jsonl"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A fresh folder (`s3://door-batches/<token>/`); random rather than the job id, which is drawn only when the
    /// job is inserted, after its records are written.
    static func folder() -> String {
        var generator = SystemRandomNumberGenerator()
        let token = String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        return "s3://\(bucket)/\(token)/"
    }
}
