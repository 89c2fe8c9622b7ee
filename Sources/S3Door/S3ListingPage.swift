import Stores

/// One page of a bucket listing.
public struct S3ListingPage: Sendable {
    public var objects: [ObjectRecord] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    /// Exclusive cursor the next page starts after (carried in the continuation token), when truncated.
    public var nextCursor: String?
    /// The last key or common prefix on the page: ListObjects (v1) `NextMarker`.
    public var lastEntry: String?

    public init() {}

    public var count: Int { objects.count + commonPrefixes.count }
}
