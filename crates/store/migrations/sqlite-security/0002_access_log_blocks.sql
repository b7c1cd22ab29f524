-- The access log's lookups by reader and by person (loggkontroll) without a B-tree index
-- on either (docs/decisions/0007, "The access log's lookups").
--
-- A person's id is random, so an index on (person, at) puts every new log line on a page of
-- its own, and SQLite's WAL holds whole pages: each line cost a 4 KiB page written twice
-- (WAL, then checkpoint) on the path every read of a record waits on. Instead the log is
-- sealed in blocks of consecutive lines; each block records its seq range, its time span,
-- and a Bloom filter of the readers and one of the persons in it. A lookup scans only the
-- blocks whose filters may hold the key, plus the lines not yet sealed. Appends stay
-- sequential. Like the log, the blocks are append-only.
DROP INDEX IF EXISTS access_log_staff_at;
DROP INDEX IF EXISTS access_log_person_at;

CREATE TABLE access_log_blocks (
    block     INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    first_at  TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    staff     BLOB NOT NULL,
    persons   BLOB NOT NULL
);

CREATE TRIGGER access_log_blocks_no_update BEFORE UPDATE ON access_log_blocks
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_blocks_no_delete BEFORE DELETE ON access_log_blocks
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
