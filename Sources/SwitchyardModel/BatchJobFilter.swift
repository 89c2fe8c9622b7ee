import Foundation

/// ListModelInvocationJobs' query, validated.
public struct BatchJobFilter: Sendable, Hashable {
    public var status: String?
    public var nameContains: String?
    public var submittedAfter: Date?
    public var submittedBefore: Date?
    public var ascending: Bool
    public var maxResults: Int
    /// Where the previous page ended (the door's token, decoded).
    public var offset: Int

    public init(
        status: String? = nil, nameContains: String? = nil, submittedAfter: Date? = nil, submittedBefore: Date? = nil,
        ascending: Bool = false, maxResults: Int = 1000, offset: Int = 0
    ) {
        self.status = status
        self.nameContains = nameContains
        self.submittedAfter = submittedAfter
        self.submittedBefore = submittedBefore
        self.ascending = ascending
        self.maxResults = maxResults
        self.offset = offset
    }
}
