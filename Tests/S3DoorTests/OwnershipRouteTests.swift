import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import S3Door
@testable import Stores

/// Ownership through the S3 routes in process: the caller is bound by a test middleware as the server's
/// authentication binds it (`CallerScope.current`), from an `x-test-key` header.
@Suite struct OwnershipRouteTests {
    struct TestCaller<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
            let identity = request.headers[HTTPField.Name("x-test-key")!].map { CallerIdentity(keyId: $0, name: $0) }
            return try await CallerScope.$current.withValue(identity) { try await next(request, context) }
        }
    }

    final class Setup {
        let dir = NSTemporaryDirectory() + "switchyard-ownership-" + UUID().uuidString
        let store: GatewayStore
        let router: Router<BasicRequestContext>

        init() async throws {
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            store = try await GatewayStore.open(dataDir: dir, logger: logger)
            let router = Router()
            router.add(middleware: TestCaller())
            S3Routes<BasicRequestContext>(backends: FileBackends(store: store, providers: [], logger: logger), logger: logger).register(on: router)
            self.router = router
        }

        deinit {
            try? store.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    struct Answer {
        var status: HTTPResponse.Status
        var body: String
    }

    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, key: String?, body: String = "",
        headers extra: [String: String] = [:]
    ) async throws -> Answer {
        var headers: HTTPFields = [.contentLength: String(body.utf8.count)]
        if let key { headers[HTTPField.Name("x-test-key")!] = key }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body))
        return Answer(status: response.status, body: String(buffer: response.body))
    }

    @Test func anotherKeysObjectIsAccessDeniedAndNotListed() async throws {
        let s = try await Setup()
        try await Application(router: s.router).test(.router) { client in
            #expect(try await Self.send(client, .put, "/bedrock/files/b/a.txt", key: "key-a", body: "A").status == .ok)
            #expect(try await Self.send(client, .put, "/bedrock/files/b/n.txt", key: nil, body: "N").status == .ok)

            let denied = try await Self.send(client, .get, "/bedrock/files/b/a.txt", key: "key-b")
            #expect(denied.status == .forbidden)
            #expect(denied.body.contains("<Code>AccessDenied</Code>"))
            #expect(try await Self.send(client, .head, "/bedrock/files/b/a.txt", key: "key-b").status == .forbidden)
            #expect(try await Self.send(client, .put, "/bedrock/files/b/a.txt", key: "key-b", body: "B").status == .forbidden)
            #expect(try await Self.send(client, .delete, "/bedrock/files/b/a.txt", key: "key-b").status == .forbidden)
            #expect(
                try await Self.send(client, .put, "/bedrock/files/b/copy.txt", key: "key-b", headers: ["x-amz-copy-source": "/b/a.txt"])
                    .status == .forbidden)
            // The keyless object: readable by a key, changeable only without one.
            #expect(try await Self.send(client, .get, "/bedrock/files/b/n.txt", key: "key-b").body == "N")
            #expect(try await Self.send(client, .delete, "/bedrock/files/b/n.txt", key: "key-b").status == .forbidden)
            #expect(try await Self.send(client, .get, "/bedrock/files/b/a.txt", key: nil).status == .forbidden)

            let listedByB = try await Self.send(client, .get, "/bedrock/files/b?list-type=2", key: "key-b")
            #expect(listedByB.status == .ok)
            #expect(!listedByB.body.contains("<Key>"))
            let listedByA = try await Self.send(client, .get, "/bedrock/files/b?list-type=2", key: "key-a")
            #expect(listedByA.body.contains("<Key>a.txt</Key>") && !listedByA.body.contains("<Key>n.txt</Key>"))
            let listedWithoutKey = try await Self.send(client, .get, "/bedrock/files/b?list-type=2", key: nil)
            #expect(listedWithoutKey.body.contains("<Key>n.txt</Key>") && !listedWithoutKey.body.contains("<Key>a.txt</Key>"))

            let deleteMany = "<Delete><Object><Key>a.txt</Key></Object><Object><Key>n.txt</Key></Object></Delete>"
            let many = try await Self.send(client, .post, "/bedrock/files/b?delete", key: "key-b", body: deleteMany)
            #expect(many.body.contains("<Error><Key>a.txt</Key><Code>AccessDenied</Code>"))
            #expect(many.body.contains("<Error><Key>n.txt</Key><Code>AccessDenied</Code>"))
            #expect(try await Self.send(client, .get, "/bedrock/files/b/a.txt", key: "key-a").body == "A")
            #expect(try await Self.send(client, .delete, "/bedrock/files/b/a.txt", key: "key-a").status == .noContent)
        }
    }

    @Test func anotherKeysUploadIsAccessDeniedAndNotListed() async throws {
        let s = try await Setup()
        try await Application(router: s.router).test(.router) { client in
            let created = try await Self.send(client, .post, "/bedrock/files/b/big.bin?uploads", key: "key-a")
            let uploadId = try #require(created.body.split(separator: "<UploadId>").last?.split(separator: "<").first.map(String.init))
            let part = "/bedrock/files/b/big.bin?partNumber=1&uploadId=\(uploadId)"
            #expect(try await Self.send(client, .put, part, key: "key-b", body: "x").status == .forbidden)
            #expect(try await Self.send(client, .get, "/bedrock/files/b/big.bin?uploadId=\(uploadId)", key: "key-b").status == .forbidden)
            #expect(try await Self.send(client, .delete, "/bedrock/files/b/big.bin?uploadId=\(uploadId)", key: "key-b").status == .forbidden)
            #expect(!(try await Self.send(client, .get, "/bedrock/files/b?uploads", key: "key-b").body.contains(uploadId)))
            #expect(try await Self.send(client, .get, "/bedrock/files/b?uploads", key: "key-a").body.contains(uploadId))
            #expect(try await Self.send(client, .put, part, key: "key-a", body: "x").status == .ok)
            #expect(try await Self.send(client, .delete, "/bedrock/files/b/big.bin?uploadId=\(uploadId)", key: "key-a").status == .noContent)
        }
    }
}
