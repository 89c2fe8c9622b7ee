import Foundation
import Stores
import SwitchyardModel

/// A provider's batch answers as Bedrock-form result lines, matched to the input's records.
struct BatchNativeResults {
    let translator: BatchRecordTranslator
    let nativeForm: String?
    let modelId: String
    let model: String
    let invocationType: String?

    /// `keyedByRecordId`: the provider was given the caller's own file, so answers name the caller's ids.
    /// `complete`: the batch ended normally, so a record without an answer is an error rather than not run.
    func results(input: BatchInput?, outcomes: [BatchRemoteOutcome], keyedByRecordId: Bool, complete: Bool) -> [BatchRecordResult] {
        guard let input else {
            return outcomes.enumerated().map { i, outcome in
                let record = BatchRecord(index: i, recordId: outcome.customId, form: .bedrock, modelInput: .null)
                return line(record, outcome: outcome, decoded: nil)
            }
        }
        let byId = Dictionary(outcomes.map { ($0.customId, $0) }, uniquingKeysWith: { first, _ in first })
        var out: [BatchRecordResult] = []
        for record in input.records {
            let decoded = try? translator.decode(record, modelId: modelId, invocationType: invocationType)
            let native = record.form.rawValue == nativeForm
            if decoded == nil && !native {
                out.append(failure(record, code: 400, message: record.problem ?? describe(record)))
                continue
            }
            let key = keyedByRecordId ? record.recordId : NativeBatchExecution.customId(record)
            if let outcome = byId[key] {
                out.append(line(record, outcome: outcome, decoded: decoded))
            } else if complete {
                out.append(failure(record, code: 500, message: "the provider returned no result for this record"))
            }
        }
        return out
    }

    func describe(_ record: BatchRecord) -> String {
        do {
            _ = try translator.decode(record, modelId: modelId, invocationType: invocationType)
            return "the record could not be read"
        } catch let error as GatewayError {
            return error.message
        } catch {
            return BatchFailureReason.text(error)
        }
    }

    func line(_ record: BatchRecord, outcome: BatchRemoteOutcome, decoded: BatchDecodedInput?) -> BatchRecordResult {
        switch outcome.result {
        case .failure(let code, let message):
            return failure(record, code: code, message: message)
        case .success(let native, let response):
            let usage = response?.usage ?? Usage()
            let inputTokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
            let output: Data
            if record.form.rawValue == nativeForm || decoded == nil {
                output = BatchJSON.data(native)
            } else if let response, let decoded,
                let encoded = try? translator.encode(response, shape: decoded.shape, modelId: modelId, model: model, recordId: record.recordId)
            {
                output = encoded
            } else {
                return failure(record, code: 500, message: "the provider's answer could not be read")
            }
            let text = BatchOutputLine.success(recordId: record.recordId, modelInput: record.modelInput, modelOutput: output)
            return BatchRecordResult(index: record.index, line: text, succeeded: true, inputTokens: inputTokens, outputTokens: usage.outputTokens)
        }
    }

    func failure(_ record: BatchRecord, code: Int, message: String) -> BatchRecordResult {
        BatchRecordResult(
            index: record.index,
            line: BatchOutputLine.failure(recordId: record.recordId, modelInput: record.modelInput, code: code, message: message),
            succeeded: false)
    }
}
