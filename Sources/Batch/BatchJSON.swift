import Foundation
import SwitchyardModel

/// JSON text of canonical documents, compact and with stable member order.
enum BatchJSON {
    static func text(_ value: JSONValue) -> String {
        String(decoding: data(value), as: UTF8.self)
    }

    static func data(_ value: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    static func value(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func quoted(_ string: String) -> String {
        text(.string(string))
    }
}
