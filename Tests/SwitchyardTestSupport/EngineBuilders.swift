import Engine
import Logging
import SwitchyardModel

/// Small builders so each test says only what matters to it.
public enum TestEngines {
    /// Prints only critical lines, but keeps metadata: Hummingbird reads a request's id back from its logger.
    public static let quietLogger: Logger = {
        var logger = Logger(label: "switchyard-tests", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = .critical
        return logger
    }()

    /// A provider config with fast retries and a base URL nothing listens on (a scripted adapter never dials it).
    public static func provider(
        _ name: String = "openai", kind: ProviderKind = .openai, keys: [KeyConfig] = [KeyConfig(name: "main", value: "sk-main")],
        maxRetries: Int = 2, timeoutSeconds: Double = 10, retryBackoffMs: Int = 1
    ) -> ProviderConfig {
        ProviderConfig(
            name: name, kind: kind, baseURL: "http://127.0.0.1:9", keys: keys, timeoutSeconds: timeoutSeconds, maxRetries: maxRetries,
            retryBackoffMs: retryBackoffMs)
    }

    /// An engine over scripted adapters, each paired with its config.
    public static func engine(
        _ providers: [(ProviderConfig, any ChatProvider)], aliases: [String: String] = [:], plugins: [any CallPlugin] = []
    ) -> Engine {
        Engine(
            providers: providers.map { ProviderRuntime(config: $0.0, adapter: $0.1) }, aliases: aliases, plugins: plugins,
            logger: quietLogger)
    }

    public static func engine(_ config: ProviderConfig, _ adapter: any ChatProvider, plugins: [any CallPlugin] = []) -> Engine {
        engine([(config, adapter)], plugins: plugins)
    }

    public static func descriptor(
        _ operation: String = "Converse", requestId: String = "req-1", model: String? = nil, stream: Bool = false,
        pinnedKey: String? = nil, traceParent: String? = nil
    ) -> CallDescriptor {
        CallDescriptor(
            requestId: requestId, door: "test", operation: operation, route: "/test", modelRequested: model, stream: stream,
            traceParent: traceParent, pinnedKey: pinnedKey)
    }

    public static func chat(_ text: String = "hi", fallbacks: [String] = []) -> ChatRequest {
        ChatRequest(messages: [Message(role: .user, content: [.text(text)])], fallbacks: fallbacks)
    }

    /// The error `body` throws, or nil when it succeeds.
    public static func failure(_ body: () async throws -> Void) async -> GatewayError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? GatewayError
        }
    }
}
