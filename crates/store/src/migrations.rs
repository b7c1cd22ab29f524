//! Migrations, versioned in the repository per backend and run at start.

/// (version, name, SQL)
pub type Migration = (i64, &'static str, &'static str);

/// The journal's SQLite file.
pub const SQLITE: &[Migration] = &[(1, "journal", include_str!("../migrations/sqlite/0001_journal.sql"))];
/// The security store's SQLite file (accounts, tokens, grants, the logs): a file of its
/// own, so the access log's constant writes never disturb the journal's readers
/// (docs/decisions/0007).
pub const SQLITE_SECURITY: &[Migration] = &[
    (1, "security", include_str!("../migrations/sqlite-security/0001_security.sql")),
    (2, "access_log_blocks", include_str!("../migrations/sqlite-security/0002_access_log_blocks.sql")),
];
/// PostgreSQL: one database (schema) for both.
pub const POSTGRES: &[Migration] = &[
    (1, "journal", include_str!("../migrations/postgres/0001_journal.sql")),
    (2, "security", include_str!("../migrations/postgres/0002_security.sql")),
];
