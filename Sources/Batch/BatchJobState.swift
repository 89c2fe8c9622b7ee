/// Keys of `BatchJob.runnerState`: what a runner must remember across restarts.
enum BatchJobState {
    /// Where the job's files live: `gateway` or the `x-model-provider` name.
    static let namespace = "namespace"
    /// Gateway-run jobs: the provider that serves every record, when the header named one.
    static let provider = "provider"
    /// Native jobs: the provider whose batch API runs it, and the key that submitted it.
    static let nativeProvider = "nativeProvider"
    static let key = "key"
    /// Native jobs whose requests were a file already in the provider's store: that file's id.
    static let inputFileId = "inputFileId"
    /// Native jobs: set just before the provider is asked to create the batch.
    static let submitStarted = "submitStarted"
    /// Native jobs: set once the provider has been asked to cancel.
    static let cancelRequested = "cancelRequested"
    /// Native jobs: set once the records the provider ran were reported to the pipeline (logged, counted,
    /// charged), so that results read again after a restart are not reported twice.
    static let recordsReported = "recordsReported"
}
