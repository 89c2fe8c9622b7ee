import GatewayMetrics
import Hummingbird

/// Counts every request and times it, a stream to the last byte of its body, by route template.
/// Outermost, so answers other middleware gives (the edge guard's refusals) are counted too.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method.rawValue
        let metrics = self.metrics
        do {
            var response = try await next(request, context)
            let status = Int(response.status.code)
            let body = response.body
            // A body of known length is already in memory: counted now, and left as it is, so the server still
            // sends it with its head in one write. Only a body written as it comes (a stream) is timed to its end.
            guard body.contentLength == nil else {
                metrics.record(route: context.endpointPath, method: method, status: status, seconds: Self.seconds(since: started))
                return response
            }
            response.body = ResponseBody { writer in
                do {
                    try await body.write(writer)
                } catch {
                    metrics.record(route: context.endpointPath, method: method, status: status, seconds: Self.seconds(since: started))
                    throw error
                }
                metrics.record(route: context.endpointPath, method: method, status: status, seconds: Self.seconds(since: started))
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            metrics.record(route: context.endpointPath, method: method, status: status, seconds: Self.seconds(since: started))
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let parts = (ContinuousClock.now - start).components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
