/// The JSONL record forms a job's input may use.
public enum BatchRecordForm: String, Sendable, Hashable {
    /// `{"recordId", "modelInput"}`: an InvokeModel (or Converse) body.
    case bedrock
    /// `{"custom_id", "method", "url", "body"}`: an OpenAI Batch API line.
    case openai
    /// `{"request", "metadata": {"key"}}`: a Gemini batch line.
    case gemini
    /// `{"custom_id", "params"}`: an Anthropic Message Batch request, as the Anthropic door's batches store theirs.
    case anthropic
}
