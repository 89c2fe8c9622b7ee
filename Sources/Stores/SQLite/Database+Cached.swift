import GRDB

extension Database {
    /// Runs `sql` from the connection's statement cache. The governance stores run the same dozen statements on every
    /// admitted call, inside the one writer's transactions: preparing them anew each time held that writer longer.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
