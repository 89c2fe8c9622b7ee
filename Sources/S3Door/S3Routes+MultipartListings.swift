import Foundation
import Hummingbird
import Stores

/// ListMultipartUploads and ListParts: how a client finds the uploads it abandoned (and then aborts them).
extension S3Routes {
    static var maxListedUploads: Int { 1000 }
    static var maxListedParts: Int { 1000 }

    func listMultipartUploads(_ call: S3Call) async throws -> Response {
        let query = call.query
        guard try await call.backend.bucket(call.bucket) != nil else { throw S3Error.noSuchBucket(call.bucket) }
        let maxUploads = try Self.pageSize(query["max-uploads"], limit: Self.maxListedUploads, name: "max-uploads")
        let encodeURL = try Self.encodesURL(query)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        for name in ["prefix", "delimiter", "key-marker", "upload-id-marker"] {
            if let value = query[name] { try S3RequestTarget.refuseNUL(value, what: "The \(name) parameter") }
        }
        let keyMarker = query["key-marker"].flatMap { $0.isEmpty ? nil : $0 }
        // S3 ignores upload-id-marker without key-marker. A marker inside a rolled-up group (NextKeyMarker of a page
        // that ended on a common prefix) resumes after the whole group.
        var cursor: MultipartUploadCursor?
        if let keyMarker {
            let resumed = S3Listing.cursor(forMarker: keyMarker, prefix: prefix, delimiter: delimiter)
            cursor = MultipartUploadCursor(key: resumed, uploadId: resumed == keyMarker ? query["upload-id-marker"].flatMap { $0.isEmpty ? nil : $0 } : nil)
        }
        let page = try await uploadsPage(call, prefix: prefix, delimiter: delimiter, maxUploads: maxUploads, after: cursor)

        let text: (String) -> String = { encodeURL ? S3PercentEncoding.encode($0) : $0 }
        var xml = S3XMLWriter()
        xml.root("ListMultipartUploadsResult")
        xml.element("Bucket", call.bucket)
        xml.element("KeyMarker", text(keyMarker ?? ""))
        xml.element("UploadIdMarker", keyMarker == nil ? "" : query["upload-id-marker"] ?? "")
        if page.isTruncated, let last = page.last {
            xml.element("NextKeyMarker", text(last.key))
            xml.element("NextUploadIdMarker", last.uploadId ?? "")
        }
        xml.element("Prefix", text(prefix))
        xml.element("Delimiter", delimiter.map(text))
        xml.element("MaxUploads", maxUploads)
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", page.isTruncated)
        for upload in page.uploads {
            xml.start("Upload")
            xml.element("Key", text(upload.key))
            xml.element("UploadId", upload.uploadId)
            Self.initiator(&xml)
            Self.owner(&xml)
            xml.element("StorageClass", "STANDARD")
            xml.element("Initiated", S3Time.iso8601(upload.initiated))
            xml.end()
        }
        for group in page.commonPrefixes {
            xml.start("CommonPrefixes")
            xml.element("Prefix", text(group))
            xml.end()
        }
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    func listParts(_ call: S3Call) async throws -> Response {
        let query = call.query
        let uploadId = query["uploadId"] ?? ""
        let maxParts = try Self.pageSize(query["max-parts"], limit: Self.maxListedParts, name: "max-parts")
        var marker = 0
        if let text = query["part-number-marker"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                throw S3Error.invalidArgument("Provided part-number-marker not an integer or within integer range")
            }
            marker = value
        }
        let (upload, stored) = try await call.backend.parts(bucket: call.bucket, key: call.key, uploadId: uploadId)
        try ObjectOwnership.checkUpload(upload)
        let after = stored.filter { $0.partNumber > marker }
        let shown = after.prefix(maxParts)
        let isTruncated = after.count > shown.count

        var xml = S3XMLWriter()
        xml.root("ListPartsResult")
        xml.element("Bucket", call.bucket)
        xml.element("Key", call.key)
        xml.element("UploadId", uploadId)
        xml.element("PartNumberMarker", marker)
        if let last = shown.last { xml.element("NextPartNumberMarker", last.partNumber) }
        xml.element("MaxParts", maxParts)
        xml.element("IsTruncated", isTruncated)
        Self.initiator(&xml)
        Self.owner(&xml)
        xml.element("StorageClass", "STANDARD")
        for part in shown {
            xml.start("Part")
            xml.element("PartNumber", part.partNumber)
            xml.element("LastModified", S3Time.iso8601(part.lastModified))
            xml.element("ETag", S3Response.quoted(part.etag))
            xml.element("Size", part.size)
            xml.element("ChecksumCRC32", part.checksumCRC32)
            xml.end()
        }
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    struct UploadsPage {
        var uploads: [MultipartUpload] = []
        var commonPrefixes: [String] = []
        var isTruncated = false
        /// Where the next page starts: the last upload (key and id), or the last common prefix (key only).
        var last: MultipartUploadCursor?
        var count: Int { uploads.count + commonPrefixes.count }
    }

    /// Pages through the store in (key, upload id) order, rolling keys that hold the delimiter after the prefix up
    /// into common prefixes, each counted once against `maxUploads`, as ListObjects does.
    func uploadsPage(
        _ call: S3Call, prefix: String, delimiter: String?, maxUploads: Int, after start: MultipartUploadCursor?
    ) async throws -> UploadsPage {
        var page = UploadsPage()
        guard maxUploads > 0 else { return page }
        let delimiterBytes = delimiter.map { Array($0.utf8) }
        let prefixLength = prefix.utf8.count
        let batchSize = maxUploads + 1
        var cursor = start
        var lastGroup: [UInt8]?
        let owner = ObjectOwnership.listingScope
        scanning: while true {
            let batch = try await call.backend.multipartUploads(
                bucket: call.bucket, prefix: prefix, after: cursor, limit: batchSize, owner: owner)
            var jumped = false
            for upload in batch {
                if let delimiterBytes,
                    let group = S3Listing.commonPrefix(Array(upload.key.utf8), prefixLength: prefixLength, delimiter: delimiterBytes)
                {
                    if group == lastGroup {
                        cursor = MultipartUploadCursor(key: upload.key, uploadId: upload.uploadId)
                        continue
                    }
                    if page.count == maxUploads {
                        page.isTruncated = true
                        break scanning
                    }
                    let text = String(decoding: group, as: UTF8.self)
                    page.commonPrefixes.append(text)
                    page.last = MultipartUploadCursor(key: text)
                    lastGroup = group
                    cursor = MultipartUploadCursor(key: text + S3Listing.groupSkip)
                    jumped = true
                    break
                }
                if page.count == maxUploads {
                    page.isTruncated = true
                    break scanning
                }
                page.uploads.append(upload)
                page.last = MultipartUploadCursor(key: upload.key, uploadId: upload.uploadId)
                cursor = page.last
            }
            if !jumped && batch.count < batchSize { break }
        }
        return page
    }

    /// `max-uploads` / `max-parts`: S3 caps them at 1000 and refuses what is not a non-negative integer.
    static func pageSize(_ text: String?, limit: Int, name: String) throws -> Int {
        guard let text else { return limit }
        guard let value = Int(text), value >= 0 else {
            throw S3Error.invalidArgument("Provided \(name) not an integer or within integer range")
        }
        return min(value, limit)
    }

    static func encodesURL(_ query: S3Query) throws -> Bool {
        switch query["encoding-type"] {
        case nil: false
        case "url"?: true
        default: throw S3Error.invalidArgument("Invalid Encoding Method specified in Request")
        }
    }

    static func initiator(_ xml: inout S3XMLWriter) {
        xml.start("Initiator")
        xml.element("ID", "switchyard")
        xml.element("DisplayName", "switchyard")
        xml.end()
    }
}
