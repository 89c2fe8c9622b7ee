import SwitchyardModel
import Testing

@testable import GeminiDialect
@testable import Providers

@Suite struct GeminiSchemaTests {
    @Test func pydanticStyleSchemaIsRewritten() {
        let schema: JSONValue = [
            "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Args", "type": "object",
            "additionalProperties": false,
            "$defs": ["Unit": ["type": "string", "enum": ["c", "f"], "description": "unit"]],
            "properties": [
                "unit": ["$ref": "#/$defs/Unit", "description": "which unit"],
                "when": ["anyOf": [["type": "string", "format": "date-time"], ["type": "null"]], "default": nil],
                "kind": ["const": "weather"],
                "tags": ["type": "array", "items": ["type": "string", "format": "uri"]],
                "either": ["oneOf": [["type": "string"], ["type": "integer"]]],
                "empty": ["type": "object", "properties": [:], "additionalProperties": true],
            ],
            "required": ["unit", "ghost"],
        ]
        let cleaned = GeminiSchema.parameters(schema)
        #expect(
            cleaned == [
                "title": "Args", "type": "object",
                "properties": [
                    "unit": ["type": "string", "enum": ["c", "f"], "description": "which unit"],
                    "when": ["type": "string", "format": "date-time", "nullable": true, "default": nil],
                    "kind": ["enum": ["weather"]],
                    "tags": ["type": "array", "items": ["type": "string"]],
                    "either": ["anyOf": [["type": "string"], ["type": "integer"]]],
                    "empty": ["type": "object"],
                ],
                "required": ["unit"],
            ])
    }

    @Test func functionWithoutParametersSendsNone() {
        #expect(GeminiSchema.parameters(["type": "object", "properties": [:]]) == nil)
        #expect(GeminiSchema.parameters(["type": "object"]) == nil)
        #expect(GeminiSchema.parameters(["type": "object", "properties": ["a": ["type": "string"]]]) != nil)
    }

    @Test func recursiveReferencesStop() {
        let schema: JSONValue = [
            "type": "object", "properties": ["node": ["$ref": "#/definitions/Node"]],
            "definitions": ["Node": ["type": "object", "properties": ["next": ["$ref": "#/definitions/Node"]]]],
        ]
        #expect(GeminiSchema.parameters(schema) != nil)
    }
}
