/// What family detection needs to know about a body: its top-level members, `schemaVersion`, and the shape of the
/// first message's content. It never fails on odd shapes; the family's own decoder reports those precisely.
struct InvokeBodyProbe: Decodable {
    enum MessageShape {
        /// `[{"type": "text", …}]`: Anthropic.
        case typedBlocks
        /// `[{"text": …}]`: Nova (Converse-style unions).
        case untypedBlocks
        /// `"content": "…"`: Anthropic or Mistral chat.
        case text
        case unknown
    }

    var keys: Set<String> = []
    var schemaVersion: String?
    var messageShape = MessageShape.unknown

    init(keys: Set<String>, schemaVersion: String? = nil, messageShape: MessageShape = .unknown) {
        self.keys = keys
        self.schemaVersion = schemaVersion
        self.messageShape = messageShape
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        keys = Set(c.allKeys.map(\.stringValue))
        schemaVersion = try? c.decodeIfPresent(String.self, forKey: "schemaVersion")
        // Only the first message is looked at: a long conversation is not decoded twice.
        if keys.contains("messages"), var list = try? c.nestedUnkeyedContainer(forKey: "messages"), !list.isAtEnd,
           let first = try? list.decode(FirstContent.self) {
            messageShape = first.shape
        }
    }

    private struct FirstContent: Decodable {
        var shape = MessageShape.unknown

        init(from decoder: any Decoder) throws {
            guard let c = try? decoder.container(keyedBy: ConverseWireKey.self) else { return }
            if (try? c.decode(String.self, forKey: "content")) != nil {
                shape = .text
            } else if var blocks = try? c.nestedUnkeyedContainer(forKey: "content"), !blocks.isAtEnd,
                      let block = try? blocks.decode(Block.self) {
                shape = block.typed ? .typedBlocks : .untypedBlocks
            }
        }
    }

    private struct Block: Decodable {
        var typed = false

        init(from decoder: any Decoder) throws {
            typed = (try? decoder.container(keyedBy: ConverseWireKey.self).contains("type")) ?? false
        }
    }
}
