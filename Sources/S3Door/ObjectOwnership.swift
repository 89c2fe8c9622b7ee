import Engine
import Stores

/// Who may do what with an object or upload, by the virtual key that created it: the caller's key may read and
/// change what it created; what was created without a key is readable by every caller and changeable only by
/// callers without a key. Buckets are shared. The caller is the request's (`CallerScope.current`), or, for the batch
/// runner, the job's owner it runs as; without keys every object is keyless, so nothing changes.
enum ObjectOwnership {
    /// The caller's key id; nil without a key.
    static var caller: String? { CallerScope.current?.keyId }

    /// What listings show: the caller's own.
    static var listingScope: OwnerScope { .owner(caller) }

    static func mayRead(_ owner: String?) -> Bool { owner == nil || owner == caller }

    static func mayChange(_ owner: String?) -> Bool { owner == caller }

    static func checkRead(_ object: ObjectRecord) throws(S3Error) {
        guard mayRead(object.owner) else { throw denied(bucket: object.bucket, key: object.key) }
    }

    /// `existing`: the object a write would replace or a delete remove, nil when there is none.
    static func checkChange(_ existing: ObjectRecord?) throws(S3Error) {
        guard let existing, !mayChange(existing.owner) else { return }
        throw denied(bucket: existing.bucket, key: existing.key)
    }

    static func checkUpload(_ upload: MultipartUpload) throws(S3Error) {
        guard mayChange(upload.owner) else { throw denied(bucket: upload.bucket, key: upload.key) }
    }

    /// S3's own answer for an object the caller's credentials may not touch.
    static func denied(bucket: String, key: String) -> S3Error {
        S3Error("AccessDenied", 403, "Access Denied", resource: "/\(bucket)/\(key)", key: key)
    }
}
