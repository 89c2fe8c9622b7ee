import HTTPTypes
import Hummingbird

/// Every answer carries `x-amzn-RequestId`, which boto3 reports as `ResponseMetadata.RequestId`: the request's own
/// id, which its log lines (`hb.request.id`) and its request log row carry too.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var field: HTTPField.Name { HTTPField.Name("x-amzn-RequestId")! }

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[Self.field] == nil {
            response.headers[Self.field] = context.id
        }
        return response
    }
}
