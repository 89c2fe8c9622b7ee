import Foundation
import Stores
import SwitchyardModel

/// A stored job as the door shows it.
public enum BatchJobView {
    /// Jobs without a timeout run for Bedrock's longest one.
    public static let defaultTimeoutHours = 168

    public static func expiration(_ job: BatchJob) -> Date {
        job.submitTime.addingTimeInterval(Double(job.timeoutHours ?? defaultTimeoutHours) * 3600)
    }

    public static func info(_ job: BatchJob) -> BatchJobInfo {
        BatchJobInfo(
            arn: job.arn, name: job.name, modelId: job.modelId, clientRequestToken: job.clientRequestToken, roleArn: job.roleArn,
            status: job.status.rawValue, message: job.message, submitTime: job.submitTime, lastModifiedTime: job.lastModifiedTime,
            endTime: job.endTime, inputURI: job.inputURI, outputURI: job.outputURI, timeoutHours: job.timeoutHours,
            expirationTime: expiration(job), invocationType: job.invocationType,
            totalRecordCount: job.statistics.totalRecordCount, processedRecordCount: job.statistics.processedRecordCount,
            successRecordCount: job.statistics.successRecordCount, errorRecordCount: job.statistics.errorRecordCount)
    }
}
