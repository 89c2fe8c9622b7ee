import SwitchyardModel

/// `{"type": "default", "ttl": "5m" | "1h"}`
struct ConverseWireCachePoint: Decodable {
    let value: CachePoint

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        _ = try c.oneOf("type", [("default", ())])
        let ttl = c.contains("ttl") ? try c.oneOf("ttl", [("5m", "5m"), ("1h", "1h")]) : nil
        value = CachePoint(ttl: ttl)
    }
}
