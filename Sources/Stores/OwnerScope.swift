/// Whose objects, uploads or batch jobs a listing shows. An owner is a virtual key's id; nil is "created without a
/// key". Listings a caller asks for show only what it owns; the gateway's own work (the CLI, expiry) sees all.
public enum OwnerScope: Sendable, Hashable {
    case everyone
    /// Only those of this owner (nil: only those created without a key).
    case owner(String?)

    public func includes(_ owner: String?) -> Bool {
        switch self {
        case .everyone: true
        case .owner(let wanted): wanted == owner
        }
    }

    /// The SQL condition on an `owner` column (`IS` matches NULL to NULL) and its argument; nil for everyone.
    var sqlCondition: (sql: String, argument: String?)? {
        switch self {
        case .everyone: nil
        case .owner(let wanted): ("owner IS ?", wanted)
        }
    }
}

extension FileIndex {
    /// Every owner's: the gateway's own view.
    public func list(namespace: String, bucket: String, prefix: String, startAfter: String?, limit: Int) async throws -> [ObjectRecord] {
        try await list(namespace: namespace, bucket: bucket, prefix: prefix, startAfter: startAfter, limit: limit, owner: .everyone)
    }
}

extension MultipartStore {
    /// Every owner's: the gateway's own view.
    public func uploads(
        namespace: String, bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int
    ) async throws -> [MultipartUpload] {
        try await uploads(namespace: namespace, bucket: bucket, prefix: prefix, after: after, limit: limit, owner: .everyone)
    }
}
