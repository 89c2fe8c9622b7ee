import Foundation
import SwitchyardModel

/// Completion prompts written in a chat template (Llama 3 headers; Llama 2 and Mistral `[INST]` tags) are turned
/// back into turns, so that a chat API sees a conversation rather than another model's control tokens. Any other
/// prompt is one user turn, exactly as written.
enum InvokePromptTemplate {
    static func conversation(_ prompt: String) -> (system: [ContentPart], messages: [Message]) {
        var turns: [(Role?, String)] = []
        if prompt.contains("<|start_header_id|>") {
            turns = llama3(prompt)
        } else if prompt.contains("[INST]") {
            turns = instruct(prompt)
        }
        let system = turns.filter { $0.0 == nil }.map(\.1).filter { !$0.isEmpty }
        var messages: [Message] = []
        for case (let role?, let text) in turns where !text.isEmpty {
            if let last = messages.last, last.role == role, case .text(let previous)? = last.content.first {
                messages[messages.count - 1].content = [.text(previous + "\n\n" + text)]
            } else {
                messages.append(Message(role: role, content: [.text(text)]))
            }
        }
        guard messages.first?.role == .user else {
            return ([], [Message(role: .user, content: [.text(prompt)])])
        }
        return (system.map { .text($0) }, messages)
    }

    /// `<|start_header_id|>role<|end_header_id|>\n\ntext<|eot_id|>`; nil role = system.
    static func llama3(_ prompt: String) -> [(Role?, String)] {
        var turns: [(Role?, String)] = []
        for section in prompt.components(separatedBy: "<|start_header_id|>").dropFirst() {
            guard let end = section.range(of: "<|end_header_id|>") else { continue }
            let name = section[..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            var body = section[end.upperBound...]
            if let eot = body.range(of: "<|eot_id|>") { body = body[..<eot.lowerBound] }
            let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
            switch name {
            case "system": turns.append((nil, text))
            case "assistant": turns.append((.assistant, text))
            default: turns.append((.user, text))
            }
        }
        return turns
    }

    /// `<s>[INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer</s><s>[INST] user [/INST]`
    static func instruct(_ prompt: String) -> [(Role?, String)] {
        var turns: [(Role?, String)] = []
        let text = prompt.replacingOccurrences(of: "<s>", with: "").replacingOccurrences(of: "</s>", with: "")
        for segment in text.components(separatedBy: "[INST]").dropFirst() {
            let parts = segment.components(separatedBy: "[/INST]")
            var user = parts[0]
            if let open = user.range(of: "<<SYS>>"), let close = user.range(of: "<</SYS>>"), open.upperBound <= close.lowerBound {
                turns.append((nil, user[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)))
                user.removeSubrange(open.lowerBound..<close.upperBound)
            }
            turns.append((.user, user.trimmingCharacters(in: .whitespacesAndNewlines)))
            if parts.count > 1 {
                turns.append((.assistant, parts[1...].joined().trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        return turns
    }
}
