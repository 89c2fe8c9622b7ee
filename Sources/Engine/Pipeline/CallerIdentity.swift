/// Who is calling: the virtual key a request presented, verified by the server before any door sees the request.
/// Nil for anonymous traffic (governance off, no key presented).
public struct CallerIdentity: Sendable, Hashable {
    /// The virtual key's stable id: the owner of the files and batch jobs it creates, the request log's caller.
    public var keyId: String
    public var name: String
    /// Which providers and models the key may use.
    public var access: ModelAccess
    /// Provider key names (`keys[].name` in the config) this key's calls must use instead of load balancing.
    public var pinnedKeys: [String]

    public init(keyId: String, name: String, access: ModelAccess = ModelAccess(), pinnedKeys: [String] = []) {
        self.keyId = keyId
        self.name = name
        self.access = access
        self.pinnedKeys = pinnedKeys
    }
}

/// The caller of the request being served, set by the server's authentication for the request's whole task, so
/// every door, the engine and the stores that check ownership see the same identity without each route
/// threading it through.
public enum CallerScope {
    @TaskLocal public static var current: CallerIdentity?
}
