import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SwitchyardModel
import Testing

@testable import Providers

@Suite struct UpstreamErrorTests {
    let target: UpstreamTarget = {
        var t = UpstreamTarget(
            provider: "openai", model: "m", baseURL: "http://x", apiKey: "sk-live-secret-123", timeoutSeconds: 1,
            streamIdleTimeoutSeconds: 1)
        t.aws = AWSAccess(accessKeyId: "AKIA1", secretAccessKey: "aws/secret+value", sessionToken: "tok-session")
        return t
    }()

    func error(status: HTTPResponseStatus, body: String, headers: [(String, String)] = []) async -> GatewayError {
        let response = HTTPClientResponse(status: status, headers: .init(headers), body: .bytes(ByteBuffer(string: body)))
        return await UpstreamHTTP.upstreamError(response, target: target)
    }

    @Test func echoedKeysNeverLeaveTheAdapter() async {
        let e = await error(
            status: .unauthorized,
            body: #"{"error":{"message":"Incorrect API key provided: sk-live-secret-123 (also aws/secret+value, tok-session)"}}"#)
        #expect(e.kind == .accessDenied)
        #expect(!e.message.contains("sk-live"))
        #expect(!e.message.contains("aws/secret+value"))
        #expect(!e.message.contains("tok-session"))
        #expect(e.message.contains("Incorrect API key provided"))
    }

    @Test func awsErrorsKeepTheirCode() async {
        let e = await error(
            status: .tooManyRequests, body: #"{"message":"slow down"}"#,
            headers: [("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/")])
        #expect(e.upstreamCode == "ThrottlingException")
        #expect(e.upstreamStatus == 429)
        #expect(e.message == "slow down")
        let typed = await error(status: .badRequest, body: #"{"__type":"com.amazon.bedrock#ValidationException","message":"bad"}"#)
        #expect(typed.upstreamCode == "ValidationException")
        #expect(typed.kind == .validation)
    }
}
