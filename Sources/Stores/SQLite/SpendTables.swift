import GRDB

/// The tables of migration `v6-spend`: budget windows and their holds, rate-limit windows, concurrency leases.
/// Every admission is a conditional `UPDATE` (`… WHERE spent + reserved + ? <= limit`) inside one write
/// transaction, and every release deletes the rows it undoes with `RETURNING`, so that each hold is undone exactly
/// once even when two gateways race; PostgreSQL runs the same statements (`GREATEST` aside, none is needed).
/// Amounts are INTEGER nano-dollars, window bounds INTEGER seconds since 1970, expiries REAL seconds.
enum SpendTables {
    static let schema = """
        CREATE TABLE budget_windows (
            keyId TEXT NOT NULL,
            budgetId TEXT NOT NULL,
            windowStart INTEGER NOT NULL,
            limitNanos INTEGER NOT NULL,
            spentNanos INTEGER NOT NULL,
            reservedNanos INTEGER NOT NULL,
            PRIMARY KEY (keyId, budgetId)
        ) WITHOUT ROWID;

        CREATE TABLE budget_reservations (
            id TEXT NOT NULL,
            keyId TEXT NOT NULL,
            budgetId TEXT NOT NULL,
            amountNanos INTEGER NOT NULL,
            expiresAt REAL NOT NULL,
            PRIMARY KEY (id, budgetId)
        ) WITHOUT ROWID;
        CREATE INDEX budget_reservations_by_key ON budget_reservations (keyId, expiresAt);
        CREATE INDEX budget_reservations_by_expiry ON budget_reservations (expiresAt);

        CREATE TABLE rate_windows (
            keyId TEXT NOT NULL,
            kind TEXT NOT NULL,
            windowSeconds INTEGER NOT NULL,
            windowStart INTEGER NOT NULL,
            used INTEGER NOT NULL,
            PRIMARY KEY (keyId, kind, windowSeconds, windowStart)
        ) WITHOUT ROWID;

        CREATE TABLE rate_concurrency (
            keyId TEXT PRIMARY KEY NOT NULL,
            inFlight INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE rate_leases (
            id TEXT PRIMARY KEY NOT NULL,
            keyId TEXT NOT NULL,
            expiresAt REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX rate_leases_by_key ON rate_leases (keyId, expiresAt);
        CREATE INDEX rate_leases_by_expiry ON rate_leases (expiresAt);
        """
}
