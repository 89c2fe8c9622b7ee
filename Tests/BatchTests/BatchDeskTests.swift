import Engine
import Foundation
import Stores
import SwitchyardModel
import Testing

@testable import Batch

@Suite struct BatchDeskTests {
    @Test func theSameTokenGivesTheSameJob() async throws {
        let h = BatchHarness()
        let first = try await h.desk.create(h.spec(token: "tok-1"))
        let again = try await h.desk.create(h.spec(name: "other", token: "tok-1"))
        #expect(first.arn == again.arn)
        let other = try await h.desk.create(h.spec(token: "tok-2"))
        #expect(other.arn != first.arn)
    }

    @Test func describesAJobAsCreated() async throws {
        let h = BatchHarness()
        let created = try await h.desk.create(h.spec(timeout: 48))
        let id = String(created.arn.split(separator: "/").last!)
        let info = try await h.desk.job(id: id)
        #expect(info.arn == created.arn && info.status == "Submitted" && info.timeoutHours == 48)
        #expect(info.arn.hasPrefix("arn:aws:bedrock:us-west-2:000000000000:model-invocation-job/"))
        #expect(info.expirationTime == info.submitTime.addingTimeInterval(48 * 3600))
    }

    @Test func unknownJobsAreNotFound() async throws {
        let h = BatchHarness()
        await #expect { try await h.desk.job(id: "aaaaaaaaaaaa") } throws: { ($0 as? GatewayError)?.kind == .notFound }
        await #expect { try await h.desk.stop(id: "aaaaaaaaaaaa") } throws: { ($0 as? GatewayError)?.kind == .notFound }
    }

    @Test func aModelNothingServesIsRefusedAtCreate() async throws {
        let h = BatchHarness()
        var spec = h.spec()
        spec.modelId = "nowhere/model"
        await #expect { try await h.desk.create(spec) } throws: { $0 is GatewayError }
    }

    @Test func listsPageByPage() async throws {
        let h = BatchHarness()
        var arns: [String] = []
        for i in 0..<5 { arns.append(try await h.desk.create(h.spec(name: "job-\(i)")).arn) }
        let first = try await h.desk.list(BatchJobFilter(maxResults: 2))
        #expect(first.jobs.count == 2 && first.nextOffset == 2)
        let second = try await h.desk.list(BatchJobFilter(maxResults: 2, offset: 2))
        let third = try await h.desk.list(BatchJobFilter(maxResults: 2, offset: 4))
        #expect(third.jobs.count == 1 && third.nextOffset == nil)
        #expect(Set((first.jobs + second.jobs + third.jobs).map(\.arn)) == Set(arns))
        let named = try await h.desk.list(BatchJobFilter(nameContains: "job-3"))
        #expect(named.jobs.map(\.name) == ["job-3"])
    }

    @Test func stoppingAFinishedJobIsRefused() async throws {
        let h = BatchHarness()
        let id = try await h.create([BatchHarness.prompt("a", "one")])
        _ = try await h.run(id)
        await #expect { try await h.desk.stop(id: id) } throws: { ($0 as? GatewayError)?.kind == .validation }
    }

    @Test func theHeaderPicksTheRunner() throws {
        let providers = [
            ProviderConfig(name: "openai", kind: .openai, baseURL: "x"), ProviderConfig(name: "mistral", kind: .openai, baseURL: "x"),
            ProviderConfig(name: "anthropic", kind: .anthropic, baseURL: "x"), ProviderConfig(name: "gemini", kind: .gemini, baseURL: "x"),
            ProviderConfig(name: "bedrock", kind: .bedrock, baseURL: "x"), ProviderConfig(name: "proxy", kind: .anthropic, baseURL: "x"),
        ]
        #expect(try BatchRunnerKind.decide(header: nil, providers: providers) == .gateway(provider: nil))
        #expect(try BatchRunnerKind.decide(header: "gateway", providers: providers) == .gateway(provider: nil))
        #expect(try BatchRunnerKind.decide(header: "mistral", providers: providers) == .gateway(provider: "mistral"))
        #expect(try BatchRunnerKind.decide(header: "proxy", providers: providers) == .gateway(provider: "proxy"))
        #expect(try BatchRunnerKind.decide(header: "openai", providers: providers) == .native(provider: "openai", kind: .openai))
        #expect(try BatchRunnerKind.decide(header: "anthropic", providers: providers) == .native(provider: "anthropic", kind: .anthropic))
        #expect(try BatchRunnerKind.decide(header: "gemini", providers: providers) == .native(provider: "gemini", kind: .gemini))
        #expect(try BatchRunnerKind.decide(header: "bedrock", providers: providers) == .forwarded(provider: "bedrock"))
        // Without a Bedrock provider, Bedrock-shaped jobs run on the gateway.
        #expect(try BatchRunnerKind.decide(header: "bedrock", providers: []) == .gateway(provider: nil))
        #expect(throws: GatewayError.self) { try BatchRunnerKind.decide(header: "nobody", providers: providers) }
    }

    @Test func aHeaderProviderPrefixesBareModels() {
        #expect(BatchRouting.modelId("mistral-large", provider: "mistral") == "mistral/mistral-large")
        #expect(BatchRouting.modelId("mistral/mistral-large", provider: "mistral") == "mistral/mistral-large")
        #expect(BatchRouting.modelId("openai/gpt-4o-mini", provider: nil) == "openai/gpt-4o-mini")
    }
}
