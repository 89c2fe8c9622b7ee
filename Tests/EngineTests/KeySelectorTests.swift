import Engine
import SwitchyardModel
import Testing

@Suite struct KeySelectorTests {
    let keys = [
        KeyConfig(name: "main", value: "sk-main", weight: 1),
        KeyConfig(name: "cheap", value: "sk-cheap", weight: 1, models: ["gpt-4o-mini"]),
        KeyConfig(name: "disabled", value: "sk-off", weight: 0),
    ]

    func refusal(model: String, pinned: String?) -> GatewayError? {
        do {
            _ = try KeySelector.pick(from: keys, model: model, pinned: pinned, avoiding: [])
            return nil
        } catch {
            return error as? GatewayError
        }
    }

    @Test func pinnedKeyServesWhatItAllows() throws {
        #expect(try KeySelector.pick(from: keys, model: "gpt-4o-mini", pinned: "cheap", avoiding: [])?.name == "cheap")
        #expect(try KeySelector.pick(from: keys, model: "o1-pro", pinned: "main", avoiding: [])?.name == "main")
    }

    @Test func pinnedKeyIsHeldToItsAllowList() {
        let error = refusal(model: "o1-pro", pinned: "cheap")
        #expect(error?.kind == .notFound)
        #expect(error?.message.contains("o1-pro") == true)
    }

    @Test func weightZeroIsNeverUsedEvenWhenPinned() {
        let error = refusal(model: "gpt-4o-mini", pinned: "disabled")
        #expect(error?.kind == .validation)
        #expect(error?.message.contains("disabled") == true)
        for point in [0.0, 0.5, 0.99] {
            let key = try? KeySelector.pick(from: keys, model: "gpt-4o-mini", pinned: nil, avoiding: [], random: { $0 * point })
            #expect(key?.name != "disabled")
        }
    }

    @Test func retriesStayInsideTheAllowList() throws {
        // Every allowed key failed: the pool starts over among the allowed ones, never the others.
        for point in [0.0, 0.5, 0.99] {
            let key = try KeySelector.pick(
                from: keys, model: "o1-pro", pinned: nil, avoiding: ["main"], random: { $0 * point })
            #expect(key?.name == "main")
        }
    }

    @Test func aCallNamingNoModelMayPinAnyEnabledKey() throws {
        #expect(try KeySelector.pick(from: keys, model: "", pinned: "cheap", avoiding: [])?.name == "cheap")
    }
}
