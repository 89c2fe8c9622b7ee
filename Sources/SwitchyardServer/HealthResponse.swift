import Foundation
import Hummingbird
import NIOCore
import SwitchyardModel

enum HealthResponse {
    /// One AWS key served by a credential source: where its credentials come from and how they are, never what.
    struct CredentialEntry: Encodable {
        let provider: String
        let key: String
        let source: String
        let state: String
    }

    static func response(
        providers: [String], credentials: [(provider: String, key: String, supplier: any AWSCredentialSupplier)] = []
    ) -> Response {
        let list = providers.map { "\"\($0)\"" }.joined(separator: ",")
        var text = "{\"status\":\"ok\",\"providers\":[\(list)]"
        if !credentials.isEmpty {
            let entries = credentials.map { CredentialEntry(provider: $0.provider, key: $0.key, source: $0.supplier.sourceDescription, state: $0.supplier.state) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(entries) { text += ",\"aws_credentials\":" + String(decoding: data, as: UTF8.self) }
        }
        text += "}"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
