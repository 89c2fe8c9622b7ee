/// v8: the owning virtual key of objects, multipart uploads and batch jobs (NULL: created without a key), and the
/// owners of what the gateway created in provider object stores it does not index. Job listings filter on the owner
/// by submit time, hence the index; object listings filter within the bucket's key range of the primary key.
enum OwnershipTables {
    static let schema = """
        ALTER TABLE objects ADD COLUMN owner TEXT;
        ALTER TABLE multipart_uploads ADD COLUMN owner TEXT;
        ALTER TABLE batch_jobs ADD COLUMN owner TEXT;
        CREATE INDEX batch_jobs_by_owner ON batch_jobs (owner, submitTime, id);

        CREATE TABLE provider_file_owners (
            namespace TEXT NOT NULL,
            bucket TEXT NOT NULL,
            key TEXT NOT NULL,
            owner TEXT,
            created REAL NOT NULL,
            PRIMARY KEY (namespace, bucket, key)
        ) WITHOUT ROWID;
        """
}
