import SwitchyardModel

/// A request's messages as the plain text the log keeps: one line per block, prefixed by its role. Binary parts
/// (images, non-text documents) are named, not stored.
enum RequestContentText {
    static func render(_ request: ChatRequest, limit: Int) -> String {
        var out = ""
        func add(_ role: String, _ text: String) {
            guard out.utf8.count < limit else { return }
            out += out.isEmpty ? "" : "\n"
            out += "\(role): \(text)"
        }
        for part in request.system { if let text = text(part) { add("system", text) } }
        for message in request.messages {
            for part in message.content { if let text = text(part) { add(message.role.rawValue, text) } }
        }
        return out
    }

    static func text(_ part: ContentPart) -> String? {
        switch part {
        case .text(let text): text
        case .image(let image): "[image \(image.format.rawValue)]"
        case .document(let document): document.text ?? "[document \(document.name)]"
        case .toolUse(let use): "[tool_use \(use.name)]"
        case .toolResult(let result):
            result.content.compactMap { content -> String? in
                if case .text(let text) = content { return text }
                return nil
            }.joined(separator: "\n")
        case .reasoning, .cachePoint: nil
        }
    }
}
