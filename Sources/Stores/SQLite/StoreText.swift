/// GRDB binds a Swift string to SQLite as a C string, so the text ends at its first NUL: `a\0b` would be stored,
/// found and deleted as `a`. The S3 door refuses such keys; this is the index's own guard, so no caller can merge two
/// keys by accident.
public enum StoreText {
    public struct ContainsNUL: Error, Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var description: String { "the \(field) contains a NUL character, which the index cannot store" }
    }

    static func check(_ values: (field: String, text: String?)...) throws(ContainsNUL) {
        for (field, text) in values where text?.utf8.contains(0) == true {
            throw ContainsNUL(field: field)
        }
    }
}
