import AnswerCache
import Foundation
import Hummingbird
import Logging

/// `GET /api/cache/stats`, `DELETE /api/cache/entries/{id}` and `DELETE /api/cache?scope=…`, behind the admin token.
struct AdminCacheRoutes<Context: RequestContext>: Sendable {
    let cache: ScopedAnswerCache
    let logger: Logger

    func register(on router: RouterGroup<Context>) {
        router.get("cache/stats") { _, _ in await answer { AdminResponse.json(try AdminJSON.encode(cache.stats)) } }
        router.delete("cache/entries/:id") { _, context in
            await answer {
                guard let id = context.parameters.get("id")?.percentDecoded, !id.isEmpty else {
                    throw AdminAPIError(status: .badRequest, code: "InvalidRequest", "the entry id is missing")
                }
                guard try await cache.delete(id: id) else {
                    throw AdminAPIError(status: .notFound, code: "NotFound", "no cache entry '\(id)'")
                }
                return AdminResponse.json(try AdminJSON.encode(["deleted": 1]))
            }
        }
        router.delete("cache") { request, _ in
            await answer {
                let pairs = AdminLogRoutes<Context>.formPairs(request.uri.query ?? "")
                guard let scope = pairs.first(where: { $0.0 == "scope" })?.1, !scope.isEmpty else {
                    throw AdminAPIError(
                        status: .badRequest, code: "InvalidRequest",
                        "say which entries go: scope=vk:<key id>, group:<name>, global, anonymous, or all")
                }
                guard Self.validScope(scope) else {
                    throw AdminAPIError(
                        status: .badRequest, code: "InvalidRequest", "scope '\(scope)' is not vk:<key id>, group:<name>, global, anonymous or all")
                }
                let deleted = try await cache.purge(scope: scope == "all" ? nil : scope)
                return AdminResponse.json(try AdminJSON.encode(["deleted": deleted]))
            }
        }
    }

    static func validScope(_ scope: String) -> Bool {
        ["all", "global", "anonymous"].contains(scope) || (scope.hasPrefix("vk:") && scope.count > 3)
            || (scope.hasPrefix("group:") && scope.count > 6)
    }

    func answer(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as AdminAPIError {
            return AdminResponse.error(error.status, code: error.code, error.message)
        } catch {
            logger.error("cache administration failed", metadata: ["error": "\(error)"])
            return AdminResponse.error(.internalServerError, code: "InternalError", "the cache store could not be changed")
        }
    }
}
