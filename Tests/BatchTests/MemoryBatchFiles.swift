import Batch
import SwitchyardModel
import Synchronization

/// Objects by (namespace, URI) in memory.
final class MemoryBatchFiles: BatchFiles {
    let objects = Mutex([String: [UInt8]]())

    func put(_ uri: String, _ text: String, namespace: String = "gateway") {
        objects.withLock { $0["\(namespace) \(uri)"] = Array(text.utf8) }
    }

    func text(_ uri: String, namespace: String = "gateway") -> String? {
        objects.withLock { $0["\(namespace) \(uri)"] }.map { String(decoding: $0, as: UTF8.self) }
    }

    func read(namespace: String, uri: String) async throws -> [UInt8] {
        guard let bytes = objects.withLock({ $0["\(namespace) \(uri)"] }) else {
            throw GatewayError(.validation, "no such object: \(uri)")
        }
        return bytes
    }

    func write(namespace: String, uri: String, bytes: [UInt8], contentType: String) async throws {
        objects.withLock { $0["\(namespace) \(uri)"] = bytes }
    }

    func list(namespace: String, prefix: String) async throws -> [String] {
        objects.withLock { objects in
            objects.keys.filter { $0.hasPrefix("\(namespace) \(prefix)") }.map { String($0.dropFirst(namespace.count + 1)) }
        }
    }
}
