import Foundation
import Testing

@testable import Stores

struct MultipartStoreCase {
    let opened: OpenedStore
    let uploads: any MultipartStore
    let index: any FileIndex

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        uploads = opened.store.multipart
        index = opened.store.files
    }

    func part(_ number: Int, blob: String, upload: String = "u1") -> MultipartPart {
        MultipartPart(uploadId: upload, partNumber: number, blobId: blob, etag: "e\(number)\(blob)", size: 5, checksumCRC32: "AAAAAA==", lastModified: Date())
    }

    func partsReplaceAndCompleteAtomically() async throws {
        try await uploads.createUpload(MultipartUpload(uploadId: "u1", namespace: "gateway", bucket: "b", key: "k", contentType: "text/plain", initiated: Date()))
        #expect(try await uploads.putPart(part(2, blob: "x")) == nil)
        #expect(try await uploads.putPart(part(1, blob: "y")) == nil)
        #expect(try await uploads.putPart(part(2, blob: "z"))?.blobId == "x")
        #expect(try await uploads.parts(uploadId: "u1").map(\.blobId) == ["y", "z"])
        let object = ObjectRecord(namespace: "gateway", bucket: "b", key: "k", etag: "final", size: 10, contentType: "text/plain", lastModified: Date(), location: .local(blobId: "w"))
        let (replaced, parts) = try await uploads.complete(uploadId: "u1", object: object)
        #expect(replaced == nil && parts.map(\.blobId) == ["y", "z"])
        #expect(try await index.get(namespace: "gateway", bucket: "b", key: "k")?.etag == "final")
        #expect(try await uploads.upload(id: "u1") == nil)
        #expect(try await uploads.parts(uploadId: "u1").isEmpty)
        await #expect(throws: MultipartStoreError.noSuchUpload("u1")) { try await uploads.complete(uploadId: "u1", object: object) }
        await #expect(throws: MultipartStoreError.noSuchUpload("u1")) { try await uploads.putPart(part(3, blob: "late")) }
    }

    func abortReturnsThePartsOnce() async throws {
        try await uploads.createUpload(MultipartUpload(uploadId: "u2", namespace: "gateway", bucket: "b", key: "k", contentType: nil, initiated: Date()))
        try await uploads.putPart(part(1, blob: "p", upload: "u2"))
        #expect(try await uploads.abort(uploadId: "u2")?.map(\.blobId) == ["p"])
        #expect(try await uploads.abort(uploadId: "u2") == nil)
    }
}

/// The `MultipartStore` contract, run against every store backend.
@Suite struct MultipartStoreTests {
    @Test(arguments: StoreBackend.available) func partsReplaceAndCompleteAtomically(_ backend: StoreBackend) async throws {
        try await MultipartStoreCase(backend).partsReplaceAndCompleteAtomically()
    }

    @Test(arguments: StoreBackend.available) func abortReturnsThePartsOnce(_ backend: StoreBackend) async throws {
        try await MultipartStoreCase(backend).abortReturnsThePartsOnce()
    }
}
