import HTTPTypes
import Hummingbird
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// `/v1/files`: upload (multipart `file` + `purpose`), retrieve, content, list and delete, on the gateway's own file
/// store, each file the uploading key's.
public struct OpenAIFilesRoutes<Context: RequestContext>: Sendable {
    let files: any DoorFiles
    let maxFileBytes: Int

    /// OpenAI's own limit on one file.
    public static var defaultMaxFileBytes: Int { 512 * 1024 * 1024 }

    public init(files: any DoorFiles, maxFileBytes: Int = Self.defaultMaxFileBytes) {
        self.files = files
        self.maxFileBytes = maxFileBytes
    }

    public func register(on group: RouterGroup<Context>) {
        group.post("files") { request, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let body = try await OpenAIResourceRoute.collect(request, limit: maxFileBytes)
                let upload = try OpenAIFileUpload.read(body, contentType: request.headers[.contentType])
                return OpenAIResourceRoute.json(Self.object(try await files.create(upload.bytes, filename: upload.filename, purpose: upload.purpose)))
            }
        }
        group.get("files") { request, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let query = OpenAIResourceRoute.query(request)
                let limit = try OpenAIResourceRoute.limit(query, fallback: 10_000, maximum: 10_000)
                let order = query["order"] ?? "desc"
                guard order == "asc" || order == "desc" else {
                    throw OpenAIError(status: 400, type: "invalid_request_error", code: "invalid_value", param: "order", message: "Invalid 'order': must be 'asc' or 'desc'.")
                }
                var listed = try await files.files()
                if let purpose = query["purpose"] { listed = listed.filter { $0.purpose == purpose } }
                if order == "desc" { listed.reverse() }
                return OpenAIResourceRoute.json(OpenAIPage.cut(listed.map(Self.object), after: query["after"], limit: limit, id: \.id))
            }
        }
        group.get("files/:id") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                OpenAIResourceRoute.json(Self.object(try await files.file(id: try context.parameters.require("id"))))
            }
        }
        group.get("files/:id/content") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let (file, bytes) = try await files.content(id: try context.parameters.require("id"))
                let body = ResponseBody(contentLength: Int(file.bytes)) { writer in
                    for try await chunk in bytes { try await writer.write(chunk) }
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
            }
        }
        group.delete("files/:id") { _, context in
            await OpenAIResourceRoute.answer(requestId: context.id, logger: context.logger) {
                let id = try context.parameters.require("id")
                try await files.delete(id: id)
                return OpenAIResourceRoute.json(OpenAIFileDeleted(id: id))
            }
        }
    }

    /// A stored file as `/v1/files` shows it.
    static func object(_ file: DoorFile) -> OpenAIFileObject {
        OpenAIFileObject(
            id: file.id, bytes: file.bytes, createdAt: Int(file.createdAt.timeIntervalSince1970), filename: file.filename, purpose: file.purpose)
    }
}
