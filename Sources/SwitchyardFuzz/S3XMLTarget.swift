import S3Door

/// S3 request documents: the reader, then what DeleteObjects and CompleteMultipartUpload read from the tree.
enum S3XMLTarget {
    static func run(_ input: [UInt8]) -> Bool {
        guard let document = try? S3XMLReader.parse(input) else { return false }
        let parts = try? CompletedPart.list(from: document)
        let keys = document.all("Object").compactMap { $0.child("Key")?.text }
        _ = document.child("Quiet")?.text
        return parts != nil || !keys.isEmpty
    }
}
