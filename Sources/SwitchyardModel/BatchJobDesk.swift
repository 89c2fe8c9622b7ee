/// What the Bedrock door's batch routes ask of the batch system. The door parses and validates the wire format;
/// the desk keeps the jobs. Errors are `GatewayError`s (`.notFound` for an unknown job).
public protocol BatchJobDesk: Sendable {
    /// Returns the new job, or the job an earlier create with the same client request token made.
    func create(_ spec: BatchJobSpec) async throws -> BatchJobInfo
    /// `id` is the 12-character job id.
    func job(id: String) async throws -> BatchJobInfo
    func list(_ filter: BatchJobFilter) async throws -> BatchJobPage
    func stop(id: String) async throws
    /// Whether jobs for this `x-model-provider` go to a control plane that speaks Bedrock's API (AWS itself).
    func forwardsControlPlane(provider: String) -> Bool
    func forward(_ call: ControlPlaneCall, provider: String) async throws -> ControlPlaneAnswer
}
