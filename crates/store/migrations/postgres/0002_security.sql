-- Identity and the logs (crate::security). The access log, the security log and the
-- wider-access grants are append-only, like the journal.
CREATE TABLE accounts (
    username         TEXT        PRIMARY KEY,
    staff            TEXT        NOT NULL,
    password_hash    TEXT,
    external_subject TEXT        UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL,
    disabled_at      TIMESTAMPTZ
);

-- `hash` is the SHA-256 of the token's secret; the secret itself is never stored.
CREATE TABLE tokens (
    id         TEXT        PRIMARY KEY,
    hash       TEXT        NOT NULL UNIQUE,
    kind       TEXT        NOT NULL,
    username   TEXT        NOT NULL,
    role       TEXT        NOT NULL,
    unit       TEXT        NOT NULL,
    scopes     TEXT        NOT NULL,
    name       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX tokens_username ON tokens (username, created_at);

CREATE TABLE access_grants (
    id         TEXT        PRIMARY KEY,
    staff      TEXT        NOT NULL,
    role       TEXT        NOT NULL,
    unit       TEXT,
    person     TEXT        NOT NULL,
    reason     TEXT        NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    until      TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_grants_granted_at ON access_grants (granted_at);
CREATE INDEX access_grants_until ON access_grants (until);

CREATE TABLE access_log (
    seq         BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    staff       TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    unit        TEXT,
    person      TEXT        NOT NULL,
    case_id     TEXT,
    action      TEXT        NOT NULL,
    basis       TEXT        NOT NULL,
    reason      TEXT,
    correlation TEXT        NOT NULL
);
CREATE INDEX access_log_staff_at ON access_log (staff, at);
CREATE INDEX access_log_person_at ON access_log (person, at);
CREATE INDEX access_log_at ON access_log (at);

CREATE TABLE security_log (
    seq         BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    kind        TEXT        NOT NULL,
    username    TEXT,
    address     TEXT,
    detail      TEXT        NOT NULL,
    correlation TEXT        NOT NULL
);
CREATE INDEX security_log_at ON security_log (at);

CREATE TABLE secrets (
    name  TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE FUNCTION security_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER access_grants_no_update BEFORE UPDATE OR DELETE ON access_grants
    FOR EACH ROW EXECUTE FUNCTION security_append_only();
CREATE TRIGGER access_grants_no_truncate BEFORE TRUNCATE ON access_grants
    FOR EACH STATEMENT EXECUTE FUNCTION security_append_only();
CREATE TRIGGER access_log_no_update BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION security_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION security_append_only();
CREATE TRIGGER security_log_no_update BEFORE UPDATE OR DELETE ON security_log
    FOR EACH ROW EXECUTE FUNCTION security_append_only();
CREATE TRIGGER security_log_no_truncate BEFORE TRUNCATE ON security_log
    FOR EACH STATEMENT EXECUTE FUNCTION security_append_only();
