/// Keys of `BatchJob.runnerState` for jobs made through `/v1/batches`: the door's notes (`DoorBatchState.note`)
/// under `openai.`, and the file ids the runner sets once written, in the same update that ends the job.
enum OpenAIBatchState {
    static let endpoint = "openai.endpoint"
    static let outputFileId = "openai.outputFileId"
    static let errorFileId = "openai.errorFileId"
}
