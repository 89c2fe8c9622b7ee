/// An upload body that knows the length its request declared (Content-Length, or `x-amz-decoded-content-length`
/// for aws-chunked). Backends that stream an upload on to a provider send it as their own Content-Length; the
/// body itself fails if fewer or more bytes arrive, so the provider never gets a different file than announced.
protocol FileBackendUploadLength {
    var declaredLength: Int64? { get }
}

extension S3UploadBody: FileBackendUploadLength {
    var declaredLength: Int64? { framing.declaredLength }
}
