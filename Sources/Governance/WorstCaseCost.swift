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
            var tally = Tally()
            for part in request.system { tally.add(part) }
            for message in request.messages {
                for part in message.content { tally.add(part) }
            }
            for tool in request.tools {
                tally.bytes += tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + jsonBytes(tool.inputSchema)
            }
            return (tally.bytes, tally.images, request.inference.maxTokens)
        }
    }

    private struct Tally {
        var bytes = 0
        var images = 0

        mutating func add(_ part: ContentPart) {
            switch part {
            case .text(let text): bytes += text.utf8.count
            case .image: images += 1
            case .document(let document): add(document)
            case .toolUse(let use): bytes += use.name.utf8.count + WorstCaseCost.jsonBytes(use.input)
            case .toolResult(let result):
                for item in result.content {
                    switch item {
                    case .text(let text): bytes += text.utf8.count
                    case .json(let value): bytes += WorstCaseCost.jsonBytes(value)
                    case .image: images += 1
                    case .document(let document): add(document)
                    }
                }
            case .reasoning(.text(let text, _)): bytes += text.utf8.count
            case .reasoning(.redacted(let data)): bytes += data.count
            case .cachePoint: break
            }
        }

        mutating func add(_ document: DocumentPart) {
            switch document.source {
            case .text(let text): bytes += text.utf8.count
            case .bytes(let data): bytes += data.count
            }
        }
    }

    /// The size of `value` written as compact JSON, without writing it (numbers counted generously).
    static func jsonBytes(_ value: JSONValue) -> Int {
        switch value {
        case .null: 4
        case .bool(let flag): flag ? 4 : 5
        case .number: 24
        case .string(let text): text.utf8.count + 2
        case .array(let items): items.reduce(2) { $0 + jsonBytes($1) + 1 }
        case .object(let members): members.reduce(2) { $0 + $1.key.utf8.count + 3 + jsonBytes($1.value) + 1 }
        }
    }
}
