import SwitchyardModel

/// The input-token count for providers without a counting API, the same at every door: about four bytes of UTF-8 per token, which is
/// what BPE tokenizers average on English text and code, plus fixed costs for the structure around the text.
///
/// `ceil(bytes / 4) + 4 per message + 8 per tool + 1600 per image`, where `bytes` counts every text the model
/// reads (`ChatRequestSize`). An image is counted at 1600,
/// the most one costs at Claude's default resolution, since its size in pixels is not known here.
public enum CountTokensEstimator {
    static let bytesPerToken = 4
    static let perMessage = 4
    static let perTool = 8
    static let perImage = 1600

    public static func estimate(_ request: ChatRequest) -> Int {
        let size = ChatRequestSize(request)
        let textTokens = (size.bytes + bytesPerToken - 1) / bytesPerToken
        return textTokens + perMessage * request.messages.count + perTool * request.tools.count + perImage * size.images
    }
}
