import SwitchyardModel

enum Deadline {
    /// Runs `operation`, throwing `onTimeout` if it has not finished within `seconds`.
    static func run<T: Sendable>(
        seconds: Double, onTimeout: GatewayError, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw onTimeout
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw onTimeout }
            return first
        }
    }
}
