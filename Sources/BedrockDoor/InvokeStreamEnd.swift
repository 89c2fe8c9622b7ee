import SwitchyardModel

/// How a streamed answer ended, for the family's last chunk.
struct InvokeStreamEnd: Sendable {
    var stopReason: StopReason
    var usage: Usage
    var metrics: InvocationMetrics
}
