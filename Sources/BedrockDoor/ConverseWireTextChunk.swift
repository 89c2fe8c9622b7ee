/// `{"text": "…"}`, the element of a document's `source.content` and of `citationsContent.content`.
struct ConverseWireTextChunk: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let member = try c.unionMember("a text block")
        guard member.stringValue == "text" else { throw c.failure(member, "unknown member, expected 'text'") }
        text = try c.decode(String.self, forKey: member)
    }
}
