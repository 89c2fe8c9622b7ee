import Stores
import SwitchyardModel

/// Reads a job's input through the files API, in the namespace the job was created in.
struct BatchInputLoader: Sendable {
    let files: any BatchFiles
    var calls = BatchFileCalls(engine: nil)

    func load(_ job: BatchJob) async throws -> BatchInput {
        let namespace = job.runnerState[BatchJobState.namespace] ?? "gateway"
        guard let location = S3Location(job.inputURI) else {
            throw GatewayError(.validation, "the input location \(job.inputURI) is not an s3:// URI")
        }
        var uris = [job.inputURI]
        if location.isFolder {
            uris = try await calls.run("ListBatchInput", job: job) { try await files.list(namespace: namespace, prefix: job.inputURI) }
                .filter { $0.hasSuffix(".jsonl") }.sorted()
            if uris.isEmpty { throw GatewayError(.validation, "there are no .jsonl files under \(job.inputURI)") }
        }
        var input = BatchInput(records: [], fileNames: [])
        for (file, uri) in uris.enumerated() {
            let bytes = try await calls.run("ReadBatchInput", job: job) { try await files.read(namespace: namespace, uri: uri) }
            input.records += try BatchInputParser.parse(bytes, file: file, first: input.records.count)
            input.fileNames.append(S3Location(uri)?.fileName ?? "input.jsonl")
        }
        if input.records.isEmpty { throw GatewayError(.validation, "the input \(job.inputURI) holds no records") }
        return input
    }
}
