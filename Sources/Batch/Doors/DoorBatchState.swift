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
