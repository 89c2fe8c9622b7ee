/// The query string of an S3 request, decoded, in order. A bare flag (`?uploads`) has the value "".
public struct S3Query: Sendable, Hashable {
    public var items: [Item]

    public struct Item: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public init(items: [Item] = []) {
        self.items = items
    }

    public static func parse(_ raw: Substring) throws(S3Error) -> S3Query {
        var items: [Item] = []
        for piece in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue) =
                if let equals = piece.firstIndex(of: "=") { (piece[..<equals], piece[piece.index(after: equals)...]) }
                else { (piece, Substring("")) }
            guard let name = S3PercentEncoding.decode(rawName, plusIsSpace: true),
                let value = S3PercentEncoding.decode(rawValue, plusIsSpace: true)
            else {
                throw S3Error("InvalidURI", 400, "Couldn't parse the specified URI: a query parameter is not valid percent-encoded UTF-8.")
            }
            items.append(Item(name: name, value: value))
        }
        return S3Query(items: items)
    }

    public subscript(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    public func has(_ name: String) -> Bool {
        items.contains { $0.name == name }
    }
}
