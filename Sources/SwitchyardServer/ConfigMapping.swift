import Yams

/// A YAML mapping read with typed accessors whose errors name the path and the line.
struct Mapping {
    let path: String
    let line: Int?
    let entries: [(String, Node)]
    /// Where each key is written: a problem with the whole entry is reported there.
    let keyLines: [String: Int]

    init(_ node: Node, path: String) throws {
        if case .scalar(let s) = node, s.tag.rawValue == Tag.Name.null.rawValue || ["", "~", "null"].contains(s.string) {
            self.path = path
            self.line = node.mark?.line
            self.entries = []
            self.keyLines = [:]
            return
        }
        guard let mapping = node.mapping else {
            throw ConfigError("\(path): expected a mapping", line: node.mark?.line)
        }
        self.path = path
        self.line = node.mark?.line
        var entries: [(String, Node)] = []
        var keyLines: [String: Int] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw ConfigError("\(path): keys must be strings", line: key.mark?.line) }
            entries.append((name, value))
            keyLines[name] = key.mark?.line
        }
        self.entries = entries
        self.keyLines = keyLines
    }

    func node(_ key: String) -> Node? {
        entries.first(where: { $0.0 == key })?.1
    }

    func line(_ key: String) -> Int? { node(key)?.mark?.line }

    func allowOnly(_ keys: Set<String>) throws {
        for (name, node) in entries where !keys.contains(name) {
            throw ConfigError("\(path): unknown setting '\(name)' (known: \(keys.sorted().joined(separator: ", ")))", line: node.mark?.line)
        }
    }

    func mapping(_ key: String) throws -> Mapping? {
        guard let node = node(key) else { return nil }
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "null" || s.string == "~" { return nil }
        return try Mapping(node, path: "\(path).\(key)")
    }

    func string(_ key: String) throws -> String? {
        guard let node = node(key) else { return nil }
        guard let scalar = node.scalar else { throw ConfigError("\(path).\(key): expected a string", line: node.mark?.line) }
        return scalar.string
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let node = node(key) else { return nil }
        guard let value = node.int, range.contains(value) else {
            throw ConfigError("\(path).\(key): expected a whole number from \(range.lowerBound) to \(range.upperBound)", line: node.mark?.line)
        }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard let node = node(key) else { return nil }
        guard let value = node.bool else { throw ConfigError("\(path).\(key): expected true or false", line: node.mark?.line) }
        return value
    }

    func double(_ key: String, min: Double) throws -> Double? {
        guard let node = node(key) else { return nil }
        guard let value = node.float ?? node.int.map(Double.init), value >= min else {
            throw ConfigError("\(path).\(key): expected a number no less than \(min)", line: node.mark?.line)
        }
        return value
    }

    func strings(_ key: String) throws -> [String]? {
        guard let node = node(key) else { return nil }
        guard let list = node.sequence else { throw ConfigError("\(path).\(key): expected a list", line: node.mark?.line) }
        return try list.map { item in
            guard let s = item.scalar?.string else { throw ConfigError("\(path).\(key): expected strings", line: item.mark?.line) }
            return s
        }
    }
}
