/// One page of ListModelInvocationJobs.
public struct BatchJobPage: Sendable, Hashable {
    public var jobs: [BatchJobInfo]
    /// Where the next page starts; nil on the last page.
    public var nextOffset: Int?

    public init(jobs: [BatchJobInfo], nextOffset: Int?) {
        self.jobs = jobs
        self.nextOffset = nextOffset
    }
}
