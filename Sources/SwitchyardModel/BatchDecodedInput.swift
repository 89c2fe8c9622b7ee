/// A batch record's model input read into the canonical model, with the shape its answer must take.
public struct BatchDecodedInput: Sendable, Hashable {
    public var request: BatchModelRequest
    /// Opaque to the runner; meaningful only to the codec that decoded the input (e.g. `converse`, `invoke:nova`).
    public var shape: String

    public init(request: BatchModelRequest, shape: String) {
        self.request = request
        self.shape = shape
    }
}
