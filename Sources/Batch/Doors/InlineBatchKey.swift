import Foundation

/// Where a batch given inline (Anthropic's `requests`) keeps its records and results in the gateway's own store:
/// one folder per batch under bucket `door-batches`, written as the creating key, so the runner (acting as that
/// key) reads it and no other key sees it.
enum InlineBatchKey {
    static let namespace = "gateway"
    static let bucket = "door-batches"
    static let requests = "requests.jsonl"
    static let results = "results.jsonl"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A fresh folder (`s3://door-batches/<token>/`); random rather than the job id, which is drawn only when the
    /// job is inserted, after its records are written.
    static func folder() -> String {
        var generator = SystemRandomNumberGenerator()
        let token = String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        return "s3://\(bucket)/\(token)/"
    }
}
