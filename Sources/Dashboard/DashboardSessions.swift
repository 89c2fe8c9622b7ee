import Foundation
import Governance
import Stores
import Synchronization

/// The dashboard's logins. With the embedded store they are kept in memory only: a restart logs everyone out, which
/// is what an admin console wants. With a shared store they are in the database (`shared`), read on every request,
/// so a load balancer may send a browser to any instance and a logout ends the session on all of them.
/// A session id is 256 random bits sent only as an `HttpOnly; SameSite=Strict` cookie; its CSRF token is another
/// 256 bits the page carries in a meta tag and sends as `X-CSRF-Token` on every write.
public final class DashboardSessions: Sendable {
    public static let cookieName = "swyd_session"
    public static let csrfHeader = "X-CSRF-Token"

    public struct Session: Sendable {
        public let csrf: String
        let expires: Date
    }

    private let sessions = Mutex<[String: Session]>([:])
    let shared: (any DashboardSessionStore)?
    let lifetime: TimeInterval
    let now: @Sendable () -> Date

    public init(shared: (any DashboardSessionStore)? = nil, lifetime: TimeInterval = 12 * 3600, now: @escaping @Sendable () -> Date = { Date() }) {
        self.shared = shared
        self.lifetime = lifetime
        self.now = now
    }

    /// A new session: its id (for the cookie) and CSRF token.
    public func open() async throws -> (id: String, csrf: String) {
        let id = Self.randomToken(), csrf = Self.randomToken()
        let now = now()
        if let shared {
            try await shared.put(sessionId: id, csrf: csrf, expires: now.addingTimeInterval(lifetime))
            return (id, csrf)
        }
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[id] = Session(csrf: csrf, expires: now.addingTimeInterval(lifetime))
        }
        return (id, csrf)
    }

    /// A shared store that cannot be read counts as no session: the admin logs in again rather than gets in unchecked.
    public func session(_ id: String) async -> Session? {
        let now = now()
        if let shared {
            return (try? await shared.csrf(sessionId: id, now: now)).flatMap { $0 }.map { Session(csrf: $0, expires: now) }
        }
        return sessions.withLock { table in
            guard let session = table[id] else { return nil }
            guard session.expires > now else {
                table[id] = nil
                return nil
            }
            return session
        }
    }

    public func close(_ id: String) async throws {
        if let shared { try await shared.delete(sessionId: id) }
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// The session named by a `Cookie` header, if it is live.
    public func session(cookieHeader: String?) async -> (id: String, session: Session)? {
        guard let id = Self.cookie(Self.cookieName, in: cookieHeader), let session = await session(id) else { return nil }
        return (id, session)
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// 256 bits from the system's cryptographic generator (getrandom on Linux), as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// CSRF tokens have one length, so the constant-time compare of their bytes is enough.
    public static func sameToken(_ a: String, _ b: String) -> Bool {
        AdminToken.sameBytes(Array(a.utf8), Array(b.utf8))
    }
}
