import SwitchyardModel

/// Turns one provider's server-sent events into canonical stream events.
protocol StreamTranslator: Sendable {
    mutating func translate(_ event: SSEEvent) throws -> [StreamEvent]
    /// Called when the upstream body ends; throws if the answer was cut short.
    mutating func finish() throws -> [StreamEvent]
}
