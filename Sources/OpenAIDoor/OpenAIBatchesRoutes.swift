import HTTPTypes
import Hummingbird
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// `/v1/batches`: create over a `/v1/files` file, retrieve, list and cancel. The batch is a job of the gateway's
/// batch runner (the desk's), its lines sent through the engine one by one.
public struct OpenAIBatchesRoutes<Context: RequestContext>: Sendable {
    let desk: any DoorBatchDesk
    let files: any DoorFiles
    let maxBodyBytes: Int

    public init(desk: any DoorBatchDesk, files: any DoorFiles, maxBodyBytes: Int) {
        self.desk = desk
        self.files = files
        self.maxBodyBytes = maxBodyBytes
    }

    public func register(on group: RouterGroup<Context>) {
        group.post("batches") { request, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let asked = try OpenAIBatchRequest.read(try await OpenAIResourceRoute.collect(request, limit: maxBodyBytes))
                let input = try await files.file(id: asked.inputFileId)
                guard input.purpose == "batch" else {
                    throw OpenAIError(
                        status: 400, type: "invalid_request_error", code: "invalid_value", param: "input_file_id",
                        message: "The file \(asked.inputFileId) has purpose '\(input.purpose)'; a batch's input file must have purpose 'batch'.")
                }
                let create = DoorBatchCreate(
                    dialect: .openai, input: .file(uri: input.uri), timeoutHours: OpenAIBatchView.hours(asked.completionWindow),
                    notes: OpenAIBatchView.notes(asked, inputFileId: input.id))
                return OpenAIResourceRoute.json(OpenAIBatchView.object(try await desk.createBatch(create)))
            }
        }
        group.get("batches") { request, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let query = OpenAIResourceRoute.query(request)
                let limit = try OpenAIResourceRoute.limit(query, fallback: 20, maximum: 100)
                let batches = try await desk.batches(dialect: .openai).map(OpenAIBatchView.object)
                return OpenAIResourceRoute.json(OpenAIPage.cut(batches, after: query["after"], limit: limit, id: \.id))
            }
        }
        group.get("batches/:id") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                OpenAIResourceRoute.json(OpenAIBatchView.object(try await named(context) { try await desk.batch(id: $0, dialect: .openai) }))
            }
        }
        group.post("batches/:id/cancel") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                OpenAIResourceRoute.json(OpenAIBatchView.object(try await named(context) { try await desk.cancelBatch(id: $0, dialect: .openai) }))
            }
        }
    }

    /// The desk's not-found named after the id the caller sent, as OpenAI's are.
    func named<T>(_ context: Context, _ work: (String) async throws -> T) async throws -> T {
        let id = try context.parameters.require("id")
        do {
            return try await work(OpenAIBatchView.deskId(id))
        } catch let error as GatewayError where error.kind == .notFound {
            throw GatewayError(.notFound, "No such Batch object: \(id)")
        }
    }
}
