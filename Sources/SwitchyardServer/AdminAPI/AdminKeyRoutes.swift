import Foundation
import Governance
import HTTPTypes
import Hummingbird
import Logging
import Stores

/// `/api/keys`: create (the secret is in that answer only), list, show, update, rotate, revoke, and usage. A key is
/// named in the path by its id, its access key id or its name. Revoking switches a key off and keeps its row (its
/// files, jobs and log rows still name it); there is no delete. Keys declared in the configuration file change only
/// there: the routes that would change them answer 409.
public struct AdminKeyRoutes<Context: RequestContext>: Sendable {
    let issuer: KeyIssuer
    let usage: any KeyUsageSource
    let known: KnownTargets
    let logger: Logger
    let now: @Sendable () -> Date

    /// What a key's rules may name: a provider or provider key that is not configured would be a typo, refused.
    public struct KnownTargets: Sendable {
        public var providers: Set<String>
        public var providerKeys: Set<String>

        public init(providers: Set<String>, providerKeys: Set<String>) {
            self.providers = providers
            self.providerKeys = providerKeys
        }
    }

    /// A key request is a few hundred bytes; this is generous.
    static var maxBodyBytes: Int { 1 << 20 }

    public init(
        issuer: KeyIssuer, usage: any KeyUsageSource, known: KnownTargets, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.issuer = issuer
        self.usage = usage
        self.known = known
        self.logger = logger
        self.now = now
    }

    public func register(on router: RouterGroup<Context>) {
        router.post("keys") { request, _ in await answer { try await create(request) } }
        router.get("keys") { _, _ in await answer { try await list() } }
        router.get("keys/{key}") { _, context in await answer { try await show(context) } }
        router.patch("keys/{key}") { request, context in await answer { try await update(request, context) } }
        router.post("keys/{key}/rotate") { _, context in await answer { try await rotate(context) } }
        router.post("keys/{key}/revoke") { _, context in await answer { try await revoke(context) } }
        router.get("keys/{key}/usage") { _, context in await answer { try await usage(context) } }
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await AdminKeyJSON.decode(CreateKeyRequest.self, from: Self.body(request))
        var draft = VirtualKeyRecord(id: "", name: body.name, accessKeyId: "", sealedSecret: [], createdAt: now())
        body.rules.apply(to: &draft)
        try check(draft, expiryChanged: true)
        let issued = try await issuer.create(
            name: draft.name, policy: draft.policy, expiresAt: draft.expiresAt, metadata: draft.metadata, now: now())
        logger.info("virtual key created", metadata: ["key_id": "\(issued.record.id)", "name": "\(issued.record.name)"])
        return AdminResponse.json(try AdminKeyJSON.encode(IssuedKeyJSON(issued: issued, now: now())), status: .created)
    }

    func list() async throws -> Response {
        let now = now()
        let keys = try await issuer.ring.store.keys().map { KeyJSON(record: $0, now: now) }
        return AdminResponse.json(try AdminKeyJSON.encode(KeyListJSON(keys: keys)))
    }

    func show(_ context: Context) async throws -> Response {
        AdminResponse.json(try AdminKeyJSON.encode(KeyJSON(record: try await key(context), now: now())))
    }

    func update(_ request: Request, _ context: Context) async throws -> Response {
        let stored = try await changeable(context)
        let body = try await AdminKeyJSON.decode(UpdateKeyRequest.self, from: Self.body(request))
        var record = stored
        if let name = body.name { record.name = name }
        if let active = body.active { record.active = active }
        body.rules.apply(to: &record)
        try check(record, expiryChanged: body.rules.expiresAt != nil)
        let updated = try await issuer.update(record, now: now())
        logger.info("virtual key updated", metadata: ["key_id": "\(updated.id)"])
        return AdminResponse.json(try AdminKeyJSON.encode(KeyJSON(record: updated, now: now())))
    }

    func rotate(_ context: Context) async throws -> Response {
        let stored = try await changeable(context)
        let issued = try await issuer.rotate(id: stored.id, now: now())
        logger.info("virtual key rotated", metadata: ["key_id": "\(stored.id)"])
        return AdminResponse.json(try AdminKeyJSON.encode(IssuedKeyJSON(issued: issued, now: now())))
    }

    func revoke(_ context: Context) async throws -> Response {
        let stored = try await changeable(context)
        let revoked = try await issuer.revoke(id: stored.id, now: now())
        logger.info("virtual key revoked", metadata: ["key_id": "\(stored.id)"])
        return AdminResponse.json(try AdminKeyJSON.encode(KeyJSON(record: revoked, now: now())))
    }

    func usage(_ context: Context) async throws -> Response {
        let record = try await key(context)
        let now = now()
        let used = try await usage.usage(of: record, now: now)
        return AdminResponse.json(try AdminKeyJSON.encode(KeyUsageJSON(record: record, usage: used, now: now)))
    }

    /// The key the path names: by id, else by access key id, else by name.
    func key(_ context: Context) async throws -> VirtualKeyRecord {
        let raw = context.parameters.get("key") ?? ""
        let reference = raw.percentDecoded ?? raw
        let store = issuer.ring.store
        if let found = try await store.key(id: reference) { return found }
        if let found = try await store.key(accessKeyId: reference) { return found }
        if let found = try await store.key(name: reference) { return found }
        throw AdminAPIError(status: .notFound, code: "NotFound", "no virtual key has the id, access key id or name '\(reference)'")
    }

    func changeable(_ context: Context) async throws -> VirtualKeyRecord {
        let record = try await key(context)
        guard record.source == .api else {
            throw AdminAPIError(
                status: .conflict, code: "DeclaredInConfig",
                "the key '\(record.name)' is declared in the configuration file (governance.keys): change it there and restart")
        }
        return record
    }

    /// What only the server can check: the names it knows, and a new expiry that is not already past.
    func check(_ record: VirtualKeyRecord, expiryChanged: Bool) throws {
        for provider in record.policy.allowedProviders where !known.providers.contains(provider) {
            throw KeyRequestError(
                "allowed_providers: '\(provider)' is not a configured provider (configured: \(known.providers.sorted().joined(separator: ", ")))")
        }
        for pin in record.policy.pinnedKeys where !known.providerKeys.contains(pin) {
            throw KeyRequestError("pinned_keys: '\(pin)' names no configured provider key")
        }
        if expiryChanged, let expiry = record.expiresAt, expiry <= now() {
            throw KeyRequestError("expires_at: \(AdminTime.text(expiry)) is in the past (revoke a key to stop it now)")
        }
    }

    static func body(_ request: Request) async throws -> Data {
        do {
            return Data(buffer: try await request.body.collect(upTo: maxBodyBytes))
        } catch {
            throw AdminAPIError(status: .contentTooLarge, code: "TooLarge", "the body is over \(maxBodyBytes) bytes")
        }
    }

    /// Every failure as JSON: the caller's mistakes as 400/404/409 with what was wrong, anything else a 500 that
    /// names no internals.
    func answer(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as KeyRequestError {
            return AdminResponse.error(.badRequest, code: "ValidationError", error.description)
        } catch let error as KeyIssueError {
            return AdminResponse.error(.badRequest, code: "ValidationError", error.description)
        } catch let error as AdminAPIError {
            return AdminResponse.error(error.status, code: error.code, error.message)
        } catch let error as VirtualKeyStoreError {
            switch error {
            case .duplicate: return AdminResponse.error(.conflict, code: "Conflict", error.description)
            case .notFound: return AdminResponse.error(.notFound, code: "NotFound", error.description)
            }
        } catch {
            logger.error("virtual key operation failed", metadata: ["error": "\(error)"])
            return AdminResponse.error(.internalServerError, code: "InternalError", "the key store could not be used")
        }
    }
}
