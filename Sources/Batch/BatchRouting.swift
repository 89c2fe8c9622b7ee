import Engine
import Stores

/// The model id the engine routes a gateway-run job's records by.
enum BatchRouting {
    /// With a provider from the header, a bare model name is that provider's model.
    static func modelId(_ modelId: String, provider: String?) -> String {
        guard let provider, !modelId.hasPrefix(provider + "/") else { return modelId }
        return "\(provider)/\(modelId)"
    }
}

/// Where a record goes: the job's model for Bedrock jobs (resolved once), the record's own `model` for the doors'
/// batches, whose records each name theirs. `model` is the upstream's name for it, for answers that show it.
struct BatchRecordRoute: Sendable {
    struct Target: Sendable {
        var modelId: String
        var model: String
    }

    let jobTarget: Target?
    let engine: Engine

    init(job: BatchJob, engine: Engine) {
        self.engine = engine
        if DoorBatchState.dialect(job) != nil {
            jobTarget = nil
        } else {
            let modelId = BatchRouting.modelId(job.modelId, provider: job.runnerState[BatchJobState.provider])
            jobTarget = Target(modelId: modelId, model: (try? engine.resolve(modelId).route.model) ?? job.modelId)
        }
    }

    func target(_ record: BatchRecord) -> Target {
        if let jobTarget { return jobTarget }
        let modelId = record.modelInput["model"]?.stringValue ?? ""
        return Target(modelId: modelId, model: (try? engine.resolve(modelId).route.model) ?? modelId)
    }
}
