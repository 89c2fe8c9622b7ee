public enum BlobStoreError: Error, Sendable, Hashable {
    case notFound(String)
    /// The range starts at or past the end of the blob.
    case invalidRange(size: Int64)
}

extension BlobStoreError: CustomStringConvertible {
    /// Shown to callers: names neither the blob's path on disk nor the internal case.
    public var description: String {
        switch self {
        case .notFound: "the object's bytes are missing from the store"
        case .invalidRange(let size): "the requested range starts at or past the end of the object (\(size) bytes)"
        }
    }
}
