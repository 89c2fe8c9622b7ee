/// A validated CreateModelInvocationJob request, with who asked and where the job should run.
public struct BatchJobSpec: Sendable, Hashable {
    public var name: String
    public var roleArn: String
    public var clientRequestToken: String?
    public var modelId: String
    public var inputURI: String
    public var outputURI: String
    public var timeoutHours: Int?
    public var tags: [String: String]
    public var invocationType: String?
    /// The `x-model-provider` header; nil or `gateway` when absent.
    public var provider: String?
    /// The region the caller signed for; it goes into the job ARN.
    public var region: String

    public init(
        name: String, roleArn: String, clientRequestToken: String?, modelId: String, inputURI: String, outputURI: String,
        timeoutHours: Int?, tags: [String: String], invocationType: String?, provider: String?, region: String
    ) {
        self.name = name
        self.roleArn = roleArn
        self.clientRequestToken = clientRequestToken
        self.modelId = modelId
        self.inputURI = inputURI
        self.outputURI = outputURI
        self.timeoutHours = timeoutHours
        self.tags = tags
        self.invocationType = invocationType
        self.provider = provider
        self.region = region
    }
}
