import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// Documents in tool results as sorted-key text; answers and stream events are written by hand with
/// `ByteBuffer.writeJSONValue` and its kin (SwitchyardModel).
enum AnthropicJSON {
    /// Sorted keys, so the same document always gives the same text.
    static func documentText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
