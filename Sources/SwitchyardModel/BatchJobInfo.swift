import Foundation

/// A model invocation job as GetModelInvocationJob describes it.
public struct BatchJobInfo: Sendable, Hashable {
    public var arn: String
    public var name: String
    public var modelId: String
    public var clientRequestToken: String?
    public var roleArn: String
    /// One of Bedrock's status names.
    public var status: String
    public var message: String?
    public var submitTime: Date
    public var lastModifiedTime: Date
    public var endTime: Date?
    public var inputURI: String
    public var outputURI: String
    public var timeoutHours: Int?
    public var expirationTime: Date?
    public var invocationType: String?
    public var totalRecordCount: Int
    public var processedRecordCount: Int
    public var successRecordCount: Int
    public var errorRecordCount: Int

    public init(
        arn: String, name: String, modelId: String, clientRequestToken: String?, roleArn: String, status: String,
        message: String?, submitTime: Date, lastModifiedTime: Date, endTime: Date?, inputURI: String, outputURI: String,
        timeoutHours: Int?, expirationTime: Date?, invocationType: String?, totalRecordCount: Int,
        processedRecordCount: Int, successRecordCount: Int, errorRecordCount: Int
    ) {
        self.arn = arn
        self.name = name
        self.modelId = modelId
        self.clientRequestToken = clientRequestToken
        self.roleArn = roleArn
        self.status = status
        self.message = message
        self.submitTime = submitTime
        self.lastModifiedTime = lastModifiedTime
        self.endTime = endTime
        self.inputURI = inputURI
        self.outputURI = outputURI
        self.timeoutHours = timeoutHours
        self.expirationTime = expirationTime
        self.invocationType = invocationType
        self.totalRecordCount = totalRecordCount
        self.processedRecordCount = processedRecordCount
        self.successRecordCount = successRecordCount
        self.errorRecordCount = errorRecordCount
    }
}
