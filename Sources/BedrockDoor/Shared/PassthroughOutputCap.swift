import Foundation
import NIOCore
import SwitchyardModel

/// The output cap a Bedrock body names, read only for governed calls forwarded untouched, so the caller's budget
/// holds that many output tokens instead of the model's maximum: Converse `inferenceConfig.maxTokens`; the
/// InvokeModel families' `max_tokens` (Anthropic, Mistral, Cohere), `inferenceConfig.maxTokens` /
/// `max_new_tokens` (Nova), `textGenerationConfig.maxTokenCount` (Titan), `max_gen_len` (Llama). Anything odd is
/// nil: the forwarded body is the upstream's to judge.
enum PassthroughOutputCap {
    static func read(_ body: ByteBuffer) -> Int? {
        (try? JSONDecoder().decode(Probe.self, from: Data(body.readableBytesView)))?.cap
    }

    private struct Probe: Decodable {
        var cap: Int?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: WireKey.self)
            func int(_ container: KeyedDecodingContainer<WireKey>, _ key: WireKey) -> Int? {
                (try? container.decodeIfPresent(Int.self, forKey: key)) ?? nil
            }
            func nested(_ key: WireKey) -> KeyedDecodingContainer<WireKey>? {
                try? c.nestedContainer(keyedBy: WireKey.self, forKey: key)
            }
            let inference = nested("inferenceConfig")
            cap = inference.flatMap { int($0, "maxTokens") ?? int($0, "max_new_tokens") }
                ?? int(c, "max_tokens") ?? int(c, "max_gen_len")
                ?? nested("textGenerationConfig").flatMap { int($0, "maxTokenCount") }
        }
    }
}
