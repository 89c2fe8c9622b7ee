import AWSWire
import Testing

/// One request boto3 sent, as `tests/vectors/sigv4_vectors.py` recorded it (see SigV4Vectors.swift).
struct SigV4Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var door: SigV4Door
    var method: String
    var path: String
    var query: String
    var authority: String
    var headers: [(String, String)]
    var body: [UInt8]
    /// botocore's canonical request (SigV2: its string to sign).
    var canonical: String

    var testDescription: String { name }

    func request(headers replaced: [(String, String)]? = nil, query: String? = nil) -> SigV4Request {
        let path = Substring(self.path)
        return SigV4Request(
            method: method, path: path, query: Substring(query ?? self.query), authority: authority,
            headers: VectorHeaders(fields: replaced ?? headers),
            s3ResourcePath: door == .s3 ? path.dropFirst("/bedrock/files".count) : nil)
    }

    func replacing(_ name: String, with value: String) -> [(String, String)] {
        headers.map { $0.0.lowercased() == name ? ($0.0, value) : $0 }
    }
}

struct VectorHeaders: SigV4HeaderSource {
    var fields: [(String, String)]

    func values(of lowercasedName: String) -> [String] {
        fields.filter { $0.0.lowercased() == lowercasedName }.map(\.1)
    }
}
