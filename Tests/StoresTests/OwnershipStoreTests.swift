import Foundation
import GRDB
import Testing

@testable import Stores

/// The owner columns and owner-scoped listings of v8, on a real SQLite database.
@Suite struct OwnershipStoreTests {
    let dir: TemporaryDirectory
    let pool: DatabasePool

    init() throws {
        dir = try TemporaryDirectory()
        pool = try StoreDatabase.open(dataDir: dir.path)
    }

    func object(_ key: String, owner: String?) -> ObjectRecord {
        ObjectRecord(
            namespace: "gateway", bucket: "b", key: key, etag: "etag-\(key)", size: 1, contentType: nil, lastModified: Date(),
            location: .local(blobId: "blob-\(key)"), owner: owner)
    }

    @Test func objectsKeepTheirOwnerAndListingsShowOnlyTheOnesAsked() async throws {
        let index = SQLiteFileIndex(pool: pool)
        try await index.put(object("a1", owner: "key-a"))
        try await index.put(object("b1", owner: "key-b"))
        try await index.put(object("n1", owner: nil))
        try await index.put(object("a2", owner: "key-a"))
        #expect(try await index.get(namespace: "gateway", bucket: "b", key: "a1")?.owner == "key-a")
        #expect(try await index.get(namespace: "gateway", bucket: "b", key: "n1")?.owner == nil)
        func keys(_ owner: OwnerScope, startAfter: String? = nil, limit: Int = 10) async throws -> [String] {
            try await index.list(namespace: "gateway", bucket: "b", prefix: "", startAfter: startAfter, limit: limit, owner: owner).map(\.key)
        }
        #expect(try await keys(.owner("key-a")) == ["a1", "a2"])
        #expect(try await keys(.owner("key-a"), startAfter: "a1") == ["a2"])
        #expect(try await keys(.owner("key-a"), limit: 1) == ["a1"])
        #expect(try await keys(.owner("key-b")) == ["b1"])
        #expect(try await keys(.owner(nil)) == ["n1"])
        #expect(try await keys(.everyone) == ["a1", "a2", "b1", "n1"])
        // Replacing an object gives it the new writer.
        try await index.put(object("n1", owner: "key-b"))
        #expect(try await keys(.owner(nil)) == [])
        #expect(try await keys(.owner("key-b")) == ["b1", "n1"])
    }

    @Test func uploadsKeepTheirOwnerAndCompletingPassesItOn() async throws {
        let uploads = SQLiteMultipartStore(pool: pool)
        for (id, owner) in [("u1", "key-a"), ("u2", nil), ("u3", "key-b")] as [(String, String?)] {
            try await uploads.createUpload(
                MultipartUpload(uploadId: id, namespace: "gateway", bucket: "b", key: "k-\(id)", contentType: nil, initiated: Date(), owner: owner))
        }
        #expect(try await uploads.upload(id: "u1")?.owner == "key-a")
        func ids(_ owner: OwnerScope) async throws -> [String] {
            try await uploads.uploads(namespace: "gateway", bucket: "b", prefix: "", after: nil, limit: 10, owner: owner).map(\.uploadId)
        }
        #expect(try await ids(.owner("key-a")) == ["u1"])
        #expect(try await ids(.owner(nil)) == ["u2"])
        #expect(try await ids(.everyone) == ["u1", "u2", "u3"])
        _ = try await uploads.complete(uploadId: "u1", object: object("k-u1", owner: "key-a"))
        #expect(try await SQLiteFileIndex(pool: pool).get(namespace: "gateway", bucket: "b", key: "k-u1")?.owner == "key-a")
    }

    @Test func batchJobsKeepTheirOwnerAndListByIt() async throws {
        let store = SQLiteBatchJobStore(pool: pool)
        for (index, owner) in ["key-a", nil, "key-a", "key-b"].enumerated() {
            let id = "job\(index)"
            let submitted = Date(timeIntervalSince1970: 1_700_000_000 + Double(index))
            try await store.insert(
                BatchJob(
                    id: id, arn: "arn:\(id)", name: id, modelId: "m", runner: "gateway", roleArn: "r", clientRequestToken: nil,
                    status: .submitted, submitTime: submitted, lastModifiedTime: submitted, inputURI: "s3://i/k",
                    outputURI: "s3://o/", timeoutHours: nil, tags: [:], invocationType: nil, owner: owner))
        }
        #expect(try await store.job(id: "job0")?.owner == "key-a")
        #expect(try await store.job(id: "job1")?.owner == nil)
        #expect(try await store.list(BatchJobQuery(owner: .owner("key-a"))).map(\.id) == ["job2", "job0"])
        #expect(try await store.list(BatchJobQuery(owner: .owner(nil))).map(\.id) == ["job1"])
        #expect(try await store.list(BatchJobQuery()).count == 4)
        // An update keeps the owner.
        try await store.update(id: "job0") { $0.status = .inProgress }
        #expect(try await store.job(id: "job0")?.owner == "key-a")
    }

    @Test func providerFileOwnersRecordReplaceAndForget() async throws {
        let owners = SQLiteProviderFileOwners(pool: pool)
        #expect(try await owners.owner(namespace: "bedrock", bucket: "b", key: "x") == nil)
        try await owners.record(namespace: "bedrock", bucket: "b", key: "x", owner: "key-a")
        try await owners.record(namespace: "bedrock", bucket: "b", key: "y", owner: nil)
        try await owners.record(namespace: "bedrock", bucket: "b", key: "z", owner: "key-a")
        #expect(try await owners.owner(namespace: "bedrock", bucket: "b", key: "x") == .some("key-a"))
        #expect(try await owners.owner(namespace: "bedrock", bucket: "b", key: "y") == .some(nil))
        #expect(try await owners.owner(namespace: "other", bucket: "b", key: "x") == nil)
        #expect(try await owners.owner(namespace: "bedrock", bucket: "b", key: "z") == .some("key-a"))
        try await owners.record(namespace: "bedrock", bucket: "b", key: "x", owner: "key-b")
        #expect(try await owners.owner(namespace: "bedrock", bucket: "b", key: "x") == .some("key-b"))
        try await owners.forget(namespace: "bedrock", bucket: "b", key: "x")
        #expect(try await owners.owner(namespace: "bedrock", bucket: "b", key: "x") == nil)
    }
}
