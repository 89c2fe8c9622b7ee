import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// Where the running gateway is and the admin token it wants.
struct AdminConnectionOptions: ParsableArguments {
    @Option(help: "The gateway's base URL (default $SWITCHYARD_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(
        name: .customLong("admin-token"),
        help: "The admin token (default $SWITCHYARD_ADMIN_TOKEN; the variable keeps it out of the process list).")
    var adminToken: String?

    var baseURL: String {
        let environment = ProcessInfo.processInfo.environment["SWITCHYARD_URL"].flatMap { $0.isEmpty ? nil : $0 }
        var text = url ?? environment ?? "http://127.0.0.1:8080"
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    func client() throws -> AdminAPIClient {
        guard let token = adminToken ?? ProcessInfo.processInfo.environment["SWITCHYARD_ADMIN_TOKEN"], !token.isEmpty else {
            throw ValidationError("no admin token: pass --admin-token or set SWITCHYARD_ADMIN_TOKEN")
        }
        guard let parsed = URL(string: baseURL), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ValidationError("--url: '\(baseURL)' is not an http(s) URL")
        }
        return AdminAPIClient(baseURL: baseURL, token: token)
    }
}

/// The admin API over HTTP: JSON in, JSON out, a non-2xx answer an error carrying the gateway's message.
struct AdminAPIClient {
    let baseURL: String
    let token: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func call(_ method: HTTPMethod, _ path: String, body: [String: JSONValue]? = nil) async throws -> [String: JSONValue] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(JSONValue.object(body))))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw Failure(description: "cannot reach the gateway at \(baseURL): \(error)")
        }
        let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes)))?.objectValue
        guard (200..<300).contains(response.status.code) else {
            if response.status == .notFound, object == nil {
                throw Failure(description: "\(baseURL) has no admin API (is an admin token configured on the gateway?)")
            }
            let message = object?["error"]?["message"]?.stringValue ?? "HTTP \(response.status.code)"
            throw Failure(description: "the gateway answered \(response.status.code): \(message)")
        }
        guard let object else { throw Failure(description: "the gateway's answer is not a JSON object") }
        return object
    }

    /// A key named in a path: by id, access key id or name.
    static func path(_ key: String) -> String {
        "/api/keys/" + (key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? key)
    }
}
