import Hummingbird
import Stores

/// Ownership in a namespace that is a real S3 account, where S3 keeps the objects and the gateway only forwards:
/// the owner of each object the gateway created there is in `ProviderFileOwners`, checked before a request goes
/// up and updated once S3 accepted it. An object with no entry (made outside the gateway) is not checked; bucket
/// operations (listings, DeleteObjects) go up unchecked.
extension S3Routes {
    /// What to write into the owners once S3 accepted the request.
    enum PassthroughOwnerChange {
        case record(bucket: String, key: String)
        case forget(bucket: String, key: String)
    }

    /// Refuses another key's object or upload with `AccessDenied`; returns what the request changes.
    func checkPassthroughOwnership(_ call: S3Call, namespace: String) async throws -> PassthroughOwnerChange? {
        guard let owners = backends.owners, let bucket = call.target.bucket, let key = call.target.key else { return nil }
        let caller = ObjectOwnership.caller
        func entry(_ bucket: String, _ key: String) async throws -> String?? {
            try await owners.owner(namespace: namespace, bucket: bucket, key: key)
        }
        let method = call.request.method
        let multipart = call.query.has("uploadId")
        if method == .get || method == .head, !multipart {
            if case .some(.some(let owner)) = try await entry(bucket, key), owner != caller {
                throw ObjectOwnership.denied(bucket: bucket, key: key)
            }
            return nil
        }
        if case .some(let owner) = try await entry(bucket, key), owner != caller {
            throw ObjectOwnership.denied(bucket: bucket, key: key)
        }
        if method == .put, !multipart, let source = call.header(S3Headers.copySource) {
            let (sourceBucket, sourceKey) = try S3RequestTarget.copySource(source)
            if case .some(.some(let owner)) = try await entry(sourceBucket, sourceKey), owner != caller {
                throw ObjectOwnership.denied(bucket: sourceBucket, key: sourceKey)
            }
        }
        switch method {
        case .delete where !multipart: return .forget(bucket: bucket, key: key)
        case .put where !multipart, .post where call.query.has("uploads") || multipart: return .record(bucket: bucket, key: key)
        default: return nil
        }
    }

    func applyPassthroughOwnership(_ change: PassthroughOwnerChange?, namespace: String) async throws {
        guard let change, let owners = backends.owners else { return }
        switch change {
        case .record(let bucket, let key):
            try await owners.record(namespace: namespace, bucket: bucket, key: key, owner: ObjectOwnership.caller)
        case .forget(let bucket, let key):
            try await owners.forget(namespace: namespace, bucket: bucket, key: key)
        }
    }
}
