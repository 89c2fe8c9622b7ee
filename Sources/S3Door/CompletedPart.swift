/// One `<Part>` of a CompleteMultipartUpload request.
public struct CompletedPart: Sendable, Hashable {
    public var partNumber: Int
    /// Unquoted.
    public var etag: String
    public var checksumCRC32: String?

    public init(partNumber: Int, etag: String, checksumCRC32: String? = nil) {
        self.partNumber = partNumber
        self.etag = etag
        self.checksumCRC32 = checksumCRC32
    }

    /// The `<Part>` list of a CompleteMultipartUpload document.
    public static func list(from document: S3XMLNode) throws(S3Error) -> [CompletedPart] {
        guard document.name == "CompleteMultipartUpload" else {
            throw S3Error.malformedXML("the root element is not CompleteMultipartUpload")
        }
        var parts: [CompletedPart] = []
        for node in document.children {
            guard node.name == "Part" else { throw S3Error.malformedXML("unexpected element \(node.name)") }
            guard let numberText = node.child("PartNumber")?.text.trimmingASCIISpaces, let number = Int(numberText),
                let etag = node.child("ETag")?.text
            else { throw S3Error.malformedXML("a Part needs a PartNumber and an ETag") }
            let checksum = node.child("ChecksumCRC32")?.text.trimmingASCIISpaces
            parts.append(CompletedPart(partNumber: number, etag: S3Conditions.tags(etag).first ?? "", checksumCRC32: checksum))
        }
        guard !parts.isEmpty else { throw S3Error.malformedXML("a CompleteMultipartUpload names no part") }
        return parts
    }
}
