//! SQLite backend: one file, WAL, `synchronous = FULL` (a commit is on disk when it returns).

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use skyndsam_domain::events::RecordedEvent;

use crate::backend::{body_of, check_continues, seal_group, sealed_rows, AppendRequest, AppendResult, Backend, ScanFn};
use crate::error::StoreError;
use crate::migrations::SQLITE;

pub struct SqliteBackend {
    conn: Connection,
}

impl SqliteBackend {
    pub fn open(path: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut b = Self { conn };
        b.migrate()?;
        Ok(b)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        )?;
        for (version, name, sql) in SQLITE {
            let done: Option<i64> = tx
                .query_row("SELECT version FROM schema_migrations WHERE version = ?1", [version], |r| r.get(0))
                .optional()?;
            if done.is_none() {
                tx.execute_batch(sql)?;
                tx.execute("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)", params![version, name])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Raw access for tests that simulate an attacker with database access.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn head_of(conn: &Connection) -> Result<Option<(u64, String)>, StoreError> {
    Ok(conn
        .query_row("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
        })
        .optional()?)
}

fn insert<'a>(
    tx: &rusqlite::Transaction,
    rows: impl Iterator<Item = (&'a RecordedEvent, &'a [u8])>,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO events (seq, stream, version, type, recorded_at, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (e, body) in rows {
        let body = std::str::from_utf8(body).map_err(|e| StoreError::Backend(e.to_string()))?;
        stmt.execute(params![
            e.seq as i64,
            e.stream,
            e.version,
            e.payload.type_name(),
            e.meta.recorded_at.to_rfc3339(),
            body,
            e.hash
        ])?;
    }
    Ok(())
}

fn parse_row(body: &str, hash: String) -> Result<RecordedEvent, StoreError> {
    crate::parse_body(body.as_bytes(), &hash)
}

impl Backend for SqliteBackend {
    fn append_group(&mut self, group: &[&AppendRequest]) -> Result<Vec<AppendResult>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let head = head_of(&tx)?;
        let (results, bodies) = {
            let mut stmt = tx.prepare_cached("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?1")?;
            seal_group(group, head, |s| Ok(stmt.query_row([s], |r| r.get::<_, u32>(0))?))?
        };
        insert(&tx, sealed_rows(&results, &bodies))?;
        tx.commit()?;
        Ok(results)
    }

    fn read_stream(&mut self, stream: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT body, hash FROM events WHERE stream = ?1 ORDER BY version")?;
        let rows = stmt.query_map([stream], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (body, hash) = row?;
            out.push(parse_row(&body, hash)?);
        }
        Ok(out)
    }

    fn scan(&mut self, from_seq: u64, f: &mut ScanFn) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("SELECT body, hash FROM events WHERE seq >= ?1 ORDER BY seq")?;
        let mut rows = stmt.query([from_seq as i64])?;
        while let Some(r) = rows.next()? {
            let body = r.get_ref(0)?.as_bytes().map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let hash = r.get_ref(1)?.as_str().map_err(|e| StoreError::Corrupt(e.to_string()))?;
            f(body, hash)?;
        }
        Ok(())
    }

    fn insert_sealed(&mut self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_continues(events, &head_of(&tx)?)?;
        let bodies = events.iter().map(body_of).collect::<Result<Vec<_>, _>>()?;
        insert(&tx, events.iter().zip(bodies.iter().map(|b| b.as_slice())))?;
        tx.commit()?;
        Ok(())
    }

    fn head(&mut self) -> Result<Option<(u64, String)>, StoreError> {
        head_of(&self.conn)
    }

    fn count(&mut self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))? as u64)
    }
}
