import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// The Bedrock control plane's batch operations (CreateModelInvocationJob, GetModelInvocationJob,
/// ListModelInvocationJobs, StopModelInvocationJob). The door checks the wire format; the desk keeps the jobs.
/// With `x-model-provider` naming a provider whose control plane is AWS's own, calls are forwarded untouched, each
/// a call of the engine's pipeline (door `bedrock`).
public struct BedrockBatchRoutes<Context: RequestContext>: Sendable {
    let desk: any BatchJobDesk
    let maxBodyBytes: Int
    let logger: Logger
    /// Starts the pipeline call of a forwarded request; nil forwards without one (tests of the routes alone).
    let engine: Engine?

    public init(desk: any BatchJobDesk, maxBodyBytes: Int, logger: Logger, engine: Engine? = nil) {
        self.desk = desk
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.engine = engine
    }

    static var providerField: HTTPField.Name { HTTPField.Name("x-model-provider")! }

    public func register(on group: RouterGroup<Context>) {
        group.post("model-invocation-job") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.create(request, context) }
        }
        group.get("model-invocation-jobs") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.list(request, context) }
        }
        group.get("model-invocation-job/:jobIdentifier") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.get(request, context, raw: context.parameters.get("jobIdentifier")) }
        }
        // boto3 sends an empty identifier as `/model-invocation-job/`.
        group.get("model-invocation-job") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.get(request, context, raw: nil) }
        }
        group.post("model-invocation-job/:jobIdentifier/stop") { request, context in
            await BedrockRoute.answer(logger: self.logger) {
                try await self.stop(request, context, raw: context.parameters.get("jobIdentifier"))
            }
        }
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        let provider = Self.provider(request)
        let forwards = provider.map(desk.forwardsControlPlane(provider:)) ?? false
        let options = BatchJobCreateDecoder.Options(requireIAMRole: forwards, provider: provider, region: BedrockJSON.region(of: request))
        let spec = try BatchJobCreateDecoder.decode(body, options: options)
        if forwards, let provider {
            return try await forward(
                request, context, path: "/model-invocation-job", body: body, provider: provider, operation: "CreateModelInvocationJob",
                route: "/bedrock/model-invocation-job")
        }
        let job = try await desk.create(spec)
        return try BatchJobJSON.response(["jobArn": .string(job.arn)])
    }

    func get(_ request: Request, _ context: Context, raw: String?) async throws -> Response {
        let id = try BatchJobIdentifier.jobId(fromRaw: raw)
        if let provider = Self.provider(request), desk.forwardsControlPlane(provider: provider) {
            return try await forward(
                request, context, path: "/model-invocation-job/\(raw ?? "")", body: ByteBuffer(), provider: provider,
                operation: "GetModelInvocationJob", route: "/bedrock/model-invocation-job/{jobIdentifier}")
        }
        return try BatchJobJSON.response(BatchJobJSON.description(try await desk.job(id: id)))
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        let filter = try BatchJobListQuery.filter(query)
        if let provider = Self.provider(request), desk.forwardsControlPlane(provider: provider) {
            return try await forward(
                request, context, path: "/model-invocation-jobs", body: ByteBuffer(), provider: provider, operation: "ListModelInvocationJobs",
                route: "/bedrock/model-invocation-jobs")
        }
        let page = try await desk.list(filter)
        var out: [String: JSONValue] = ["invocationJobSummaries": .array(page.jobs.map(BatchJobJSON.description))]
        if let next = page.nextOffset { out["nextToken"] = .string(BatchJobPageToken.make(offset: next)) }
        return try BatchJobJSON.response(.object(out))
    }

    func stop(_ request: Request, _ context: Context, raw: String?) async throws -> Response {
        let id = try BatchJobIdentifier.jobId(fromRaw: raw)
        if let provider = Self.provider(request), desk.forwardsControlPlane(provider: provider) {
            return try await forward(
                request, context, path: "/model-invocation-job/\(raw ?? "")/stop", body: ByteBuffer(), provider: provider,
                operation: "StopModelInvocationJob", route: "/bedrock/model-invocation-job/{jobIdentifier}/stop")
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

    /// The call AWS answers is a call of the pipeline: the plugins see it before it is sent (and may refuse it), the
    /// desk's upstream request is its attempt (`CallScope`), and it ends with the status AWS gave the client.
    func forward(
        _ request: Request, _ context: Context, path: String, body: ByteBuffer, provider: String, operation: String, route: String
    ) async throws -> Response {
        var query: [(String, String)] = []
        for (name, value) in request.uri.queryParameters { query.append((String(name), String(value))) }
        let forwarded = ControlPlaneCall(method: request.method.rawValue, path: path, query: query, body: body)
        guard let engine else { return Self.response(try await desk.forward(forwarded, provider: provider)) }
        let call = BedrockRoute.begin(engine, request, context, door: "bedrock", operation: operation, route: route, stream: false)
        let answer: ControlPlaneAnswer
        do {
            answer = try await CallScope.$current.withValue(call) { try await desk.forward(forwarded, provider: provider) }
        } catch let error as GatewayError {
            let aws = BedrockErrorMapper.awsError(for: error)
            call.finish(CallEnd(outcome: .failure, status: aws.status, errorCode: aws.code), error: error)
            throw error
        } catch {
            call.finish(CallEnd(outcome: error is CancellationError ? .clientGone : .failure, status: 500))
            throw error
        }
        call.finish(
            CallEnd(
                outcome: answer.status < 400 ? .success : .failure, status: answer.status,
                errorCode: answer.status < 400 ? nil : Self.errorCode(answer)))
        return BedrockRoute.withPluginHeaders(Self.response(answer), call)
    }

    /// AWS names its error in `x-amzn-ErrorType` (`ResourceNotFoundException:http://internal.amazon.com/…`) or in
    /// the body's `__type`.
    static func errorCode(_ answer: ControlPlaneAnswer) -> String? {
        var named = answer.headers.first { $0.0.lowercased() == "x-amzn-errortype" }?.1
        if named == nil, let document = try? JSONDecoder().decode(JSONValue.self, from: Data(answer.body.readableBytesView)) {
            named = document["__type"]?.stringValue ?? document["code"]?.stringValue
        }
        guard let named, let code = named.split(separator: ":").first?.split(separator: "#").last, !code.isEmpty else { return nil }
        return String(code)
    }

    static func response(_ answer: ControlPlaneAnswer) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: answer.body))
    }
}
