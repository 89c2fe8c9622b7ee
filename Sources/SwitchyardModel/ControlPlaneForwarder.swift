/// A provider whose control plane speaks Bedrock's own API, so batch calls can be forwarded instead of translated.
public protocol ControlPlaneForwarder: Sendable {
    /// `endpoint` is the control-plane URL template (`https://bedrock.{region}.amazonaws.com`).
    func forward(_ call: ControlPlaneCall, endpoint: String, target: UpstreamTarget) async throws -> ControlPlaneAnswer
}
