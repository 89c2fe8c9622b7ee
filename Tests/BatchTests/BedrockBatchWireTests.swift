import Foundation
import NIOCore
import SwitchyardModel
import Testing

@testable import BedrockDoor

/// The Bedrock door's side of batch: CreateModelInvocationJob validation, job identifiers, List's query, and the
/// codec that reads Bedrock-form records.
@Suite struct BedrockBatchWireTests {
    static var valid: [String: Any] {
        [
        "jobName": "my-batch-job", "roleArn": "arn:aws:iam::123456789012:role/BedrockBatch", "modelId": "openai/gpt-4o-mini",
        "inputDataConfig": ["s3InputDataConfig": ["s3Uri": "s3://in-bucket/jobs/input.jsonl", "s3InputFormat": "JSONL"]],
        "outputDataConfig": ["s3OutputDataConfig": ["s3Uri": "s3://out-bucket/jobs/"]], "timeoutDurationInHours": 24,
        "tags": [["key": "team", "value": "ml"]], "clientRequestToken": "19ce5151-4624-4faf-8e7f-bae2f3f1bfc6",
        ]
    }

    /// `changes` is a JSON object whose members replace the valid request's; `null` removes one.
    func decode(_ changes: String = "{}", iamRole: Bool = false) throws(GatewayError) -> BatchJobSpec {
        var body = Self.valid
        let replaced = try! JSONSerialization.jsonObject(with: Data(changes.utf8)) as! [String: Any]
        for (key, value) in replaced { body[key] = value is NSNull ? nil : value }
        let data = try! JSONSerialization.data(withJSONObject: body)
        return try BatchJobCreateDecoder.decode(
            ByteBuffer(bytes: data), options: .init(requireIAMRole: iamRole, provider: nil, region: "us-west-2"))
    }

    @Test func aValidRequestIsRead() throws {
        let spec = try decode()
        #expect(spec.name == "my-batch-job" && spec.inputURI == "s3://in-bucket/jobs/input.jsonl" && spec.outputURI == "s3://out-bucket/jobs/")
        #expect(spec.timeoutHours == 24 && spec.tags == ["team": "ml"] && spec.clientRequestToken?.hasPrefix("19ce") == true)
        #expect(spec.region == "us-west-2")
    }

    @Test(arguments: [
        #"{"jobName": "bad name"}"#, #"{"jobName": "\#(String(repeating: "a", count: 64))"}"#, #"{"jobName": null}"#,
        #"{"timeoutDurationInHours": 23}"#, #"{"timeoutDurationInHours": 169}"#, #"{"timeoutDurationInHours": "24"}"#,
        #"{"modelInvocationType": "Invoke"}"#, #"{"tags": [{"key": "k", "value": "bad!"}]}"#, #"{"tags": [{"key": "", "value": "v"}]}"#,
        #"{"clientRequestToken": "has_underscore"}"#,
        #"{"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://ab/x.jsonl"}}}"#,
        #"{"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/a b.jsonl"}}}"#,
        #"{"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl", "s3InputFormat": "CSV"}}}"#,
        #"{"inputDataConfig": {}}"#, #"{"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "http://out-bucket/"}}}"#,
    ])
    func invalidRequestsAreValidationErrors(_ change: String) {
        #expect(throws: GatewayError.self) { try decode(change) }
    }

    @Test func theIAMRolePatternAppliesOnlyWhenAsked() throws {
        let placeholder = #"{"roleArn": "not-required-for-openai"}"#
        #expect(try decode(placeholder).roleArn == "not-required-for-openai")
        #expect(throws: GatewayError.self) { try decode(placeholder, iamRole: true) }
        #expect(throws: GatewayError.self) { try decode(#"{"roleArn": "arn:aws:iam::123456789:role/Short"}"#, iamRole: true) }
        #expect(try decode(iamRole: true).roleArn.hasSuffix("role/BedrockBatch"))
    }

    @Test func identifiersAreArnsOrBareIds() throws {
        #expect(try BatchJobIdentifier.jobId(fromRaw: "abcd1234efgh") == "abcd1234efgh")
        let arn = "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2Fabcd1234efgh"
        #expect(try BatchJobIdentifier.jobId(fromRaw: arn) == "abcd1234efgh")
        for bad in ["ABCD1234EFGH", "short", "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Amodel-invocation-job%2Fabcd1234efgh", nil] {
            #expect(throws: GatewayError.self) { try BatchJobIdentifier.jobId(fromRaw: bad) }
        }
    }

    @Test func listQueriesAreChecked() throws {
        let filter = try BatchJobListQuery.filter([
            "statusEquals": "Completed", "nameContains": "job", "submitTimeAfter": "2025-01-01T00:00:00Z", "sortBy": "CreationTime",
            "sortOrder": "Ascending", "maxResults": "5", "nextToken": BatchJobPageToken.make(offset: 10),
        ])
        #expect(filter.status == "Completed" && filter.ascending && filter.maxResults == 5 && filter.offset == 10)
        #expect(filter.submittedAfter == Date(timeIntervalSince1970: 1_735_689_600))
        for bad in [["maxResults": "0"], ["maxResults": "1001"], ["statusEquals": "Done"], ["sortBy": "Name"], ["nextToken": "x"],
                    ["submitTimeBefore": "yesterday"]] {
            #expect(throws: GatewayError.self) { try BatchJobListQuery.filter(bad) }
        }
    }

    @Test func timestampsHaveMilliseconds() {
        #expect(BatchJobTimestamp.format(Date(timeIntervalSince1970: 1_748_779_200.5)) == "2025-06-01T12:00:00.500Z")
    }

    @Test func recordsReadAsTheirFamilyOrAsConverse() throws {
        let codec = BatchJobRecordCodec()
        let anthropic = Data(#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        #expect(try codec.decode(modelInput: anthropic, modelId: "anthropic.claude-3-haiku-20240307-v1:0", invocationType: nil).shape == "invoke:anthropic")
        // Bedrock's own batch examples write Converse bodies for Anthropic models without saying so.
        let converse = Data(#"{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":100}}"#.utf8)
        let read = try codec.decode(modelInput: converse, modelId: "anthropic.claude-3-sonnet-20240229-v1:0", invocationType: nil)
        #expect(read.shape == "converse")
        #expect(try codec.decode(modelInput: converse, modelId: "openai/gpt-4o-mini", invocationType: "Converse").shape == "converse")
        let titan = Data(#"{"inputText":"embed me"}"#.utf8)
        #expect(try codec.decode(modelInput: titan, modelId: "amazon.titan-embed-text-v2:0", invocationType: nil).shape.hasPrefix("embed:titanEmbedding"))
        #expect(throws: (any Error).self) { try codec.decode(modelInput: Data("{}".utf8), modelId: "x", invocationType: nil) }
        let answer = ChatResponse(content: [.text("ok")], stopReason: .endTurn, usage: Usage(inputTokens: 1, outputTokens: 1), latencyMs: 1)
        let encoded = try JSONDecoder().decode(JSONValue.self, from: codec.encode(answer, shape: read.shape, modelId: "m"))
        #expect(encoded["stopReason"] == "end_turn")
    }
}
