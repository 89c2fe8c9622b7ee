import Foundation
import HTTPTypes
import Hummingbird
import Stores

extension S3Routes {
    func listBuckets(_ call: S3Call) async throws -> Response {
        let buckets = try await call.backend.buckets()
        var xml = S3XMLWriter()
        xml.root("ListAllMyBucketsResult")
        Self.owner(&xml)
        xml.start("Buckets")
        for bucket in buckets {
            xml.start("Bucket")
            xml.element("Name", bucket.name)
            xml.element("CreationDate", S3Time.iso8601(bucket.created))
            xml.end()
        }
        xml.end()
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    func headBucket(_ call: S3Call) async throws -> Response {
        guard try await call.backend.bucket(call.bucket) != nil else { throw S3Error.noSuchBucket(call.bucket) }
        return S3Response.empty(.ok, headers: [S3Headers.bucketRegion: "us-east-1"], requestId: call.requestId)
    }

    func createBucket(_ call: S3Call) async throws -> Response {
        guard try await call.backend.createBucket(call.bucket) else {
            throw S3Error(
                "BucketAlreadyOwnedByYou", 409,
                "The bucket you tried to create already exists, and you own it.", resource: "/\(call.bucket)", bucket: call.bucket)
        }
        return S3Response.empty(.ok, headers: [.location: "/\(call.bucket)"], requestId: call.requestId)
    }

    func deleteBucket(_ call: S3Call) async throws -> Response {
        try await call.backend.deleteBucket(call.bucket)
        return S3Response.empty(.noContent, requestId: call.requestId)
    }

    /// Every bucket is in the default region (an empty constraint).
    func locationConstraint(_ call: S3Call) -> Response {
        var xml = S3XMLWriter()
        xml.root("LocationConstraint")
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    func listObjects(_ call: S3Call, version: Int) async throws -> Response {
        let query = call.query
        guard try await call.backend.bucket(call.bucket) != nil else { throw S3Error.noSuchBucket(call.bucket) }
        var maxKeys = S3Listing.maxKeysLimit
        if let text = query["max-keys"] {
            guard let value = Int(text), value >= 0 else { throw S3Error.invalidArgument("Provided max-keys not an integer or within integer range") }
            maxKeys = min(value, S3Listing.maxKeysLimit)
        }
        let encodeURL: Bool
        switch query["encoding-type"] {
        case nil: encodeURL = false
        case "url"?: encodeURL = true
        default: throw S3Error.invalidArgument("Invalid Encoding Method specified in Request")
        }
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"]
        for name in ["prefix", "delimiter", "marker", "start-after"] {
            if let value = query[name] { try S3RequestTarget.refuseNUL(value, what: "The \(name) parameter") }
        }
        var cursor: String?
        if version == 2 {
            if let token = query["continuation-token"] {
                guard let decoded = S3Listing.cursor(forToken: token) else {
                    throw S3Error.invalidArgument("The continuation token provided is incorrect")
                }
                cursor = decoded
            } else {
                cursor = query["start-after"]
            }
        } else if let marker = query["marker"], !marker.isEmpty {
            cursor = S3Listing.cursor(forMarker: marker, prefix: prefix, delimiter: delimiter)
        }
        let backend = call.backend
        let bucket = call.bucket
        let owner = ObjectOwnership.listingScope
        let page = try await S3Listing.list(prefix: prefix, delimiter: delimiter, maxKeys: maxKeys, startAfter: cursor) {
            try await backend.list(bucket: bucket, prefix: $0, startAfter: $1, limit: $2, owner: owner)
        }
        let text: (String) -> String = { encodeURL ? S3PercentEncoding.encode($0) : $0 }
        var xml = S3XMLWriter()
        xml.root("ListBucketResult")
        xml.element("Name", call.bucket)
        xml.element("Prefix", text(prefix))
        xml.element("Delimiter", delimiter.map(text))
        xml.element("MaxKeys", maxKeys)
        xml.element("IsTruncated", page.isTruncated)
        if encodeURL { xml.element("EncodingType", "url") }
        if version == 2 {
            xml.element("KeyCount", page.count)
            xml.element("ContinuationToken", query["continuation-token"])
            xml.element("StartAfter", query["start-after"].map(text))
            xml.element("NextContinuationToken", page.nextCursor.map(S3Listing.token(forCursor:)))
        } else {
            xml.element("Marker", text(query["marker"] ?? ""))
            if page.isTruncated { xml.element("NextMarker", page.lastEntry.map(text)) }
        }
        let withOwner = version == 1 || query["fetch-owner"] == "true"
        for object in page.objects {
            xml.start("Contents")
            xml.element("Key", text(object.key))
            xml.element("LastModified", S3Time.iso8601(object.lastModified))
            xml.element("ETag", S3Response.quoted(object.etag))
            xml.element("Size", object.size)
            xml.element("StorageClass", "STANDARD")
            if withOwner { Self.owner(&xml) }
            xml.end()
        }
        for prefix in page.commonPrefixes {
            xml.start("CommonPrefixes")
            xml.element("Prefix", text(prefix))
            xml.end()
        }
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    /// DeleteObjects: up to 1000 keys from a `<Delete>` document.
    func deleteObjects(_ call: S3Call) async throws -> Response {
        let document = try await requestXML(call)
        guard document.name == "Delete" else { throw S3Error.malformedXML("the root element is not Delete") }
        let objects = document.all("Object")
        guard !objects.isEmpty, objects.count <= 1000 else { throw S3Error.malformedXML("a Delete names 1 to 1000 objects") }
        let keys = try objects.map { object -> String in
            guard let key = object.child("Key")?.text, !key.isEmpty else { throw S3Error.malformedXML("an Object without a Key") }
            return key
        }
        let quiet = document.child("Quiet")?.text.trimmingASCIISpaces.lowercased() == "true"
        var xml = S3XMLWriter()
        xml.root("DeleteResult")
        for key in keys {
            do {
                try S3RequestTarget.validate(key: key)
                try ObjectOwnership.checkChange(try await call.backend.head(bucket: call.bucket, key: key))
                _ = try await call.backend.delete(bucket: call.bucket, key: key)
                if !quiet {
                    xml.start("Deleted")
                    xml.element("Key", key)
                    xml.end()
                }
            } catch let error as S3Error {
                xml.start("Error")
                xml.element("Key", key)
                xml.element("Code", error.code)
                xml.element("Message", error.message)
                xml.end()
            }
        }
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    static func owner(_ xml: inout S3XMLWriter) {
        xml.start("Owner")
        xml.element("ID", "switchyard")
        xml.element("DisplayName", "switchyard")
        xml.end()
    }
}
