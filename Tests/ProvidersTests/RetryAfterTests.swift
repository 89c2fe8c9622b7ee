import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel
import Testing

@testable import Providers

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    func seconds(_ headers: [(String, String)]) -> Double? {
        RetryAfter.seconds(in: HTTPHeaders(headers), now: now)
    }

    @Test func deltaSeconds() {
        #expect(seconds([("Retry-After", "3")]) == 3)
        #expect(seconds([("retry-after", " 120 ")]) == 120)
        #expect(seconds([("Retry-After", "0")]) == 0)
    }

    @Test func openAIMillisecondsWinOverSeconds() {
        #expect(seconds([("retry-after-ms", "1500"), ("retry-after", "2")]) == 1.5)
        #expect(seconds([("retry-after-ms", "250")]) == 0.25)
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:47 GMT",  // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:47 GMT",  // RFC 850
        "Sun Nov  6 08:49:47 1994",  // asctime
    ])
    func httpDateForms(value: String) {
        #expect(seconds([("Retry-After", value)]) == 10)
    }

    @Test func pastDateMeansNow() {
        #expect(seconds([("Retry-After", "Sun, 06 Nov 1994 08:00:00 GMT")]) == 0)
    }

    @Test func garbageAndNegativeAreIgnored() {
        #expect(seconds([]) == nil)
        #expect(seconds([("Retry-After", "soon")]) == nil)
        #expect(seconds([("Retry-After", "-5")]) == nil)
        #expect(seconds([("retry-after-ms", "nan"), ("Retry-After", "4")]) == 4)
    }

    @Test func upstreamErrorCarriesTheWait() async {
        let target = UpstreamTarget(
            provider: "openai", model: "m", baseURL: "http://x", apiKey: nil, timeoutSeconds: 1, streamIdleTimeoutSeconds: 1)
        let response = HTTPClientResponse(
            status: .tooManyRequests, headers: ["retry-after": "7"], body: .bytes(.init(string: #"{"error":{"message":"slow down"}}"#)))
        let error = await UpstreamHTTP.upstreamError(response, target: target)
        #expect(error.kind == .throttled)
        #expect(error.retryAfterSeconds == 7)
    }
}
