import Foundation
import Stores

/// ListObjects paging over the index: prefix, delimiter roll-up into common prefixes, max-keys, and a cursor.
/// Keys are compared as UTF-8 bytes throughout (Swift's `String ==` and `<` compare canonical equivalence, which would
/// merge distinct keys such as precomposed and decomposed accents).
public enum S3Listing {
    public typealias Fetch = @Sendable (_ prefix: String, _ startAfter: String?, _ limit: Int) async throws -> [ObjectRecord]

    public static let maxKeysLimit = 1000

    /// Greater than any key that extends a common prefix by a character below U+10FFFF: the cursor that skips a
    /// rolled-up group without listing its members.
    static let groupSkip = "\u{10FFFF}"

    public static func list(
        prefix: String, delimiter: String?, maxKeys: Int, startAfter: String?, fetch: Fetch
    ) async throws -> S3ListingPage {
        var page = S3ListingPage()
        guard maxKeys > 0 else { return page }
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        let prefixBytes = Array(prefix.utf8)
        let batchSize = min(maxKeys, maxKeysLimit) + 1
        var cursor = startAfter
        var lastGroup: [UInt8]?
        scanning: while true {
            let batch = try await fetch(prefix, cursor, batchSize)
            var jumped = false
            for record in batch {
                let key = Array(record.key.utf8)
                if let delimiter, let group = commonPrefix(key, prefixLength: prefixBytes.count, delimiter: delimiter) {
                    if group == lastGroup {
                        cursor = record.key
                        continue
                    }
                    if page.count == maxKeys {
                        page.isTruncated = true
                        break scanning
                    }
                    let text = String(decoding: group, as: UTF8.self)
                    page.commonPrefixes.append(text)
                    page.lastEntry = text
                    lastGroup = group
                    cursor = text + groupSkip
                    jumped = true
                    break
                }
                if page.count == maxKeys {
                    page.isTruncated = true
                    break scanning
                }
                page.objects.append(record)
                page.lastEntry = record.key
                cursor = record.key
            }
            if !jumped && batch.count < batchSize { break }
        }
        if page.isTruncated { page.nextCursor = cursor }
        return page
    }

    /// The key up to and including the first delimiter after the prefix, nil when there is none.
    static func commonPrefix(_ key: [UInt8], prefixLength: Int, delimiter: [UInt8]) -> [UInt8]? {
        guard key.count >= prefixLength + delimiter.count else { return nil }
        var i = prefixLength
        while i + delimiter.count <= key.count {
            if key[i..<(i + delimiter.count)].elementsEqual(delimiter) {
                return Array(key[..<(i + delimiter.count)])
            }
            i += 1
        }
        return nil
    }

    /// The cursor a v1 `marker` stands for: with a delimiter, a marker inside a group (as `NextMarker` is when a page
    /// ends on a common prefix) resumes after the whole group.
    public static func cursor(forMarker marker: String, prefix: String, delimiter: String?) -> String {
        guard let delimiter, !delimiter.isEmpty else { return marker }
        let key = Array(marker.utf8)
        let prefixBytes = Array(prefix.utf8)
        guard key.starts(with: prefixBytes),
            let group = commonPrefix(key, prefixLength: prefixBytes.count, delimiter: Array(delimiter.utf8))
        else { return marker }
        return String(decoding: group, as: UTF8.self) + groupSkip
    }

    public static func token(forCursor cursor: String) -> String {
        Data(cursor.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// nil for a token this gateway did not make.
    public static func cursor(forToken token: String) -> String? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard !token.isEmpty, let data = Data(base64Encoded: base64), !data.contains(0) else { return nil }
        return String(validating: Array(data), as: UTF8.self)
    }
}
