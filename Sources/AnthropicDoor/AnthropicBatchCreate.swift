import AnthropicDialect
import Foundation
import NIOCore
import SwitchyardModel

/// The body of a Message Batch create: `requests`, each a `custom_id` and the `params` of a Messages call, read by
/// the door's own request reader so a request the door would refuse is refused here, before the batch exists.
enum AnthropicBatchCreate {
    /// Anthropic's own limit on one batch.
    static let maxRequests = 100_000

    static func read(_ body: ByteBuffer) throws(GatewayError) -> [DoorBatchRequest] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)), value.objectValue != nil else {
            throw GatewayError(.validation, "the request body is not a JSON object")
        }
        guard let requests = value["requests"]?.arrayValue else { throw GatewayError(.validation, "requests: Field required") }
        guard (1...maxRequests).contains(requests.count) else {
            throw GatewayError(.validation, "requests: a batch holds between 1 and \(maxRequests) requests, not \(requests.count)")
        }
        var seen = Set<String>()
        var out: [DoorBatchRequest] = []
        out.reserveCapacity(requests.count)
        for (index, request) in requests.enumerated() {
            guard request.objectValue != nil else { throw GatewayError(.validation, "requests.\(index): must be an object") }
            guard let customId = request["custom_id"]?.stringValue else {
                throw GatewayError(.validation, "requests.\(index).custom_id: Field required")
            }
            guard isValid(customId) else {
                throw GatewayError(
                    .validation, "requests.\(index).custom_id: must be 1 to 64 characters of letters, digits, '_' and '-'")
            }
            guard seen.insert(customId).inserted else {
                throw GatewayError(.validation, "requests.\(index).custom_id: '\(customId)' is used by another request; custom_id values must be unique within a batch")
            }
            guard let params = request["params"], params.objectValue != nil else {
                throw GatewayError(.validation, "requests.\(index).params: Field required")
            }
            try check(params, index: index)
            out.append(DoorBatchRequest(customId: customId, params: params))
        }
        return out
    }

    /// `^[a-zA-Z0-9_-]{1,64}$`.
    static func isValid(_ customId: String) -> Bool {
        (1...64).contains(customId.utf8.count)
            && customId.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) || $0 == 0x5f || $0 == 0x2d }
    }

    static func check(_ params: JSONValue, index: Int) throws(GatewayError) {
        let data: Data
        do {
            data = try JSONEncoder().encode(params)
        } catch {
            throw GatewayError(.validation, "requests.\(index).params: not encodable as JSON")
        }
        let decoded: AnthropicRequest
        do {
            decoded = try AnthropicRequestDecoder.decode(data, form: .messages)
        } catch {
            throw GatewayError(.validation, "requests.\(index).params: \(error.message)")
        }
        if decoded.stream { throw GatewayError(.validation, "requests.\(index).params.stream: a batch request cannot stream its answer") }
        if (decoded.model ?? "").isEmpty { throw GatewayError(.validation, "requests.\(index).params.model: Field required") }
    }
}
