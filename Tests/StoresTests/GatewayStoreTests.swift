import Foundation
import Logging
import NIOCore
import Testing

@testable import Stores

@Suite struct GatewayStoreTests {
    func body(_ text: String) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(ByteBuffer(string: text))
            continuation.finish()
        }
    }

    @Test func openingRemovesBlobsNothingReferences() async throws {
        let dir = try TemporaryDirectory()
        let logger = Logger(label: "test")
        let (indexed, part, orphan): (String, String, String)
        do {
            let store = try await GatewayStore.open(dataDir: dir.path, logger: logger)
            indexed = try await store.blobs.write(body("kept")).blobId
            try await store.files.put(
                ObjectRecord(
                    namespace: "gateway", bucket: "b", key: "k", etag: "e1", size: 4, contentType: nil, lastModified: Date(),
                    location: .local(blobId: indexed)))
            part = try await store.blobs.write(body("part")).blobId
            try await store.multipart.createUpload(
                MultipartUpload(uploadId: "u1", namespace: "gateway", bucket: "b", key: "big", contentType: nil, initiated: Date()))
            try await store.multipart.putPart(
                MultipartPart(uploadId: "u1", partNumber: 1, blobId: part, etag: "p1", size: 4, checksumCRC32: "x", lastModified: Date()))
            // What a crash between writing the bytes and indexing them leaves behind.
            orphan = try await store.blobs.write(body("lost")).blobId
            try store.close()
        }
        let store = try await GatewayStore.open(dataDir: dir.path, logger: logger)
        let remaining = try await store.blobs.allBlobIds()
        #expect(remaining == [indexed, part].sorted())
        #expect(!remaining.contains(orphan))
        try store.close()
    }
}
