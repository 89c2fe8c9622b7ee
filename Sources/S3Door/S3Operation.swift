/// Which S3 operation a request is, by its method, bucket, key and query names: the name the pipeline (request
/// log, metrics) knows the call by.
enum S3Operation {
    /// The route template of calls made outside a request (the gateway's own reads and writes).
    static let objectRoute = "/bedrock/files/{bucket}/{key+}"

    static func name(method: String, bucket: String?, key: String?, query: [String]) -> String {
        let has = Set(query)
        guard bucket != nil else { return "ListBuckets" }
        guard key != nil else {
            switch method {
            case "GET" where has.contains("uploads"): return "ListMultipartUploads"
            case "GET" where has.contains("location"): return "GetBucketLocation"
            case "GET": return "ListObjects"
            case "HEAD": return "HeadBucket"
            case "PUT": return "CreateBucket"
            case "DELETE": return "DeleteBucket"
            case "POST" where has.contains("delete"): return "DeleteObjects"
            default: return "BucketRequest"
            }
        }
        switch method {
        case "GET" where has.contains("uploadId"): return "ListParts"
        case "GET": return "GetObject"
        case "HEAD": return "HeadObject"
        case "PUT" where has.contains("uploadId"): return "UploadPart"
        case "PUT": return "PutObject"
        case "DELETE" where has.contains("uploadId"): return "AbortMultipartUpload"
        case "DELETE": return "DeleteObject"
        case "POST" where has.contains("uploads"): return "CreateMultipartUpload"
        case "POST" where has.contains("uploadId"): return "CompleteMultipartUpload"
        default: return "ObjectRequest"
        }
    }

    /// The route template under `mount`, never the raw path (which holds bucket and key names).
    static func route(mount: String, bucket: String?, key: String?) -> String {
        guard bucket != nil else { return mount }
        return key == nil ? mount + "/{bucket}" : mount + "/{bucket}/{key+}"
    }
}
