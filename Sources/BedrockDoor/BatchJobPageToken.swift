import Foundation

/// The nextToken of ListModelInvocationJobs: where the next page starts, opaque to callers.
enum BatchJobPageToken {
    static func make(offset: Int) -> String {
        Data("jobs:\(offset)".utf8).base64EncodedString()
    }

    static func offset(_ token: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("jobs:"),
            let offset = Int(text.dropFirst(5)), offset >= 0
        else { return nil }
        return offset
    }
}
