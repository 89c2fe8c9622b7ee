import SwitchyardModel

/// JSON Schema → the OpenAPI subset Gemini accepts for function parameters. Gemini refuses the whole request for
/// one key it does not know (`$schema`, `additionalProperties`, `$ref`, …), so unknown keys go and the common
/// JSON Schema spellings it lacks are rewritten: local `$ref`s inlined, `oneOf` → `anyOf`, `const` → `enum`,
/// `type: [T, "null"]` → `nullable`.
public enum GeminiSchema {
    static let allowedKeys: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    ]
    /// Gemini accepts only these `format`s; others (`email`, `uri`, …) fail the request.
    static let allowedFormats: Set<String> = ["enum", "date-time", "int32", "int64", "float", "double"]
    /// Deep enough for real schemas, shallow enough that a recursive `$ref` cannot loop.
    static let maxDepth = 24

    /// The `parameters` of a function declaration; nil for a function without parameters, since Gemini refuses an
    /// object schema with no properties.
    public static func parameters(_ schema: JSONValue) -> JSONValue? {
        let definitions = (schema["$defs"]?.objectValue ?? [:]).merging(schema["definitions"]?.objectValue ?? [:]) { a, _ in a }
        let cleaned = clean(schema, definitions: definitions, depth: 0)
        guard case .object(let members) = cleaned else { return nil }
        if members["type"]?.stringValue?.lowercased() == "object", members["properties"] == nil, members["anyOf"] == nil {
            return nil
        }
        return cleaned
    }

    static func clean(_ schema: JSONValue, definitions: [String: JSONValue], depth: Int) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        guard depth < maxDepth else { return ["type": "object"] }
        if let ref = members.removeValue(forKey: "$ref")?.stringValue, let target = resolve(ref, definitions)?.objectValue {
            // The referring schema's own words (a description) win over the definition's.
            members = target.merging(members) { _, own in own }
            return clean(.object(members), definitions: definitions, depth: depth + 1)
        }
        if let all = members.removeValue(forKey: "allOf")?.arrayValue {
            for part in all {
                guard let resolved = clean(part, definitions: definitions, depth: depth + 1).objectValue else { continue }
                members.merge(resolved) { own, _ in own }
            }
        }
        if let one = members.removeValue(forKey: "oneOf"), members["anyOf"] == nil { members["anyOf"] = one }
        if let constant = members.removeValue(forKey: "const"), members["enum"] == nil { members["enum"] = [constant] }
        if case .array(let types) = members["type"] {
            let names = types.compactMap(\.stringValue)
            let real = names.filter { $0 != "null" }
            if real.count < names.count { members["nullable"] = true }
            if real.count == 1 {
                members["type"] = .string(real[0])
            } else {
                members["type"] = nil
                if !real.isEmpty, members["anyOf"] == nil { members["anyOf"] = .array(real.map { ["type": .string($0)] }) }
            }
        }
        if let format = members["format"]?.stringValue, !allowedFormats.contains(format) { members["format"] = nil }
        if let any = members["anyOf"]?.arrayValue {
            var options: [JSONValue] = []
            for option in any {
                if option["type"]?.stringValue == "null" {
                    members["nullable"] = true
                } else {
                    options.append(clean(option, definitions: definitions, depth: depth + 1))
                }
            }
            if options.count == 1, let only = options[0].objectValue {
                // `Optional[X]` from pydantic: X itself, nullable.
                members["anyOf"] = nil
                members.merge(only) { own, _ in own }
            } else {
                members["anyOf"] = options.isEmpty ? nil : .array(options)
            }
        }
        if let properties = members["properties"]?.objectValue {
            if properties.isEmpty {
                members["properties"] = nil
                members["required"] = nil
            } else {
                members["properties"] = .object(properties.mapValues { clean($0, definitions: definitions, depth: depth + 1) })
                if let required = members["required"]?.arrayValue {
                    members["required"] = .array(required.filter { $0.stringValue.map { properties[$0] != nil } ?? false })
                }
            }
        }
        if let items = members["items"] { members["items"] = clean(items, definitions: definitions, depth: depth + 1) }
        return .object(members.filter { allowedKeys.contains($0.key) })
    }

    /// `#/$defs/Name` or `#/definitions/Name`; other references cannot be followed.
    static func resolve(_ ref: String, _ definitions: [String: JSONValue]) -> JSONValue? {
        for prefix in ["#/$defs/", "#/definitions/"] where ref.hasPrefix(prefix) {
            return definitions[String(ref.dropFirst(prefix.count))]
        }
        return nil
    }
}
