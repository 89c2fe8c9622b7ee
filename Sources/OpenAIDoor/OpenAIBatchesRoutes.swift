import Batch
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// `/v1/batches`: create over a `/v1/files` file, retrieve, list and cancel. The batch is a job of the gateway's
/// batch runner (the Bedrock door's jobs' runner and store), its lines sent through the engine one by one.
public struct OpenAIBatchesRoutes<Context: RequestContext>: Sendable {
    let desk: BatchDesk
    let files: OpenAIFiles
    let maxBodyBytes: Int

    public init(desk: BatchDesk, files: OpenAIFiles, maxBodyBytes: Int) {
        self.desk = desk
        self.files = files
        self.maxBodyBytes = maxBodyBytes
    }

    public func register(on group: RouterGroup<Context>) {
        group.post("batches") { request, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let asked = try OpenAIBatchRequest.read(try await OpenAIResourceRoute.collect(request, limit: maxBodyBytes))
                let input = try await files.file(id: asked.inputFileId)
                guard input.object.purpose == "batch" else {
                    throw OpenAIError(
                        status: 400, type: "invalid_request_error", code: "invalid_value", param: "input_file_id",
                        message: "The file \(asked.inputFileId) has purpose '\(input.object.purpose)'; a batch's input file must have purpose 'batch'.")
                }
                return OpenAIResourceRoute.json(try await desk.createOpenAIBatch(asked, input: input))
            }
        }
        group.get("batches") { request, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let query = OpenAIResourceRoute.query(request)
                let limit = try OpenAIResourceRoute.limit(query, fallback: 20, maximum: 100)
                return OpenAIResourceRoute.json(try await desk.openAIBatches(after: query["after"], limit: limit))
            }
        }
        group.get("batches/:id") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                OpenAIResourceRoute.json(try await desk.openAIBatch(id: try context.parameters.require("id")))
            }
        }
        group.post("batches/:id/cancel") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                OpenAIResourceRoute.json(try await desk.cancelOpenAIBatch(id: try context.parameters.require("id")))
            }
        }
    }
}
