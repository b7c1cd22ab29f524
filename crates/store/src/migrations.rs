//! Migrations, versioned in the repository per backend and run at start.

/// (version, name, SQL)
pub const SQLITE: &[(i64, &str, &str)] = &[
    (1, "journal", include_str!("../migrations/sqlite/0001_journal.sql")),
    (2, "security", include_str!("../migrations/sqlite/0002_security.sql")),
];
pub const POSTGRES: &[(i64, &str, &str)] = &[
    (1, "journal", include_str!("../migrations/postgres/0001_journal.sql")),
    (2, "security", include_str!("../migrations/postgres/0002_security.sql")),
];
