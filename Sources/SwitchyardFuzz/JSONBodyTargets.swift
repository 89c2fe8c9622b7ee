import BedrockDoor
import NIOCore

/// The Bedrock door's JSON request bodies. Each decoder either returns its request or throws `GatewayError`.
enum JSONBodyTargets {
    static func converse(_ input: [UInt8]) -> Bool {
        (try? ConverseRequestDecoder.decode(ByteBuffer(bytes: input))) != nil
    }

    static func invoke(_ input: [UInt8]) -> Bool {
        let (modelId, body) = InputSplitting.headerLine(input)
        return (try? InvokeRequestDecoder.decode(ByteBuffer(bytes: body), modelId: modelId)) != nil
    }

    static func countTokens(_ input: [UInt8]) -> Bool {
        let (modelId, body) = InputSplitting.headerLine(input)
        return (try? CountTokensRequestDecoder.decode(ByteBuffer(bytes: body), modelId: modelId)) != nil
    }

    static func batchJobCreate(_ input: [UInt8]) -> Bool {
        // Both role rules: the strict IAM pattern applies only when the job is forwarded to AWS.
        [true, false].map { requireIAMRole in
            let options = BatchJobCreateDecoder.Options(requireIAMRole: requireIAMRole, provider: nil, region: "us-east-1")
            return (try? BatchJobCreateDecoder.decode(ByteBuffer(bytes: input), options: options)) != nil
        }.allSatisfy { $0 }
    }
}
