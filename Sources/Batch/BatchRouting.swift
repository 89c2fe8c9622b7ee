/// The model id the engine routes a gateway-run job's records by.
enum BatchRouting {
    /// With a provider from the header, a bare model name is that provider's model.
    static func modelId(_ modelId: String, provider: String?) -> String {
        guard let provider, !modelId.hasPrefix(provider + "/") else { return modelId }
        return "\(provider)/\(modelId)"
    }
}
