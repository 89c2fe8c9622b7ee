import Engine
import SwitchyardServer
import Testing

@Suite struct MetricsConfigTests {
    @Test func metricsAreOnUnlessSwitchedOff() throws {
        #expect(try ConfigLoader(environment: [:]).parse("server: {port: 8080}").metrics.enabled)
        #expect(try !ConfigLoader(environment: [:]).parse("metrics: {enabled: false}").metrics.enabled)
    }

    @Test func aBadMetricsSettingNamesItself() {
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).parse("metrics: {enabled: maybe}") }
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).parse("metrics: {port: 9}") }
    }
}
