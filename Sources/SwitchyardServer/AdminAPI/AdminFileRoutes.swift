import Foundation
import Hummingbird
import Logging
import S3Door
import Stores

/// `GET /api/files?namespace=…`: the buckets of one file namespace with their newest objects, every owner's, behind
/// the admin token. What the dashboard's Files page shows; the bytes stay behind the S3 door.
struct AdminFileRoutes<Context: RequestContext>: Sendable {
    let files: FileBackends
    let logger: Logger

    static var objectsPerBucket: Int { 200 }

    struct Listing: Encodable {
        struct Bucket: Encodable {
            var name: String
            var created: String
            var objects: [Object]
            /// More objects than `objectsPerBucket` are in the bucket.
            var truncated: Bool
        }

        struct Object: Encodable {
            var key: String
            var size: Int64
            var contentType: String?
            var lastModified: String
            var owner: String?
        }

        var namespaces: [String]
        var namespace: String
        var buckets: [Bucket]
    }

    func register(on router: RouterGroup<Context>) {
        router.get("files") { request, _ in
            let namespace = AdminLogRoutes<Context>.formPairs(request.uri.query ?? "").first { $0.0 == "namespace" }?.1 ?? FileBackends.gatewayNamespace
            do {
                guard files.namespaces.contains(namespace) else {
                    throw AdminAPIError(
                        status: .badRequest, code: "InvalidRequest",
                        "namespace '\(namespace)' is not one of \(files.namespaces.joined(separator: ", "))")
                }
                let backend = try files.resolve(namespace)
                var buckets: [Listing.Bucket] = []
                for bucket in try await backend.buckets() {
                    let objects = try await backend.list(
                        bucket: bucket.name, prefix: "", startAfter: nil, limit: Self.objectsPerBucket + 1, owner: .everyone)
                    buckets.append(
                        Listing.Bucket(
                            name: bucket.name, created: LogRowJSON.time(bucket.created),
                            objects: objects.prefix(Self.objectsPerBucket).map {
                                Listing.Object(key: $0.key, size: $0.size, contentType: $0.contentType, lastModified: LogRowJSON.time($0.lastModified), owner: $0.owner)
                            },
                            truncated: objects.count > Self.objectsPerBucket))
                }
                let listing = Listing(namespaces: files.namespaces, namespace: namespace, buckets: buckets)
                return AdminResponse.json(try AdminJSON.encode(listing))
            } catch let error as AdminAPIError {
                return AdminResponse.error(error.status, code: error.code, error.message)
            } catch let error as S3Error {
                return AdminResponse.error(.badGateway, code: error.code, error.message)
            } catch {
                logger.error("file listing failed", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
                return AdminResponse.error(.internalServerError, code: "InternalError", "the files of '\(namespace)' could not be listed")
            }
        }
    }
}
