import Engine
import Pricing
import SwitchyardModel

/// The most a call can cost, held on its key's budgets before it is sent (gateway-features.md §1.4):
/// `ceil(input_bytes / 3)` input tokens at the input price plus the output cap at the output price. There is no
/// tokenizer here; three bytes a token over-counts English, code and JSON (tokenizers average about four), so the
/// hold covers the call. An image counts 1 600 tokens (the most one costs at Claude's default resolution), not its
/// bytes. The output cap is the request's own (`maxTokens`), else the model's longest answer from the price
/// table, else `defaultMaxOutputTokens`.
struct WorstCaseCost: Sendable, Hashable {
    static let bytesPerToken = 3
    static let tokensPerImage = 1_600

    var inputTokens: Int
    var outputTokens: Int
    /// Both at the model's prices; `inputNanos` is also the least a call that reached its upstream is charged
    /// when it breaks off (the upstream read the whole prompt).
    var totalNanos: Int64
    var inputNanos: Int64

    /// Nil when the model has no price in `mode`.
    init?(
        _ call: PlannedCall, costs: CostCalculator, mode: PricingMode, defaultMaxOutputTokens: Int
    ) {
        let (inputBytes, images, cap) = Self.measure(call)
        guard let (price, version) = costs.table.lookup(provider: call.provider, model: call.model) else { return nil }
        inputTokens = Self.tokens(bytes: inputBytes) + images * Self.tokensPerImage
        outputTokens = min(max(0, cap ?? price.maxOutputTokens ?? defaultMaxOutputTokens), 100_000_000)
        let total = CostCalculator.cost(price, version: version, usage: Usage(inputTokens: inputTokens, outputTokens: outputTokens), mode: mode)
        let input = CostCalculator.cost(price, version: version, usage: Usage(inputTokens: inputTokens), mode: mode)
        switch (total, input) {
        case (.priced(let all, _), .priced(let prompt, _)):
            totalNanos = all.nanos
            inputNanos = prompt.nanos
        case (.unpriced(.invalidUsage), _), (_, .unpriced(.invalidUsage)):
            // Past what 64 bits of nano-dollars hold: no budget covers it.
            totalNanos = Int64.max
            inputNanos = Int64.max
        default:
            return nil
        }
    }

    static func tokens(bytes: Int) -> Int { (max(0, bytes) + bytesPerToken - 1) / bytesPerToken }

    /// Bytes of input the model reads, images, and the output cap the call names.
    static func measure(_ call: PlannedCall) -> (bytes: Int, images: Int, cap: Int?) {
        switch call.metering {
        case .none: return (0, 0, 0)
        case .raw(let bytes, let cap): return (bytes, 0, cap)
        case .chat:
            guard let request = call.request else { return (0, 0, nil) }
            let size = ChatRequestSize(request)
            return (size.bytes, size.images, request.inference.maxTokens)
        }
    }
}
