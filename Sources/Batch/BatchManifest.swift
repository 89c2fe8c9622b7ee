import Stores

/// `manifest.json.out`: the job's counts, as Bedrock writes them next to the results.
public enum BatchManifest {
    public static func json(_ statistics: BatchStatistics) -> String {
        "{\"totalRecordCount\":\(statistics.totalRecordCount),\"processedRecordCount\":\(statistics.processedRecordCount),"
            + "\"successRecordCount\":\(statistics.successRecordCount),\"errorRecordCount\":\(statistics.errorRecordCount),"
            + "\"inputTokenCount\":\(statistics.inputTokenCount),\"outputTokenCount\":\(statistics.outputTokenCount)}"
    }
}
