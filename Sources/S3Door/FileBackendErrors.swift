import Engine
import SwitchyardModel

/// A provider's failure in S3's words, so boto3 raises the class it knows: 404 → NoSuchKey, 401/403 →
/// AccessDenied, 429 → SlowDown, 500 → InternalError, other 5xx and unreachable → ServiceUnavailable. Messages
/// name the provider and pass through the redactor: an upstream that echoes a key never gets it to the client.
enum FileBackendErrors {
    static func s3(_ error: any Error, provider: String, bucket: String, key: String?, redactor: SecretRedactor) -> any Error {
        guard let error = error as? GatewayError else { return error }
        let message = redactor.redact(error.message)
        let resource = key.map { "/\(bucket)/\($0)" } ?? "/\(bucket)"
        switch error.kind {
        case .notFound:
            guard let key else { return S3Error.noSuchBucket(bucket) }
            var missing = S3Error.noSuchKey(bucket: bucket, key: key)
            missing.message = "The specified key does not exist (provider '\(provider)' has no such file: \(message))."
            return missing
        case .accessDenied, .quotaExceeded:
            return S3Error("AccessDenied", 403, "Access Denied: \(message)", resource: resource)
        case .throttled:
            return S3Error("SlowDown", 503, "Please reduce your request rate: \(message)", resource: resource)
        case .validation:
            return S3Error("InvalidRequest", 400, message, resource: resource)
        case .payloadTooLarge:
            return S3Error("EntityTooLarge", 400, message, resource: resource)
        case .internalError, .streamFailed, .badUpstreamAnswer:
            return S3Error("InternalError", 500, "We encountered an internal error: \(message)", resource: resource)
        case .timeout, .unavailable:
            return S3Error("ServiceUnavailable", 503, "Service is unable to handle request: \(message)", resource: resource)
        }
    }

    /// Runs `work`, turning provider failures into S3 errors.
    static func mapped<T>(
        provider: String, bucket: String, key: String?, redactor: SecretRedactor, _ work: () async throws -> T
    ) async throws -> T {
        do {
            return try await work()
        } catch {
            throw s3(error, provider: provider, bucket: bucket, key: key, redactor: redactor)
        }
    }
}
