import Foundation
import NIOCore

func jsonObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    let any = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
    guard let object = any as? [String: Any] else { throw NotAnObject() }
    return object
}

struct NotAnObject: Error {}

func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { $0 != 0x20 && $0 != 0x0A })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func list(_ key: String) -> [Any]? { self[key] as? [Any] }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}
