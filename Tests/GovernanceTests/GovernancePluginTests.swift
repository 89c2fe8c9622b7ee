import Engine
import Foundation
import Logging
import NIOCore
import Pricing
import Stores
import SwitchyardModel
import SwitchyardTestSupport
import Synchronization
import Testing

@testable import Governance

/// The plugin in the engine's chain, over the real SQLite stores and a scripted upstream.
@Suite struct GovernancePluginTests {
    /// 1 USD per million input tokens (1 000 nano-dollars a token), 4 USD per million output tokens; batch at half.
    static let prices = PriceTable(
        version: "test",
        prices: [
            "openai/gpt-4o": ModelPrice(
                standard: PriceTier(
                    input: TokenPrice(picoUSDPerToken: 1_000_000), output: TokenPrice(picoUSDPerToken: 4_000_000),
                    batchInput: TokenPrice(picoUSDPerToken: 500_000), batchOutput: TokenPrice(picoUSDPerToken: 2_000_000)),
                maxOutputTokens: 1_000)
        ])

    /// `ScriptedProvider.defaultAnswer` uses 11 input and 3 output tokens.
    static let answerCost: Int64 = 11 * 1_000 + 3 * 4_000

    final class World: Sendable {
        let dir: String
        let store: GatewayStore
        let ring: KeyRing
        let plugin: GovernancePlugin

        init(holdSeconds: Double = 900) async throws {
            dir = NSTemporaryDirectory() + "switchyard-governance-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            store = try await GatewayStore.open(dataDir: dir, logger: TestEngines.quietLogger)
            ring = KeyRing(store: store.virtualKeys, box: try SecretBox.load(environment: [:], dataDir: dir))
            plugin = GovernancePlugin(
                keys: ring, ledger: store.ledger, prices: GovernancePluginTests.prices,
                settings: .init(holdSeconds: holdSeconds), logger: TestEngines.quietLogger)
        }

        deinit {
            try? store.close()
            try? FileManager.default.removeItem(atPath: dir)
        }

        func key(
            _ name: String = "team", budgets: [BudgetRule] = [], rateLimit: RateLimitRule? = nil, models: [String] = [],
            expiresAt: Date? = nil
        ) async throws -> VirtualKeyRecord {
            try await KeyIssuer(ring: ring).create(
                name: name, policy: VirtualKeyPolicy(allowedModels: models, budgets: budgets, rateLimit: rateLimit), expiresAt: expiresAt
            ).record
        }

        func engine(_ provider: ScriptedProvider, prefix: String = "openai") -> Engine {
            TestEngines.engine(TestEngines.provider(prefix, maxRetries: 0), provider, plugins: [plugin])
        }

        /// A plugin of its own, on a ledger that counts what it is asked for, in an engine over `provider`.
        func counted(_ provider: ScriptedProvider = ScriptedProvider(), settings: GovernancePlugin.Settings = .init(), failTopUps: Bool = false)
            -> (ledger: CountingLedger, plugin: GovernancePlugin, engine: Engine)
        {
            let ledger = CountingLedger(store.ledger, failTopUps: failTopUps)
            let plugin = GovernancePlugin(
                keys: ring, ledger: ledger, prices: GovernancePluginTests.prices, settings: settings, logger: TestEngines.quietLogger)
            return (ledger, plugin, TestEngines.engine(TestEngines.provider("openai", maxRetries: 0), provider, plugins: [plugin]))
        }

        func usage(_ key: VirtualKeyRecord) async throws -> Stores.BudgetUsage {
            await plugin.drain()
            return try #require(try await store.spend.usage(keyId: key.id, budgets: key.budgetWindows(at: Date()), now: Date()).first)
        }
    }

    static func call(
        _ engine: Engine, _ key: VirtualKeyRecord?, id: String = UUID().uuidString, model: String = "openai/gpt-4o", stream: Bool = false,
        billing: CallDescriptor.Billing = .standard
    ) -> CallContext {
        engine.begin(
            CallDescriptor(
                requestId: id, door: "test", operation: stream ? "ConverseStream" : "Converse", route: "/test", modelRequested: model,
                stream: stream, caller: key.map(KeyRing.identity(of:)), billing: billing))
    }

    /// "hi" is one token of input; 100 tokens of output at most: 1 000 + 400 000 nano-dollars.
    static func chat(_ text: String = "hi", maxTokens: Int = 100) -> ChatRequest {
        ChatRequest(messages: [Message(role: .user, content: [.text(text)])], inference: InferenceConfig(maxTokens: maxTokens))
    }

    static let worstCase: Int64 = 1 * 1_000 + 100 * 4_000

    static func complete(_ engine: Engine, _ key: VirtualKeyRecord?, _ request: ChatRequest = chat()) async -> GatewayError? {
        let call = call(engine, key)
        do {
            _ = try await engine.complete(request, modelId: "openai/gpt-4o", call: call)
            call.finish(CallEnd(outcome: .success, status: 200))
            return nil
        } catch {
            let failure = error as? GatewayError
            call.finish(CallEnd(outcome: .failure, status: 400), error: failure)
            return failure
        }
    }

    static func budget(_ nanos: Int64, _ period: String = "1d") -> BudgetRule {
        BudgetRule(id: "daily", limitNanos: nanos, period: period)
    }

    // MARK: - Budgets

    @Test func twoGatewaysOnOneDatabaseTogetherAdmitWhatTheBudgetHolds() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(7 * Self.worstCase)], rateLimit: RateLimitRule(requests: 1_000, windowSeconds: 3_600))
        // A second gateway: its own plugin (its own allowances) on the same store.
        let other = GovernancePlugin(
            keys: world.ring, ledger: world.store.ledger, prices: Self.prices, logger: TestEngines.quietLogger)
        // Every call stays in flight while all are admitted, so no settlement frees room meanwhile.
        let provider = ScriptedProvider(Array(repeating: .delayed(.seconds(2), .succeed), count: 60))
        let engines = [world.engine(provider), TestEngines.engine(TestEngines.provider("openai", maxRetries: 0), provider, plugins: [other])]
        let errors = await withTaskGroup(of: GatewayError?.self) { group in
            for n in 0..<60 { group.addTask { await Self.complete(engines[n % 2], key) } }
            var all: [GatewayError?] = []
            for await error in group { all.append(error) }
            return all
        }
        #expect(errors.filter { $0 == nil }.count == 7)
        #expect(errors.compactMap { $0 }.allSatisfy { $0.kind == .quotaExceeded })
        #expect(provider.calls.count == 7)
        await other.drain()
        // Both gateways gave their allowances back: what is left is the calls' spend.
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == 7 * Self.answerCost && usage.reservedNanos == 0)
        // Every request granted and not given back counts in the window: exactly the seven calls made.
        let probe = try await world.store.rateLimits.admit(
            RateLimitAdmission(
                keyId: key.id, windowSeconds: 3_600, maxRequests: 7, maxTokens: nil, maxConcurrent: nil, leaseId: "probe",
                leaseExpiresAt: Date() + 60),
            now: Date())
        #expect(probe == .refused(.requests, RateLimitState(
            windowStart: RateLimitAdmission.windowStart(Date(), windowSeconds: 3_600),
            windowEnd: RateLimitAdmission.windowStart(Date(), windowSeconds: 3_600) + 3_600, requestsUsed: 7, tokensUsed: 0, inFlight: 0)))
    }

    /// The store's ledger, counting the allowance grants it is asked for.
    final class CountingLedger: GovernanceLedger {
        let inner: any GovernanceLedger
        let grants = Mutex(0)
        /// What each grant asked for at least: a call waits for a grant with a floor, a top-up has none.
        let grantFloors = Mutex<[(nanos: Int64, requests: Int?)]>([])
        /// The writes that carried allowance charges, and the charge statements they carried.
        let chargeWrites = Mutex((writes: 0, charges: 0))

        /// Writes that carry a top-up fail, as a store that is down fails them.
        let failTopUps: Bool

        init(_ inner: any GovernanceLedger, failTopUps: Bool = false) {
            self.inner = inner
            self.failTopUps = failTopUps
        }

        struct Unavailable: Error {}

        func write(_ write: LedgerWrite) async throws -> LedgerAnswers {
            grants.withLock { $0 += write.grants.count }
            grantFloors.withLock { $0 += write.grants.map { ($0.nanosAtLeast, $0.requests?.atLeast) } }
            if failTopUps, write.grants.contains(where: { $0.nanosAtLeast == 0 && ($0.requests?.atLeast ?? 0) == 0 }) { throw Unavailable() }
            if !write.charges.isEmpty { chargeWrites.withLock { $0.writes += 1; $0.charges += write.charges.count } }
            return try await inner.write(write)
        }

        func sweep(now: Date) async throws -> Int { try await inner.sweep(now: now) }
    }

    @Test func aBusyKeyRunsOnItsAllowanceAndGivesItBackWhenIdle() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(1_000 * Self.worstCase)])
        // The first call stays in flight (long enough for five calls on a loaded machine), so the key's allowance
        // stays on this gateway while five more run. They start once the upstream has it: the delay is its step.
        let provider = ScriptedProvider([.delayed(.seconds(5), .succeed)])
        let (ledger, plugin, engine) = world.counted(provider)
        let long = Task { await Self.complete(engine, key) }
        for _ in 0..<500 where provider.calls.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        for _ in 0..<5 { #expect(await Self.complete(engine, key) == nil) }
        // The first call's grant covered all six: none of the five went to the store to be admitted.
        #expect(ledger.grants.withLock { $0 } == 1)
        #expect(await long.value == nil)
        await plugin.drain()
        let usage = try #require(try await world.store.spend.usage(keyId: key.id, budgets: key.budgetWindows(at: Date()), now: Date()).first)
        #expect(usage.spentNanos == 6 * Self.answerCost && usage.reservedNanos == 0)
    }

    /// A client calling one call after another leaves the allowance idle between calls: kept for `allowanceIdle`,
    /// the next call runs on it; given back at once, every call costs a give-back and a grant. Either way the
    /// allowance goes back by itself, with no drain, once the key is idle.
    @Test(arguments: [(idle: Duration.seconds(2), grants: 1), (idle: .zero, grants: 5)])
    func aKeyCalledOneCallAfterAnotherKeepsItsAllowanceWhileBusy(idle: Duration, grants: Int) async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(1_000 * Self.worstCase)])
        let (ledger, _, engine) = world.counted(settings: .init(allowanceIdle: idle))
        for _ in 0..<5 { #expect(await Self.complete(engine, key) == nil) }
        #expect(ledger.grants.withLock { $0 } == grants)
        func usage() async throws -> Stores.BudgetUsage {
            try #require(try await world.store.spend.usage(keyId: key.id, budgets: key.budgetWindows(at: Date()), now: Date()).first)
        }
        if idle > .zero { #expect(try await usage().reservedNanos > 0) }
        var left = try await usage()
        for _ in 0..<500 where left.reservedNanos != 0 || left.spentNanos != 5 * Self.answerCost {
            try await Task.sleep(for: .milliseconds(20))
            left = try await usage()
        }
        #expect(left.spentNanos == 5 * Self.answerCost && left.reservedNanos == 0)
    }

    /// A busy key's allowance is topped up before it runs out: below room for `refillBelow` more calls, one grant
    /// is asked for that no call waits for (it asks for at least nothing), while the calls go on running on what
    /// is left. Here calls one after another on a first grant of `allowanceCalls + 1` requests, eight more than it
    /// takes to cross the mark and fewer than the grant holds: one top-up, and no call waits for a second grant.
    @Test func aBusyKeysAllowanceIsToppedUpBeforeItRunsOut() async throws {
        let world = try await World()
        let key = try await world.key(rateLimit: RateLimitRule(requests: 100_000, windowSeconds: 3_600))
        let (ledger, plugin, engine) = world.counted(settings: .init(allowanceIdle: .seconds(30)))
        let calls = Int(GovernancePlugin.allowanceCalls - GovernancePlugin.refillBelow) + 8
        for _ in 0..<calls { #expect(await Self.complete(engine, key) == nil) }
        for _ in 0..<500 where ledger.grantFloors.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let floors = ledger.grantFloors.withLock { $0 }
        #expect(floors.map(\.requests) == [1, 0])
        await plugin.drain()
    }

    /// A top-up the store could not write is not asked for again by every call after it: the calls go on running
    /// on what is left, and only one that runs short goes to the store.
    @Test func aFailedTopUpIsNotRetriedByEveryCall() async throws {
        let world = try await World()
        let key = try await world.key(rateLimit: RateLimitRule(requests: 100_000, windowSeconds: 3_600))
        let (ledger, plugin, engine) = world.counted(settings: .init(allowanceIdle: .seconds(30)), failTopUps: true)
        let calls = Int(GovernancePlugin.allowanceCalls - GovernancePlugin.refillBelow) + 8
        for _ in 0..<calls { #expect(await Self.complete(engine, key) == nil) }
        for _ in 0..<500 where ledger.grantFloors.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        for _ in 0..<20 { #expect(await Self.complete(engine, key) == nil) }
        await plugin.drain()
        #expect(ledger.grantFloors.withLock { $0 }.map(\.requests) == [1, 0])
    }

    /// A top-up asks for what the store has, up to a grant's worth: a budget with no room to spare refuses no call,
    /// and a top-up that got nothing is not asked for again by the calls that still fit.
    @Test func aTopUpOfABudgetWithoutRoomRefusesNothingAndIsNotRepeated() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(3 * Self.worstCase)])
        // A first call stays in flight, so the allowance is not idle (an idle one gives a grant's room back).
        let provider = ScriptedProvider([.delayed(.seconds(5), .succeed)])
        let (ledger, plugin, engine) = world.counted(provider, settings: .init(allowanceIdle: .seconds(30)))
        let long = Task { await Self.complete(engine, key) }
        for _ in 0..<500 where provider.calls.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        // Its grant is all the budget holds, three worst cases. The next call runs on it and finds the room low: its
        // top-up gets nothing. Once that answer is in, the third still fits and asks for nothing.
        #expect(await Self.complete(engine, key) == nil)
        for _ in 0..<500 where ledger.grantFloors.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        for _ in 0..<50 where plugin.allowances.withLock({ $0[key.id]?.topUp == .asked }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await Self.complete(engine, key) == nil)
        #expect(await long.value == nil)
        await plugin.drain()
        #expect(ledger.grantFloors.withLock { $0 }.map(\.nanos) == [Self.worstCase, 0])
        let usage = try #require(try await world.store.spend.usage(keyId: key.id, budgets: key.budgetWindows(at: Date()), now: Date()).first)
        #expect(usage.spentNanos == 3 * Self.answerCost && usage.reservedNanos == 0)
    }

    /// A key with a request limit and no budget: its calls' cost is charged nowhere, so it must not eat into the
    /// allowance's room (which would leave every later call waiting for a grant).
    @Test func aKeyThatCountsRequestsAloneRunsOnItsAllowance() async throws {
        let world = try await World()
        let key = try await world.key(rateLimit: RateLimitRule(requests: 1_000, windowSeconds: 3_600))
        let (ledger, _, engine) = world.counted(settings: .init(allowanceIdle: .seconds(5)))
        for _ in 0..<5 { #expect(await Self.complete(engine, key) == nil) }
        #expect(ledger.grants.withLock { $0 } == 1)
    }

    /// The charges of a busy key's calls wait for each other (`chargeLinger`) and go to the store as one statement
    /// in one write; with no linger each call's charge is a write of its own. The long call's own charge, when it
    /// ends, is one more. Nothing is lost either way.
    @Test(arguments: [(linger: Duration.seconds(3), writes: 2), (linger: .zero, writes: 6)])
    func chargesOfABusyKeyJoinInOneWrite(linger: Duration, writes: Int) async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(1_000 * Self.worstCase)])
        let provider = ScriptedProvider([.delayed(.seconds(5), .succeed)])
        let (ledger, plugin, engine) = world.counted(provider, settings: .init(chargeLinger: linger))
        let long = Task { await Self.complete(engine, key) }
        for _ in 0..<500 where provider.calls.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        for ended in 1...5 {
            #expect(await Self.complete(engine, key) == nil)
            // Without a linger the charge is written before the next call ends (waited for, so the count is sure).
            if linger == .zero {
                for _ in 0..<300 where ledger.chargeWrites.withLock({ $0.writes }) < ended { try await Task.sleep(for: .milliseconds(10)) }
            }
        }
        #expect(await long.value == nil)
        await plugin.drain()
        let counted = ledger.chargeWrites.withLock { $0 }
        #expect(counted.writes == writes && counted.charges == writes)
        let usage = try #require(try await world.store.spend.usage(keyId: key.id, budgets: key.budgetWindows(at: Date()), now: Date()).first)
        #expect(usage.spentNanos == 6 * Self.answerCost && usage.reservedNanos == 0)
    }

    @Test func fiftyConcurrentCallsAgainstABudgetOfOneWorstCaseReachTheUpstreamOnce() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(Self.worstCase)])
        let provider = ScriptedProvider()
        let engine = world.engine(provider)
        let errors = await withTaskGroup(of: GatewayError?.self) { group in
            for _ in 0..<50 { group.addTask { await Self.complete(engine, key) } }
            var all: [GatewayError?] = []
            for await error in group { all.append(error) }
            return all
        }
        #expect(provider.calls.count == 1)
        #expect(errors.filter { $0 == nil }.count == 1)
        let refusals = errors.compactMap { $0 }
        #expect(refusals.count == 49 && refusals.allSatisfy { $0.kind == .quotaExceeded && $0.refusedByPlugin })
        #expect(refusals.first?.message.contains("Budget 'daily' of virtual key 'team' is exhausted") == true)
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == Self.answerCost && usage.reservedNanos == 0)
    }

    @Test func theNextCallSeesTheLastOneSettled() async throws {
        let world = try await World()
        // Room for one settled answer and one more worst case, but not for two worst cases.
        let key = try await world.key(budgets: [Self.budget(Self.worstCase + Self.answerCost)])
        let engine = world.engine(ScriptedProvider())
        #expect(await Self.complete(engine, key) == nil)
        // No drain between the calls: admission settles this gateway's queued settlements of the key first.
        #expect(await Self.complete(engine, key) == nil)
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == 2 * Self.answerCost && usage.reservedNanos == 0)
        #expect(await Self.complete(engine, key)?.kind == .quotaExceeded)
    }

    @Test func aFailedCallIsChargedNothingAndReleasesItsHold() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(Self.worstCase)])
        let engine = world.engine(ScriptedProvider(failures: [GatewayError(.validation, "bad request", upstreamStatus: 400)]))
        #expect(await Self.complete(engine, key)?.kind == .validation)
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == 0 && usage.reservedNanos == 0)
        #expect(await Self.complete(engine, key) == nil)
    }

    @Test func aStreamTheClientLeftMidwayIsChargedAtLeastItsInput() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(10 * USDAmount.nanosPerDollar)])
        let engine = world.engine(ScriptedProvider())
        // 3 000 bytes of prompt: 1 000 tokens, 1 000 000 nano-dollars of input.
        let call = Self.call(engine, key, stream: true)
        let stream = try await engine.stream(Self.chat(String(repeating: "x", count: 3_000)), modelId: "openai/gpt-4o", call: call)
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        _ = try await iterator.next()
        call.finish(CallEnd(outcome: .clientGone, status: 200))
        // Five characters streamed (about two tokens, 8 000 nano-dollars) cost less than the prompt the upstream read.
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == 1_000_000 && usage.reservedNanos == 0)
    }

    @Test func aStreamThatBrokeAfterItsHeadIsChargedWhatItUsed() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(10 * USDAmount.nanosPerDollar)])
        let events: [StreamEvent] = [
            .messageStart(.assistant), .blockDelta(index: 0, .text(String(repeating: "y", count: 4_000))),
        ]
        let engine = world.engine(ScriptedProvider([.failStream(after: events, GatewayError(.streamFailed, "upstream went away"))]))
        let call = Self.call(engine, key, stream: true)
        let stream = try await engine.stream(Self.chat(), modelId: "openai/gpt-4o", call: call)
        do {
            for try await _ in stream {}
            Issue.record("the stream did not fail")
        } catch {
            call.finish(CallEnd(outcome: .failure, status: 200, errorCode: "modelStreamErrorException"), error: error as? GatewayError)
        }
        // 4 000 characters streamed: 1 000 estimated output tokens, more than the one token of input.
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == 1_000 * 4_000 && usage.reservedNanos == 0)
    }

    @Test func theHoldIsTheCapThePassthroughBodyNames() async throws {
        let world = try await World()
        // 30 bytes: 10 input tokens, and a cap of 10 output tokens: 10 000 + 40 000 nano-dollars.
        let body = ByteBuffer(string: String(repeating: "z", count: 30))
        let provider = ScriptedProvider(answers: .init(passthroughDialects: ["bedrock-runtime"]))
        for (limit, admitted) in [(Int64(50_000), true), (49_999, false)] {
            let key = try await world.key("key-\(limit)", budgets: [Self.budget(limit)])
            let engine = world.engine(provider, prefix: "openai")
            let call = Self.call(engine, key)
            let raw = RawRequest(dialect: "bedrock-runtime", operation: "converse", headers: [], body: body, maxOutputTokens: 10)
            let error = await TestEngines.failure { _ = try await engine.passthrough(raw, modelId: "openai/gpt-4o", call: call) }
            call.finish(CallEnd(outcome: error == nil ? .success : .failure, status: 200), error: error)
            #expect((error == nil) == admitted, "limit \(limit)")
            if !admitted { #expect(error?.kind == .quotaExceeded && error?.message.contains("0.00005 USD") == true) }
        }
    }

    @Test func withoutACapTheHoldIsTheModelsLongestAnswer() async throws {
        let world = try await World()
        // One token of input and the table's 1 000 output tokens: 4 001 000 nano-dollars.
        let tight = try await world.key("tight", budgets: [Self.budget(4_000_999)])
        let roomy = try await world.key("roomy", budgets: [Self.budget(4_001_000)])
        let engine = world.engine(ScriptedProvider())
        let request = ChatRequest(messages: [Message(role: .user, content: [.text("hi")])])
        #expect(await Self.complete(engine, tight, request)?.kind == .quotaExceeded)
        #expect(await Self.complete(engine, roomy, request) == nil)
    }

    @Test func aKeyWithABudgetMayUseOnlyPricedModels() async throws {
        let world = try await World()
        let budgeted = try await world.key("budgeted", budgets: [Self.budget(USDAmount.nanosPerDollar)])
        let free = try await world.key("free")
        let engine = world.engine(ScriptedProvider())
        for (key, refused) in [(budgeted, true), (free, false)] {
            let call = Self.call(engine, key, model: "openai/unpriced-model")
            let error = await TestEngines.failure { _ = try await engine.complete(Self.chat(), modelId: "openai/unpriced-model", call: call) }
            call.finish(CallEnd(outcome: .success, status: 200))
            #expect((error?.kind == .accessDenied) == refused, "\(key.name)")
            if refused { #expect(error?.message.contains("'openai/unpriced-model' has no price") == true) }
        }
    }

    @Test func nativeBatchRecordsAreChargedWhenReportedAtBatchPrices() async throws {
        let world = try await World()
        let key = try await world.key(budgets: [Self.budget(USDAmount.nanosPerDollar)])
        let engine = world.engine(ScriptedProvider())
        engine.report(
            CallDescriptor(
                requestId: "job-1-0", door: "batch", operation: "BatchRecord", route: "batch/record", caller: KeyRing.identity(of: key),
                billing: .batch),
            provider: "openai", model: "gpt-4o", keyName: nil, usage: Usage(inputTokens: 100, outputTokens: 10), stopReason: "end_turn",
            error: nil)
        let usage = try await world.usage(key)
        #expect(usage.spentNanos == 100 * 500 + 10 * 2_000)
    }

    // MARK: - Key rules

    @Test func unusableKeysAndModelsTheKeyMayNotUseAreAccessDenied() async throws {
        let world = try await World()
        let engine = world.engine(ScriptedProvider())
        let expired = try await world.key("old", expiresAt: Date(timeIntervalSinceNow: -60))
        #expect(await Self.complete(engine, expired)?.message == "The virtual key 'old' has expired")
        let revoked = try await KeyIssuer(ring: world.ring).revoke(id: try await world.key("gone").id)
        #expect(await Self.complete(engine, revoked)?.message == "The virtual key 'gone' is inactive")
        let narrow = try await world.key("narrow", models: ["openai/gpt-4o-mini"])
        let denied = await Self.complete(engine, narrow)
        #expect(denied?.kind == .accessDenied && denied?.refusedByPlugin == true)
        #expect(denied?.message == "The virtual key 'narrow' may not use model 'openai/gpt-4o'")
        let wide = try await world.key("wide", models: ["openai/gpt-*"])
        #expect(await Self.complete(engine, wide) == nil)
    }

    @Test func anonymousCallsAreNotGoverned() async throws {
        let world = try await World()
        let provider = ScriptedProvider()
        #expect(await Self.complete(world.engine(provider), nil) == nil)
        #expect(provider.calls.count == 1)
    }

    // MARK: - Rate limits

    @Test func aRequestLimitAdmitsNPerWindowAndSaysWhenItResets() async throws {
        let world = try await World()
        let key = try await world.key(rateLimit: RateLimitRule(requests: 3, windowSeconds: 3_600))
        let engine = world.engine(ScriptedProvider())
        var remaining: [String] = []
        for _ in 0..<3 {
            let call = Self.call(engine, key)
            _ = try await engine.complete(Self.chat(), modelId: "openai/gpt-4o", call: call)
            call.finish(CallEnd(outcome: .success, status: 200))
            #expect(call.answerHeaders.contains(AnswerHeader("x-ratelimit-limit-requests", "3")))
            remaining += call.answerHeaders.filter { $0.name == "x-ratelimit-remaining-requests" }.map(\.value)
        }
        #expect(remaining == ["2", "1", "0"])
        let call = Self.call(engine, key)
        let error = await TestEngines.failure { _ = try await engine.complete(Self.chat(), modelId: "openai/gpt-4o", call: call) }
        call.finish(CallEnd(outcome: .failure, status: 429), error: error)
        #expect(error?.kind == .throttled && error?.refusedByPlugin == true)
        let wait = try #require(error?.retryAfterSeconds)
        #expect(wait > 0 && wait <= 3_600)
        #expect(call.answerHeaders.contains(AnswerHeader("x-ratelimit-remaining-requests", "0")))
        #expect(call.answerHeaders.contains { $0.name == "x-ratelimit-reset-requests" && $0.value.hasSuffix("s") })
    }

    @Test func aTokenLimitRefusesOnceTheWindowsTokensAreUsed() async throws {
        let world = try await World()
        // Each answer uses 14 tokens.
        let key = try await world.key(rateLimit: RateLimitRule(tokens: 20, windowSeconds: 3_600))
        let engine = world.engine(ScriptedProvider())
        #expect(await Self.complete(engine, key) == nil)
        #expect(await Self.complete(engine, key) == nil)
        let refused = await Self.complete(engine, key)
        #expect(refused?.kind == .throttled && refused?.message.contains("Token limit") == true)
    }

    @Test func theConcurrencyCapRefusesACallWhileAnotherIsInFlight() async throws {
        let world = try await World()
        let key = try await world.key(rateLimit: RateLimitRule(maxConcurrent: 1))
        let provider = ScriptedProvider([.delayed(.seconds(600), .succeed)])
        let engine = world.engine(provider)
        let first = Task { await Self.complete(engine, key) }
        while provider.calls.isEmpty { await Task.yield() }
        let second = await Self.complete(engine, key)
        #expect(second?.kind == .throttled && second?.message.contains("calls in flight") == true)
        first.cancel()
        _ = await first.value
        // The first call's end gave its lease back.
        #expect(await Self.complete(engine, key) == nil)
    }

    @Test func batchRecordsAreNotRateLimited() async throws {
        let world = try await World()
        let key = try await world.key(rateLimit: RateLimitRule(requests: 1, windowSeconds: 3_600))
        let engine = world.engine(ScriptedProvider())
        for n in 0..<3 {
            let call = Self.call(engine, key, id: "job-\(n)", billing: .batch)
            let error = await TestEngines.failure { _ = try await engine.complete(Self.chat(), modelId: "openai/gpt-4o", call: call) }
            call.finish(CallEnd(outcome: .success, status: 200))
            #expect(error == nil)
        }
    }

    /// Charges queued for one allowance in the same budget windows become one entry as they arrive; a charge in
    /// another window (the day turned) or of another allowance stays an entry of its own.
    @Test func chargesOfOneAllowanceAndWindowJoinAsTheyAreQueued() {
        let day = BudgetWindow(budgetId: "daily", limitNanos: 10, start: 0, end: 86_400)
        let nextDay = BudgetWindow(budgetId: "daily", limitNanos: 10, start: 86_400, end: 172_800)
        let at = Date(timeIntervalSince1970: 1_000)
        var queue = LedgerQueue()
        queue.add(AllowanceCharge(id: "a", keyId: "k", costNanos: 3, budgets: [day], expiresAt: at))
        queue.add(AllowanceCharge(id: "a", keyId: "k", costNanos: 4, budgets: [day], expiresAt: at.addingTimeInterval(5)))
        queue.add(AllowanceCharge(id: "a", keyId: "k", costNanos: 5, budgets: [nextDay], expiresAt: at))
        queue.add(AllowanceCharge(id: "b", keyId: "k2", costNanos: 6, budgets: [day], expiresAt: at))
        #expect(queue.charges.map(\.costNanos) == [7, 5, 6])
        #expect(queue.charges[0].expiresAt == at.addingTimeInterval(5))
    }

    @Test func lapsedHoldsAreSweptAway() async throws {
        let world = try await World(holdSeconds: 0)
        let key = try await world.key(budgets: [Self.budget(Self.worstCase)])
        // A call whose gateway never settles it: its hold lapses at once (a hold of 0 s).
        let engine = world.engine(ScriptedProvider())
        let call = Self.call(engine, key)
        _ = try await engine.complete(Self.chat(), modelId: "openai/gpt-4o", call: call)
        await world.plugin.sweep()
        #expect(try await world.usage(key).reservedNanos == 0)
        call.finish(CallEnd(outcome: .success, status: 200))
        #expect(try await world.usage(key).spentNanos == Self.answerCost)
    }
}
