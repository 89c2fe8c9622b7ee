import GRDB

/// The schema, one named migration per change. Never edit a shipped migration: add the next one.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-request-log") { db in
            try db.execute(sql: RequestLogTable.schema)
        }
        migrator.registerMigration("v3-request-log-trace") { db in
            try db.execute(sql: RequestLogTable.addTraceAndEstimate)
        }
        migrator.registerMigration("v5-virtual-keys") { db in
            try db.execute(sql: VirtualKeyTable.schema)
        }
        migrator.registerMigration("v6-spend") { db in
            try db.execute(sql: SpendTables.schema)
        }
        migrator.registerMigration("v7-request-log-by-caller") { db in
            try db.execute(sql: RequestLogTable.indexByCaller)
        }
        migrator.registerMigration("v8-ownership") { db in
            try db.execute(sql: OwnershipTables.schema)
        }
        migrator.registerMigration("v9-cache") { db in
            try db.execute(sql: SQLiteCacheEntryStore.schema)
            try db.execute(sql: RequestLogTable.addCacheOutcome)
        }
        return migrator
    }

    // Dates are REAL seconds since 1970 so they round-trip exactly and sort numerically. Keys are TEXT compared with
    // the default BINARY collation, which is byte order: the order S3 lists keys in.
    private static let v1 = """
        CREATE TABLE buckets (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            created REAL NOT NULL,
            PRIMARY KEY (namespace, name)
        ) WITHOUT ROWID;

        CREATE TABLE objects (
            namespace TEXT NOT NULL,
            bucket TEXT NOT NULL,
            key TEXT NOT NULL,
            etag TEXT NOT NULL,
            size INTEGER NOT NULL,
            contentType TEXT,
            metadata TEXT NOT NULL,
            lastModified REAL NOT NULL,
            locationKind TEXT NOT NULL,
            locationId TEXT NOT NULL,
            checksumCRC32 TEXT,
            PRIMARY KEY (namespace, bucket, key)
        ) WITHOUT ROWID;
        CREATE INDEX objects_by_etag ON objects (namespace, etag);

        CREATE TABLE multipart_uploads (
            uploadId TEXT NOT NULL PRIMARY KEY,
            namespace TEXT NOT NULL,
            bucket TEXT NOT NULL,
            key TEXT NOT NULL,
            contentType TEXT,
            metadata TEXT NOT NULL,
            initiated REAL NOT NULL
        );

        CREATE TABLE multipart_parts (
            uploadId TEXT NOT NULL REFERENCES multipart_uploads (uploadId) ON DELETE CASCADE,
            partNumber INTEGER NOT NULL,
            blobId TEXT NOT NULL,
            etag TEXT NOT NULL,
            size INTEGER NOT NULL,
            checksumCRC32 TEXT NOT NULL,
            lastModified REAL NOT NULL,
            PRIMARY KEY (uploadId, partNumber)
        ) WITHOUT ROWID;

        CREATE TABLE batch_jobs (
            id TEXT NOT NULL PRIMARY KEY,
            arn TEXT NOT NULL,
            name TEXT NOT NULL,
            modelId TEXT NOT NULL,
            runner TEXT NOT NULL,
            roleArn TEXT NOT NULL,
            clientRequestToken TEXT UNIQUE,
            status TEXT NOT NULL,
            message TEXT,
            submitTime REAL NOT NULL,
            lastModifiedTime REAL NOT NULL,
            endTime REAL,
            inputURI TEXT NOT NULL,
            outputURI TEXT NOT NULL,
            timeoutHours INTEGER,
            tags TEXT NOT NULL,
            invocationType TEXT,
            totalRecordCount INTEGER NOT NULL,
            processedRecordCount INTEGER NOT NULL,
            successRecordCount INTEGER NOT NULL,
            errorRecordCount INTEGER NOT NULL,
            inputTokenCount INTEGER NOT NULL,
            outputTokenCount INTEGER NOT NULL,
            providerJobId TEXT,
            runnerState TEXT NOT NULL
        );
        CREATE INDEX batch_jobs_by_submit ON batch_jobs (submitTime, id);
        CREATE INDEX batch_jobs_by_status ON batch_jobs (status);

        CREATE TABLE batch_results (
            jobId TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
            recordIndex INTEGER NOT NULL,
            line TEXT NOT NULL,
            succeeded INTEGER NOT NULL,
            inputTokens INTEGER NOT NULL,
            outputTokens INTEGER NOT NULL,
            PRIMARY KEY (jobId, recordIndex)
        ) WITHOUT ROWID;
        """
}
