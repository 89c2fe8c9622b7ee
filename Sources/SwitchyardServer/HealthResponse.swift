import Foundation
import Hummingbird
import NIOCore
import Stores

enum HealthResponse {
    /// With a shared store, the instances that sent a heartbeat in the last 10 s; the store being unreachable is
    /// reported (503) rather than hidden, since this instance then cannot admit governed calls either.
    static func response(providers: [String], instances: (any InstanceRegistry)?) async -> Response {
        let list = providers.map { "\"\($0)\"" }.joined(separator: ",")
        var body = "{\"status\":\"ok\",\"providers\":[\(list)]"
        var status = HTTPResponse.Status.ok
        if let instances {
            do {
                let live = try await instances.instances(since: Date().addingTimeInterval(-10))
                let rows = live.map { instance in
                    "{\"id\":\(json(instance.id)),\"host\":\(json(instance.host)),\"version\":\(json(instance.version)),"
                        + "\"startedAt\":\(json(iso(instance.startedAt))),\"heartbeatAt\":\(json(iso(instance.heartbeatAt)))}"
                }
                body = "{\"status\":\"ok\",\"instance\":\(json(instances.this.id)),\"providers\":[\(list)],\"instances\":[\(rows.joined(separator: ","))]"
            } catch {
                status = .serviceUnavailable
                body = "{\"status\":\"store unreachable\",\"instance\":\(json(instances.this.id)),\"providers\":[\(list)]"
            }
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
