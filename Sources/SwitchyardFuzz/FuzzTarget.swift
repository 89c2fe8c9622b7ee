/// One decoder under fuzz. The raw value names its seed directory, `tests/fuzz/corpus/<rawValue>/`, and is what
/// `SWITCHYARD_FUZZ_TARGET` and `--target` take.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// Converse / ConverseStream request body.
    case converse
    /// InvokeModel body; the first line is the model id, which picks the family.
    case invoke
    /// CountTokens body; the first line is the model id.
    case countTokens = "count-tokens"
    /// CreateModelInvocationJob body.
    case batchJobCreate = "batch-job-create"
    /// DeleteObjects / CompleteMultipartUpload XML, through the reader and both document parsers.
    case s3XML = "s3-xml"
    /// An aws-chunked upload body.
    case awsChunked = "aws-chunked"
    /// `application/vnd.amazon.eventstream` bytes.
    case eventStream = "event-stream"
    /// A `text/event-stream` body.
    case sse
    /// A provider's non-streaming answer; the first line names the wire (openai, anthropic, gemini, bedrock).
    case providerAnswer = "provider-answer"
    /// A provider's streaming answer; the first line names the wire.
    case providerStream = "provider-stream"
    /// An Anthropic door Messages body, read, and patched with another model as the passthrough does.
    case anthropicMessages = "anthropic-messages"

    /// Feeds `input` to the decoder. A decoder may reject the input by throwing; anything else that goes wrong — a
    /// trap, or a streaming decoder that answers differently when the same bytes arrive in other pieces — stops the
    /// process, which is what the fuzzer looks for. Returns whether the decoder accepted the input (every seed
    /// should be accepted, or it exercises little).
    @discardableResult
    func run(_ input: [UInt8]) -> Bool {
        switch self {
        case .converse: return JSONBodyTargets.converse(input)
        case .invoke: return JSONBodyTargets.invoke(input)
        case .countTokens: return JSONBodyTargets.countTokens(input)
        case .batchJobCreate: return JSONBodyTargets.batchJobCreate(input)
        case .s3XML: return S3XMLTarget.run(input)
        case .awsChunked: return StreamingTargets.awsChunked(input)
        case .eventStream: return StreamingTargets.eventStream(input)
        case .sse: return StreamingTargets.sse(input)
        case .providerAnswer: return ProviderAnswerTargets.complete(input)
        case .providerStream: return ProviderAnswerTargets.stream(input)
        case .anthropicMessages: return JSONBodyTargets.anthropicMessages(input)
        }
    }

    /// Without a pinned target the first byte picks one and the rest is its input, so one libFuzzer run can roam
    /// across all decoders.
    static func dispatch(_ input: [UInt8]) {
        guard let first = input.first else { return }
        allCases[Int(first) % allCases.count].run(Array(input.dropFirst()))
    }
}
