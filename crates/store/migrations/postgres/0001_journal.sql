-- The journal: one hash-chained, append-only table. `body` is TEXT, not JSONB: the hash
-- covers the exact bytes, and JSONB would reorder keys.
CREATE TABLE events (
    seq         BIGINT      PRIMARY KEY,
    stream      TEXT        NOT NULL,
    version     INTEGER     NOT NULL,
    type        TEXT        NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    body        TEXT        NOT NULL,
    hash        TEXT        NOT NULL,
    UNIQUE (stream, version)
);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
