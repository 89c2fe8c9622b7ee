import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// The Bedrock control plane's batch operations (CreateModelInvocationJob, GetModelInvocationJob,
/// ListModelInvocationJobs, StopModelInvocationJob). The door checks the wire format; the desk keeps the jobs.
/// With `x-model-provider` naming a provider whose control plane is AWS's own, calls are forwarded untouched.
public struct BedrockBatchRoutes<Context: RequestContext>: Sendable {
    let desk: any BatchJobDesk
    let maxBodyBytes: Int
    let logger: Logger

    public init(desk: any BatchJobDesk, maxBodyBytes: Int, logger: Logger) {
        self.desk = desk
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    static var providerField: HTTPField.Name { HTTPField.Name("x-model-provider")! }

    public func register(on group: RouterGroup<Context>) {
        group.post("model-invocation-job") { request, _ in
            await BedrockRoute.answer(logger: self.logger) { try await self.create(request) }
        }
        group.get("model-invocation-jobs") { request, _ in
            await BedrockRoute.answer(logger: self.logger) { try await self.list(request) }
        }
        group.get("model-invocation-job/:jobIdentifier") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.get(request, raw: context.parameters.get("jobIdentifier")) }
        }
        // boto3 sends an empty identifier as `/model-invocation-job/`.
        group.get("model-invocation-job") { request, _ in
            await BedrockRoute.answer(logger: self.logger) { try await self.get(request, raw: nil) }
        }
        group.post("model-invocation-job/:jobIdentifier/stop") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.stop(request, raw: context.parameters.get("jobIdentifier")) }
        }
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        let provider = Self.provider(request)
        let forwards = provider.map(desk.forwardsControlPlane(provider:)) ?? false
        let options = BatchJobCreateDecoder.Options(requireIAMRole: forwards, provider: provider, region: BedrockJSON.region(of: request))
        let spec = try BatchJobCreateDecoder.decode(body, options: options)
        if forwards, let provider {
            return try await forward(request, path: "/model-invocation-job", body: body, provider: provider)
        }
        let job = try await desk.create(spec)
        return try BatchJobJSON.response(["jobArn": job.arn])
    }

    func get(_ request: Request, raw: String?) async throws -> Response {
        let id = try BatchJobIdentifier.jobId(fromRaw: raw)
        if let provider = Self.provider(request), desk.forwardsControlPlane(provider: provider) {
            return try await forward(request, path: "/model-invocation-job/\(raw ?? "")", body: ByteBuffer(), provider: provider)
        }
        return try BatchJobJSON.response(BatchJobJSON.description(try await desk.job(id: id)))
    }

    func list(_ request: Request) async throws -> Response {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        let filter = try BatchJobListQuery.filter(query)
        if let provider = Self.provider(request), desk.forwardsControlPlane(provider: provider) {
            return try await forward(request, path: "/model-invocation-jobs", body: ByteBuffer(), provider: provider)
        }
        let page = try await desk.list(filter)
        var out: [String: Any] = ["invocationJobSummaries": page.jobs.map(BatchJobJSON.description)]
        if let next = page.nextOffset { out["nextToken"] = BatchJobPageToken.make(offset: next) }
        return try BatchJobJSON.response(out)
    }

    func stop(_ request: Request, raw: String?) async throws -> Response {
        let id = try BatchJobIdentifier.jobId(fromRaw: raw)
        if let provider = Self.provider(request), desk.forwardsControlPlane(provider: provider) {
            return try await forward(request, path: "/model-invocation-job/\(raw ?? "")/stop", body: ByteBuffer(), provider: provider)
        }
        try await desk.stop(id: id)
        return try BatchJobJSON.response([:])
    }

    /// `gateway` and an absent header both mean the gateway's own jobs.
    static func provider(_ request: Request) -> String? {
        guard let value = request.headers[providerField]?.trimmingCharacters(in: .whitespaces).lowercased(),
            !value.isEmpty, value != "gateway"
        else { return nil }
        return value
    }

    func forward(_ request: Request, path: String, body: ByteBuffer, provider: String) async throws -> Response {
        var query: [(String, String)] = []
        for (name, value) in request.uri.queryParameters { query.append((String(name), String(value))) }
        let call = ControlPlaneCall(method: request.method.rawValue, path: path, query: query, body: body)
        let answer = try await desk.forward(call, provider: provider)
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: answer.body))
    }
}
