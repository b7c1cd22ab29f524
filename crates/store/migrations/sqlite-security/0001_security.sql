-- Identity and the logs (crate::security). Timestamps are RFC 3339 text with microseconds
-- and `Z` (fixed width), so text order is time order. The access log, the security log and
-- the wider-access grants are append-only, like the journal.
CREATE TABLE accounts (
    username         TEXT PRIMARY KEY,
    staff            TEXT NOT NULL,
    password_hash    TEXT,
    external_subject TEXT UNIQUE,
    created_at       TEXT NOT NULL,
    disabled_at      TEXT
);

-- `hash` is the SHA-256 of the token's secret; the secret itself is never stored.
CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX tokens_username ON tokens (username, created_at);

CREATE TABLE access_grants (
    id         TEXT PRIMARY KEY,
    staff      TEXT NOT NULL,
    role       TEXT NOT NULL,
    unit       TEXT,
    person     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    until      TEXT NOT NULL
);
CREATE INDEX access_grants_granted_at ON access_grants (granted_at);
CREATE INDEX access_grants_until ON access_grants (until);

CREATE TABLE access_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    staff       TEXT NOT NULL,
    role        TEXT NOT NULL,
    unit        TEXT,
    person      TEXT NOT NULL,
    case_id     TEXT,
    action      TEXT NOT NULL,
    basis       TEXT NOT NULL,
    reason      TEXT,
    correlation TEXT NOT NULL
);
CREATE INDEX access_log_staff_at ON access_log (staff, at);
CREATE INDEX access_log_person_at ON access_log (person, at);
CREATE INDEX access_log_at ON access_log (at);

CREATE TABLE security_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    username    TEXT,
    address     TEXT,
    detail      TEXT NOT NULL,
    correlation TEXT NOT NULL
);
CREATE INDEX security_log_at ON security_log (at);

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TRIGGER access_grants_no_update BEFORE UPDATE ON access_grants
BEGIN SELECT RAISE(ABORT, 'access grants are append-only'); END;
CREATE TRIGGER access_grants_no_delete BEFORE DELETE ON access_grants
BEGIN SELECT RAISE(ABORT, 'access grants are append-only'); END;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log
BEGIN SELECT RAISE(ABORT, 'the security log is append-only'); END;
CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log
BEGIN SELECT RAISE(ABORT, 'the security log is append-only'); END;
