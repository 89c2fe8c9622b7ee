import Foundation
import Stores

/// Keys of `BatchJob.runnerState` for jobs made through `/v1/batches`; the job itself is an ordinary gateway-run
/// job, so it is stored, leased, resumed and administered as every other.
enum OpenAIBatchState {
    /// Present (`openai`) on such jobs: records route by their own body's model and results go to OpenAI's files.
    static let form = "form"
    static let formValue = "openai"
    static let endpoint = "openai.endpoint"
    static let inputFileId = "openai.inputFileId"
    static let completionWindow = "openai.completionWindow"
    /// The caller's metadata, as JSON text.
    static let metadata = "openai.metadata"
    /// Set once written, in the same update that ends the job.
    static let outputFileId = "openai.outputFileId"
    static let errorFileId = "openai.errorFileId"
    /// Unix seconds of the transitions OpenAI reports and the job's own dates do not hold.
    static let inProgressAt = "inProgressAt"
    static let cancellingAt = "cancellingAt"

    /// What such jobs are named, so listings can find them by name before checking the form.
    static let namePrefix = "openai-batch-"
    static let idPrefix = "batch_"

    static func isOpenAI(_ job: BatchJob) -> Bool { job.runnerState[form] == formValue }

    static func stamp(_ date: Date = Date()) -> String { String(Int(date.timeIntervalSince1970)) }
}
