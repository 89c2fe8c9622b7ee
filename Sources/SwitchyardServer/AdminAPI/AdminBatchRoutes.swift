import Batch
import Foundation
import Hummingbird
import Logging
import SwitchyardModel

/// `GET /api/batches[?status=&limit=]`, `GET /api/batches/{id}` and `POST /api/batches/{id}/stop`: every batch job,
/// whoever owns it, with its progress (records done / total) and where its output goes.
struct AdminBatchRoutes<Context: RequestContext>: Sendable {
    let desk: BatchDesk
    let logger: Logger

    func register(on router: RouterGroup<Context>) {
        router.get("batches") { request, _ in
            await answer {
                let pairs = AdminLogRoutes<Context>.formPairs(request.uri.query ?? "")
                let status = pairs.first { $0.0 == "status" }?.1
                let limitText = pairs.first { $0.0 == "limit" }?.1
                guard let limit = limitText.map({ Int($0) }) ?? 200, (1...1000).contains(limit) else {
                    throw AdminAPIError(status: .badRequest, code: "InvalidFilter", "limit must be a number from 1 to 1000")
                }
                let jobs = try await desk.administeredJobs(status: status, limit: limit)
                return AdminResponse.json(try AdminJSON.encode(["jobs": jobs.map(BatchJobAdminJSON.init)]))
            }
        }
        router.get("batches/:id") { _, context in
            await answer { AdminResponse.json(try AdminJSON.encode(BatchJobAdminJSON(try await desk.administeredJob(id: try Self.id(context))))) }
        }
        router.post("batches/:id/stop") { _, context in
            await answer {
                let job = try await desk.administeredStop(id: try Self.id(context))
                logger.info("batch job stopped by the administrator", metadata: ["job_id": "\(job.id)"])
                return AdminResponse.json(try AdminJSON.encode(BatchJobAdminJSON(job)))
            }
        }
    }

    /// The bare id or the job's ARN.
    static func id(_ context: Context) throws -> String {
        let raw = context.parameters.get("id")?.percentDecoded ?? ""
        let id = raw.split(separator: "/").last.map(String.init) ?? ""
        guard !id.isEmpty else { throw AdminAPIError(status: .badRequest, code: "InvalidRequest", "the job id is missing") }
        return id
    }

    func answer(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as AdminAPIError {
            return AdminResponse.error(error.status, code: error.code, error.message)
        } catch let error as GatewayError where error.kind == .notFound {
            return AdminResponse.error(.notFound, code: "NotFound", error.message)
        } catch let error as GatewayError where error.kind == .validation {
            return AdminResponse.error(.conflict, code: "Conflict", error.message)
        } catch {
            logger.error("batch administration failed", metadata: ["error": "\(error)"])
            return AdminResponse.error(.internalServerError, code: "InternalError", "the batch store could not be used")
        }
    }
}

struct BatchJobAdminJSON: Encodable, EncodesNulls {
    let id: String
    let arn: String
    let name: String
    let modelId: String
    let status: String
    let message: String?
    let owner: String?
    let runner: String
    let namespace: String?
    let submitTime: String
    let lastModifiedTime: String
    let endTime: String?
    let inputUri: String
    let outputUri: String
    /// Where the results land: `<output>/<job id>/`, as Bedrock lays them out.
    let outputLocation: String
    let totalRecordCount: Int
    let processedRecordCount: Int
    let successRecordCount: Int
    let errorRecordCount: Int
    let inputTokens: Int
    let outputTokens: Int

    init(_ job: AdministeredBatchJob) {
        let info = job.info
        id = job.id
        arn = info.arn
        name = info.name
        modelId = info.modelId
        status = info.status
        message = info.message
        owner = job.owner
        runner = job.runner
        namespace = job.namespace
        submitTime = AdminTime.text(info.submitTime)
        lastModifiedTime = AdminTime.text(info.lastModifiedTime)
        endTime = info.endTime.map(AdminTime.text)
        inputUri = info.inputURI
        outputUri = info.outputURI
        outputLocation = (info.outputURI.hasSuffix("/") ? info.outputURI : info.outputURI + "/") + job.id + "/"
        totalRecordCount = info.totalRecordCount
        processedRecordCount = info.processedRecordCount
        successRecordCount = info.successRecordCount
        errorRecordCount = info.errorRecordCount
        inputTokens = job.inputTokens
        outputTokens = job.outputTokens
    }
}
