import Engine
import Foundation
import Stores
import SwitchyardModel

/// The batch runner's own reads of a job's input and writes of its results, each a call of the engine's pipeline
/// (door `batch`, the job's id): a provider file API call made for it (OpenAI Files, Gemini Files, Amazon S3) is an
/// attempt of that call (`CallScope`), and a read or write of the gateway's own store is a call without one.
struct BatchFileCalls: Sendable {
    /// Nil records nothing (tools and tests that run the loader alone).
    let engine: Engine?

    static let route = "batch/files"

    func run<T: Sendable>(_ operation: String, job: BatchJob, _ work: () async throws -> T) async throws -> T {
        guard let engine else { return try await work() }
        let call = engine.begin(
            CallDescriptor(
                requestId: "\(job.id)-\(operation)-\(UUID().uuidString.prefix(8).lowercased())", door: "batch", operation: operation,
                route: Self.route, batchJobId: job.id, billing: .batch))
        do {
            let answer = try await CallScope.$current.withValue(call) { try await work() }
            call.finish(CallEnd(outcome: .success, status: 200))
            return answer
        } catch let error as GatewayError {
            call.finish(CallEnd(outcome: .failure, status: BatchOutputLine.code(for: error), errorCode: error.upstreamCode), error: error)
            throw error
        } catch is CancellationError {
            call.finish(CallEnd(outcome: .clientGone, status: 499))
            throw CancellationError()
        } catch {
            call.finish(CallEnd(outcome: .failure, status: 500), error: GatewayError(.internalError, BatchFailureReason.text(error)))
            throw error
        }
    }
}
