import Foundation
import SwitchyardModel
import Testing

@Suite struct PercentDecodingTests {
    /// The same answers as Foundation's `removingPercentEncoding`, which the routes used before.
    @Test(arguments: [
        "openai%2Fgpt-4o-mini", "anthropic.claude-3-5-sonnet-20240620-v1:0", "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Afoundation-model%2Fx",
        "caf%C3%A9", "%e2%82%ac", "plain", "", "100%", "%2", "%zz", "%C3", "%FF%FE", "a%2Fb%2fc", "%%41", "+space",
    ])
    func matchesFoundation(_ raw: String) {
        #expect(raw.percentDecoded == raw.removingPercentEncoding)
        #expect(Substring(raw).percentDecoded == raw.removingPercentEncoding)
    }
}
