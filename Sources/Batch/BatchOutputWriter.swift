import Stores

/// Writes `<outputUri>/<jobId>/<input file name>.out` (one result line per finished record, in input order) and
/// `manifest.json.out`, in the namespace the job was created in; for an OpenAI batch, its output and error files
/// instead, and for a Message Batch its one results file. Rewriting them is harmless, so a restart that repeats this step changes nothing.
struct BatchOutputWriter: Sendable {
    let files: any BatchFiles
    var calls = BatchFileCalls(engine: nil)

    /// Returns what the job must remember of the files written (an OpenAI batch's file ids). `unrun`: the lines of
    /// the records a Message Batch ended without running, which its results list as well.
    func write(
        _ job: BatchJob, fileNames: [String], fileOf: (Int) -> Int, results: [BatchRecordResult], unrun: [String] = []
    ) async throws -> [String: String] {
        switch DoorBatchState.dialect(job) {
        case .openai?: return try await writeOpenAI(job, results: results)
        case .anthropic?: return try await writeInline(job, lines: results.sorted { $0.index < $1.index }.map(\.line) + unrun)
        case nil: break
        }
        let namespace = job.runnerState[BatchJobState.namespace] ?? "gateway"
        var lines = Array(repeating: [String](), count: max(1, fileNames.count))
        for result in results.sorted(by: { $0.index < $1.index }) {
            let file = min(max(0, fileOf(result.index)), lines.count - 1)
            lines[file].append(result.line)
        }
        let names = fileNames.isEmpty ? [S3Location(job.inputURI)?.fileName ?? "input.jsonl"] : fileNames
        for (file, name) in names.enumerated() {
            let text = lines[file].isEmpty ? "" : lines[file].joined(separator: "\n") + "\n"
            try await calls.run("WriteBatchOutput", job: job) {
                try await files.write(
                    namespace: namespace, uri: S3Location.output(job.outputURI, jobId: job.id, name: name + ".out"), bytes: Array(text.utf8),
                    contentType: "application/jsonl")
            }
        }
        try await calls.run("WriteBatchOutput", job: job) {
            try await files.write(
                namespace: namespace, uri: S3Location.output(job.outputURI, jobId: job.id, name: "manifest.json.out"),
                bytes: Array(BatchManifest.json(job.statistics).utf8), contentType: "application/json")
        }
        return [:]
    }

    /// Anthropic lists every request in one file, in no promised order; the finished ones come first here, in input
    /// order.
    func writeInline(_ job: BatchJob, lines: [String]) async throws -> [String: String] {
        try await calls.run("WriteBatchOutput", job: job) {
            try await files.write(
                namespace: InlineBatchKey.namespace, uri: job.outputURI + InlineBatchKey.results,
                bytes: Array(lines.map { $0 + "\n" }.joined().utf8), contentType: "application/jsonl")
        }
        return [:]
    }

    /// The answered requests go to the output file, the others to the error file, each written only when it has a
    /// line (as OpenAI leaves `output_file_id` or `error_file_id` empty).
    func writeOpenAI(_ job: BatchJob, results: [BatchRecordResult]) async throws -> [String: String] {
        var state: [String: String] = [:]
        let sorted = results.sorted { $0.index < $1.index }
        for errors in [false, true] {
            let lines = sorted.filter { $0.succeeded != errors }.map(\.line)
            if lines.isEmpty { continue }
            let file = OpenAIFileKey.batchOutput(jobId: job.id, errors: errors)
            try await calls.run("WriteBatchOutput", job: job) {
                try await files.write(
                    namespace: OpenAIFileKey.namespace, uri: file.uri, bytes: Array((lines.joined(separator: "\n") + "\n").utf8),
                    contentType: "application/jsonl")
            }
            state[errors ? OpenAIBatchState.errorFileId : OpenAIBatchState.outputFileId] = file.fileId
        }
        return state
    }
}
