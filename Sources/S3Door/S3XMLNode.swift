/// An element of a small request document (CompleteMultipartUpload, Delete): name without namespace prefix, text,
/// child elements.
public struct S3XMLNode: Sendable, Hashable {
    public var name: String
    public var text: String
    public var children: [S3XMLNode]

    public init(name: String, text: String = "", children: [S3XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    public func child(_ name: String) -> S3XMLNode? {
        children.first { $0.name == name }
    }

    public func all(_ name: String) -> [S3XMLNode] {
        children.filter { $0.name == name }
    }
}
