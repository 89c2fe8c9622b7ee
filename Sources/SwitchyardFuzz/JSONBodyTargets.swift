import AnthropicDialect
import BedrockDoor
import NIOCore
import Providers

/// The doors' JSON request bodies. Each decoder either returns its request or throws `GatewayError`.
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

    /// A body that reads must, once the passthrough has set its model, read the same but for the model: the gateway
    /// routes and checks one request, and the upstream must get that one.
    static func anthropicMessages(_ input: [UInt8]) -> Bool {
        let body = ByteBuffer(bytes: input)
        _ = try? AnthropicRequestDecoder.decode(body, form: .countTokens)
        guard let read = try? AnthropicRequestDecoder.decode(body, form: .messages) else { return false }
        if let patched = JSONBodyPatch.settingModel(body, to: "patched/model") {
            guard var reread = try? AnthropicRequestDecoder.decode(patched, form: .messages), reread.model == "patched/model" else {
                fatalError("the patched body no longer reads, or names another model")
            }
            reread.model = read.model
            precondition(reread == read, "patching the model changed another member")
        }
        return true
    }
}
