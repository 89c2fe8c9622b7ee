import Foundation
import Logging

/// Removes multipart uploads nobody completed or aborted (a killed `upload_file`, a crashed job) once they are older
/// than `maxAge`, with their parts' bytes: S3's AbortIncompleteMultipartUpload lifecycle rule, always on. A part
/// still arriving for an upload swept meanwhile fails with NoSuchUpload and its blob is deleted by the writer.
public struct MultipartExpiry: Sendable {
    let uploads: any MultipartStore
    let blobs: any BlobStore
    public let maxAge: TimeInterval
    let now: @Sendable () -> Date
    let logger: Logger
    /// Uploads removed per database read, so one sweep never holds a huge result.
    static let batchSize = 100

    public init(
        uploads: any MultipartStore, blobs: any BlobStore, maxAge: TimeInterval, now: @escaping @Sendable () -> Date = Date.init,
        logger: Logger
    ) {
        self.uploads = uploads
        self.blobs = blobs
        self.maxAge = maxAge
        self.now = now
        self.logger = logger
    }

    public struct Outcome: Sendable, Hashable {
        public var uploads = 0
        public var parts = 0
        public var bytes: Int64 = 0
    }

    /// One pass: every upload initiated more than `maxAge` ago goes, parts' blobs included.
    @discardableResult public func sweep() async throws -> Outcome {
        let cutoff = now().addingTimeInterval(-maxAge)
        var outcome = Outcome()
        while true {
            let expired = try await uploads.uploads(initiatedBefore: cutoff, limit: Self.batchSize)
            for upload in expired {
                // nil: completed or aborted since the read, nothing left to remove.
                guard let parts = try await uploads.abort(uploadId: upload.uploadId) else { continue }
                for part in parts {
                    do {
                        try await blobs.delete(blobId: part.blobId)
                    } catch {
                        logger.warning("could not delete an expired part's bytes", metadata: ["blob": "\(part.blobId)", "error": "\(error)"])
                    }
                    outcome.parts += 1
                    outcome.bytes += part.size
                }
                outcome.uploads += 1
            }
            if expired.count < Self.batchSize { break }
        }
        if outcome.uploads > 0 {
            logger.info(
                "expired multipart uploads removed",
                metadata: ["uploads": "\(outcome.uploads)", "parts": "\(outcome.parts)", "bytes": "\(outcome.bytes)"])
        }
        return outcome
    }
}
