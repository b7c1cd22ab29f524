//! PostgreSQL backend (production). The chain needs one appender at a time: each group
//! takes a transaction-scoped advisory lock, so several server processes stay correct.

use postgres::{Client, NoTls};
use skyndsam_domain::events::RecordedEvent;

use crate::backend::{body_of, check_continues, seal_group, sealed_rows, AppendRequest, AppendResult, Backend, ScanFn};
use crate::error::StoreError;
use crate::migrations::POSTGRES;

/// Advisory lock key of the journal's appender ("skyndsam" in ASCII, truncated).
const APPEND_LOCK: i64 = 0x736b_796e_6473;

pub struct PostgresBackend {
    client: Client,
}

impl PostgresBackend {
    /// `url` is a libpq-style URL; an extra `schema=NAME` query parameter selects (and
    /// creates) a schema, which the tests use to get a database of their own.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let (url, schema) = split_schema(url);
        let mut client = Client::connect(&url, NoTls)?;
        if let Some(s) = &schema {
            if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(StoreError::BadUrl);
            }
            client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}; SET search_path TO {s}"))?;
        }
        let mut b = Self { client };
        b.migrate()?;
        Ok(b)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        )?;
        for (version, name, sql) in POSTGRES {
            let v = *version as i32;
            let done = tx.query_opt("SELECT version FROM schema_migrations WHERE version = $1", &[&v])?;
            if done.is_none() {
                tx.batch_execute(sql)?;
                tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&v, name])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Raw access for tests that simulate an attacker with database access.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_owned(), None) };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("schema=") {
            Some(s) => {
                schema = Some(s.to_owned());
                false
            }
            None => true,
        })
        .collect();
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    (url, schema)
}

fn head_of(c: &mut impl postgres::GenericClient) -> Result<Option<(u64, String)>, StoreError> {
    let row = c.query_opt("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", &[])?;
    Ok(row.map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, String>(1))))
}

fn insert<'a>(
    tx: &mut postgres::Transaction,
    rows: impl Iterator<Item = (&'a RecordedEvent, &'a [u8])>,
) -> Result<(), StoreError> {
    let rows: Vec<(&RecordedEvent, &[u8])> = rows.collect();
    if rows.is_empty() {
        return Ok(());
    }
    // One multi-row statement per chunk: far fewer round trips than one per event.
    for chunk in rows.chunks(500) {
        let mut seqs = Vec::with_capacity(chunk.len());
        let mut streams = Vec::with_capacity(chunk.len());
        let mut versions = Vec::with_capacity(chunk.len());
        let mut types = Vec::with_capacity(chunk.len());
        let mut recorded = Vec::with_capacity(chunk.len());
        let mut bodies = Vec::with_capacity(chunk.len());
        let mut hashes = Vec::with_capacity(chunk.len());
        for (e, body) in chunk {
            seqs.push(e.seq as i64);
            streams.push(e.stream.clone());
            versions.push(e.version as i32);
            types.push(e.payload.type_name().to_owned());
            recorded.push(e.meta.recorded_at.to_rfc3339());
            bodies.push(std::str::from_utf8(body).map_err(|e| StoreError::Backend(e.to_string()))?.to_owned());
            hashes.push(e.hash.clone());
        }
        tx.execute(
            "INSERT INTO events (seq, stream, version, type, recorded_at, body, hash)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[]::timestamptz[], $6::text[], $7::text[])",
            &[&seqs, &streams, &versions, &types, &recorded, &bodies, &hashes],
        )?;
    }
    Ok(())
}

impl Backend for PostgresBackend {
    fn append_group(&mut self, group: &[&AppendRequest]) -> Result<Vec<AppendResult>, StoreError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])?;
        let head = head_of(&mut tx)?;
        let stmt = tx.prepare("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = $1")?;
        let (results, bodies) = seal_group(group, head, |s| {
            let row = tx.query_one(&stmt, &[&s])?;
            Ok(row.get::<_, i32>(0) as u32)
        })?;
        insert(&mut tx, sealed_rows(&results, &bodies))?;
        tx.commit()?;
        Ok(results)
    }

    fn read_stream(&mut self, stream: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = self.client.query("SELECT body, hash FROM events WHERE stream = $1 ORDER BY version", &[&stream])?;
        rows.iter().map(|r| crate::parse_body(r.get::<_, &str>(0).as_bytes(), r.get::<_, &str>(1))).collect()
    }

    fn scan(&mut self, from_seq: u64, f: &mut ScanFn) -> Result<(), StoreError> {
        // Page through by seq so a large journal never sits in memory at once.
        let mut next = from_seq as i64;
        loop {
            let rows = self
                .client
                .query("SELECT seq, body, hash FROM events WHERE seq >= $1 ORDER BY seq LIMIT 20000", &[&next])?;
            let Some(last) = rows.last() else { return Ok(()) };
            next = last.get::<_, i64>(0) + 1;
            for r in &rows {
                f(r.get::<_, &str>(1).as_bytes(), r.get::<_, &str>(2))?;
            }
        }
    }

    fn insert_sealed(&mut self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])?;
        check_continues(events, &head_of(&mut tx)?)?;
        let bodies = events.iter().map(body_of).collect::<Result<Vec<_>, _>>()?;
        insert(&mut tx, events.iter().zip(bodies.iter().map(|b| b.as_slice())))?;
        tx.commit()?;
        Ok(())
    }

    fn head(&mut self) -> Result<Option<(u64, String)>, StoreError> {
        head_of(&mut self.client)
    }

    fn count(&mut self) -> Result<u64, StoreError> {
        Ok(self.client.query_one("SELECT COUNT(*) FROM events", &[])?.get::<_, i64>(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::split_schema;

    #[test]
    fn schema_parameter_is_taken_out_of_the_url() {
        assert_eq!(
            split_schema("postgres://h/db?schema=t1&sslmode=disable"),
            ("postgres://h/db?sslmode=disable".to_owned(), Some("t1".to_owned()))
        );
        assert_eq!(split_schema("postgres://h/db?schema=t1"), ("postgres://h/db".to_owned(), Some("t1".to_owned())));
        assert_eq!(split_schema("postgres://h/db"), ("postgres://h/db".to_owned(), None));
    }
}
