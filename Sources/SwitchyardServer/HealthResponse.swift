import Foundation
import Hummingbird
import NIOCore
import Stores
import SwitchyardModel

enum HealthResponse {
    /// One AWS key served by a credential source: where its credentials come from and how they are, never what.
    struct CredentialEntry: Encodable {
        let provider: String
        let key: String
        let source: String
        let state: String
    }

    /// With a shared store, the instances that sent a heartbeat in the last 10 s; the store being unreachable is
    /// reported (503) rather than hidden, since this instance then cannot admit governed calls either.
    static func response(
        providers: [String], instances: (any InstanceRegistry)?,
        credentials: [(provider: String, key: String, supplier: any AWSCredentialSupplier)] = []
    ) async -> Response {
        let list = providers.map { "\"\($0)\"" }.joined(separator: ",")
        var status = HTTPResponse.Status.ok
        var body = "{\"status\":\"ok\""
        if let instances {
            do {
                let live = try await instances.instances(since: Date().addingTimeInterval(-10))
                let rows = live.map { instance in
                    "{\"id\":\(json(instance.id)),\"host\":\(json(instance.host)),\"version\":\(json(instance.version)),"
                        + "\"startedAt\":\(json(iso(instance.startedAt))),\"heartbeatAt\":\(json(iso(instance.heartbeatAt)))}"
                }
                body += ",\"instance\":\(json(instances.this.id)),\"providers\":[\(list)],\"instances\":[\(rows.joined(separator: ","))]"
            } catch {
                status = .serviceUnavailable
                body = "{\"status\":\"store unreachable\",\"instance\":\(json(instances.this.id)),\"providers\":[\(list)]"
            }
        } else {
            body += ",\"providers\":[\(list)]"
        }
        if !credentials.isEmpty {
            let entries = credentials.map {
                CredentialEntry(provider: $0.provider, key: $0.key, source: $0.supplier.sourceDescription, state: $0.supplier.state)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(entries) { body += ",\"aws_credentials\":" + String(decoding: data, as: UTF8.self) }
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body + "}")))
    }

    static func json(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
