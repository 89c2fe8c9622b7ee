public enum BlobStoreError: Error, Sendable, Hashable {
    case notFound(String)
    /// The range starts at or past the end of the blob.
    case invalidRange(size: Int64)
}
