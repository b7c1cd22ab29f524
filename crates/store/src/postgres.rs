//! PostgreSQL backend (production). The chain needs one appender at a time: each group
//! takes a transaction-scoped advisory lock, so several server processes stay correct.

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use skyndsam_domain::events::RecordedEvent;
use skyndsam_domain::ids::UnitId;

use crate::backend::{body_of, check_continues, seal_group, sealed_rows, AppendRequest, AppendResult, Backend, ScanFn};
use crate::error::StoreError;
use crate::migrations::POSTGRES;
use crate::security::{
    codec, AccessEntry, AccessGrant, AccessQuery, AccessRecord, Account, SecurityBackend, SecurityEntry,
    SecurityRecord, Token,
};

/// Advisory lock key of the journal's appender ("skyndsam" in ASCII, truncated).
const APPEND_LOCK: i64 = 0x736b_796e_6473;

pub struct PostgresBackend {
    client: PgClient,
}

/// The `postgres` client runs its own small Tokio runtime, which panics if dropped inside
/// another runtime (an HTTP server shutting down). Dropping it on a plain thread is safe
/// everywhere.
struct PgClient(Option<Client>);

impl std::ops::Deref for PgClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        match &self.0 {
            Some(c) => c,
            None => unreachable!("the client is only taken in drop"),
        }
    }
}

impl std::ops::DerefMut for PgClient {
    fn deref_mut(&mut self) -> &mut Client {
        match &mut self.0 {
            Some(c) => c,
            None => unreachable!("the client is only taken in drop"),
        }
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            let _ = std::thread::spawn(move || drop(c)).join();
        }
    }
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
        let mut b = Self { client: PgClient(Some(client)) };
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
        head_of(&mut *self.client)
    }

    fn count(&mut self) -> Result<u64, StoreError> {
        Ok(self.client.query_one("SELECT COUNT(*) FROM events", &[])?.get::<_, i64>(0) as u64)
    }
}

// ---- Identity and the logs (crate::security) ----
// Timestamps go in as RFC 3339 text (`$n::text::timestamptz`) and come out as microseconds
// since the epoch, so no driver feature is needed and nothing is rounded.

/// A `timestamptz` column read as microseconds since the epoch.
macro_rules! us {
    ($col:literal) => {
        concat!("(EXTRACT(EPOCH FROM ", $col, ") * 1000000)::bigint")
    };
}

const ACCOUNT_COLS: &str =
    concat!("username, staff, password_hash, external_subject, ", us!("created_at"), ", ", us!("disabled_at"));
const TOKEN_COLS: &str = concat!(
    "id, hash, kind, username, role, unit, scopes, name, ",
    us!("created_at"),
    ", ",
    us!("expires_at"),
    ", ",
    us!("revoked_at")
);
const GRANT_COLS: &str = concat!("id, staff, role, unit, person, reason, ", us!("granted_at"), ", ", us!("until"));
const ACCESS_COLS: &str =
    concat!("seq, ", us!("at"), ", staff, role, unit, person, case_id, action, basis, reason, correlation");
const SECURITY_COLS: &str = concat!("seq, ", us!("at"), ", kind, username, address, detail, correlation");

type Param = Box<dyn ToSql + Sync>;

fn query_dyn(client: &mut Client, sql: &str, params: &[Param]) -> Result<Vec<postgres::Row>, StoreError> {
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
    Ok(client.query(sql, &refs)?)
}

fn ts_col(r: &postgres::Row, i: usize, column: &str) -> Result<DateTime<Utc>, StoreError> {
    codec::from_micros(r.try_get(i)?, column)
}

fn ts_opt(r: &postgres::Row, i: usize, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    r.try_get::<_, Option<i64>>(i)?.map(|us| codec::from_micros(us, column)).transpose()
}

fn account_row(r: &postgres::Row) -> Result<Account, StoreError> {
    Ok(Account {
        username: r.try_get(0)?,
        staff: codec::staff(r.try_get(1)?, "accounts.staff")?,
        password_hash: r.try_get(2)?,
        external_subject: r.try_get(3)?,
        created_at: ts_col(r, 4, "accounts.created_at")?,
        disabled_at: ts_opt(r, 5, "accounts.disabled_at")?,
    })
}

fn token_row(r: &postgres::Row) -> Result<Token, StoreError> {
    Ok(Token {
        id: codec::uuid(r.try_get(0)?, "tokens.id")?,
        hash: r.try_get(1)?,
        kind: codec::token_kind(r.try_get(2)?)?,
        username: r.try_get(3)?,
        role: codec::parse_role(r.try_get(4)?, "tokens.role")?,
        unit: codec::unit(r.try_get(5)?, "tokens.unit")?,
        scopes: codec::parse_scopes(r.try_get(6)?)?,
        name: r.try_get(7)?,
        created_at: ts_col(r, 8, "tokens.created_at")?,
        expires_at: ts_col(r, 9, "tokens.expires_at")?,
        revoked_at: ts_opt(r, 10, "tokens.revoked_at")?,
    })
}

fn grant_row(r: &postgres::Row) -> Result<AccessGrant, StoreError> {
    Ok(AccessGrant {
        id: codec::uuid(r.try_get(0)?, "access_grants.id")?,
        staff: codec::staff(r.try_get(1)?, "access_grants.staff")?,
        role: codec::parse_role(r.try_get(2)?, "access_grants.role")?,
        unit: r.try_get::<_, Option<&str>>(3)?.map(|u| codec::unit(u, "access_grants.unit")).transpose()?,
        person: codec::person(r.try_get(4)?, "access_grants.person")?,
        reason: r.try_get(5)?,
        granted_at: ts_col(r, 6, "access_grants.granted_at")?,
        until: ts_col(r, 7, "access_grants.until")?,
    })
}

fn access_row(r: &postgres::Row) -> Result<AccessRecord, StoreError> {
    Ok(AccessRecord {
        seq: codec::seq(r.try_get(0)?, "access_log.seq")?,
        entry: AccessEntry {
            at: ts_col(r, 1, "access_log.at")?,
            staff: codec::staff(r.try_get(2)?, "access_log.staff")?,
            role: codec::parse_role(r.try_get(3)?, "access_log.role")?,
            unit: r.try_get::<_, Option<&str>>(4)?.map(|u| codec::unit(u, "access_log.unit")).transpose()?,
            person: codec::person(r.try_get(5)?, "access_log.person")?,
            case: r.try_get::<_, Option<&str>>(6)?.map(|c| codec::case(c, "access_log.case_id")).transpose()?,
            action: codec::action(r.try_get(7)?)?,
            basis: codec::basis(r.try_get(8)?)?,
            reason: r.try_get(9)?,
            correlation: r.try_get(10)?,
        },
    })
}

fn security_row(r: &postgres::Row) -> Result<SecurityRecord, StoreError> {
    Ok(SecurityRecord {
        seq: codec::seq(r.try_get(0)?, "security_log.seq")?,
        entry: SecurityEntry {
            at: ts_col(r, 1, "security_log.at")?,
            kind: codec::security_kind(r.try_get(2)?)?,
            username: r.try_get(3)?,
            address: r.try_get(4)?,
            detail: r.try_get(5)?,
            correlation: r.try_get(6)?,
        },
    })
}

fn rows<T>(rows: &[postgres::Row], f: fn(&postgres::Row) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    rows.iter().map(f).collect()
}

impl SecurityBackend for PostgresBackend {
    fn upsert_account(&mut self, a: &Account) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO accounts (username, staff, password_hash, external_subject, created_at, disabled_at)
             VALUES ($1, $2, $3, $4, $5::text::timestamptz, $6::text::timestamptz)
             ON CONFLICT (username) DO UPDATE SET staff = EXCLUDED.staff, password_hash = EXCLUDED.password_hash,
                 external_subject = EXCLUDED.external_subject, created_at = EXCLUDED.created_at,
                 disabled_at = EXCLUDED.disabled_at",
            &[
                &a.username,
                &a.staff.as_str(),
                &a.password_hash,
                &a.external_subject,
                &codec::ts(a.created_at),
                &a.disabled_at.map(codec::ts),
            ],
        )?;
        Ok(())
    }

    fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        rows(&self.client.query(&format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY username"), &[])?, account_row)
    }

    fn upsert_token(&mut self, t: &Token) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO tokens (id, hash, kind, username, role, unit, scopes, name, created_at, expires_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                     $9::text::timestamptz, $10::text::timestamptz, $11::text::timestamptz)
             ON CONFLICT (id) DO UPDATE SET hash = EXCLUDED.hash, kind = EXCLUDED.kind,
                 username = EXCLUDED.username, role = EXCLUDED.role, unit = EXCLUDED.unit,
                 scopes = EXCLUDED.scopes, name = EXCLUDED.name, created_at = EXCLUDED.created_at,
                 expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at",
            &[
                &t.id.to_string(),
                &t.hash,
                &t.kind.as_str(),
                &t.username,
                &codec::role(t.role)?,
                &t.unit.as_str(),
                &codec::scopes(&t.scopes)?,
                &t.name,
                &codec::ts(t.created_at),
                &codec::ts(t.expires_at),
                &t.revoked_at.map(codec::ts),
            ],
        )?;
        Ok(())
    }

    fn token_by_hash(&mut self, hash: &str) -> Result<Option<Token>, StoreError> {
        let row = self.client.query_opt(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE hash = $1"), &[&hash])?;
        row.as_ref().map(token_row).transpose()
    }

    fn tokens_of(&mut self, username: &str) -> Result<Vec<Token>, StoreError> {
        rows(
            &self.client.query(
                &format!("SELECT {TOKEN_COLS} FROM tokens WHERE username = $1 ORDER BY created_at DESC, id DESC"),
                &[&username],
            )?,
            token_row,
        )
    }

    fn insert_grant(&mut self, g: &AccessGrant) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO access_grants (id, staff, role, unit, person, reason, granted_at, until)
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, $8::text::timestamptz)",
            &[
                &g.id.to_string(),
                &g.staff.as_str(),
                &codec::role(g.role)?,
                &g.unit.as_ref().map(|u| u.as_str()),
                &g.person.to_string(),
                &g.reason,
                &codec::ts(g.granted_at),
                &codec::ts(g.until),
            ],
        )?;
        Ok(())
    }

    fn grants_active(&mut self, now: DateTime<Utc>) -> Result<Vec<AccessGrant>, StoreError> {
        rows(
            &self.client.query(
                &format!(
                    "SELECT {GRANT_COLS} FROM access_grants
                     WHERE granted_at <= $1::text::timestamptz AND until > $1::text::timestamptz
                     ORDER BY granted_at, id"
                ),
                &[&codec::ts(now)],
            )?,
            grant_row,
        )
    }

    fn grants_given(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        units: Option<&[UnitId]>,
    ) -> Result<Vec<AccessGrant>, StoreError> {
        let mut sql = format!(
            "SELECT {GRANT_COLS} FROM access_grants
             WHERE granted_at >= $1::text::timestamptz AND granted_at < $2::text::timestamptz"
        );
        let mut params: Vec<Param> = vec![Box::new(codec::ts(from)), Box::new(codec::ts(to))];
        if let Some(units) = units {
            params.push(Box::new(units.iter().map(|u| u.as_str().to_owned()).collect::<Vec<_>>()));
            sql.push_str(&format!(" AND unit = ANY(${}::text[])", params.len()));
        }
        sql.push_str(" ORDER BY granted_at, id");
        rows(&query_dyn(&mut self.client, &sql, &params)?, grant_row)
    }

    fn append_logs(&mut self, access: &[AccessEntry], security: &[SecurityEntry]) -> Result<(), StoreError> {
        if access.is_empty() && security.is_empty() {
            return Ok(());
        }
        let mut tx = self.client.transaction()?;
        if !access.is_empty() {
            let mut cols: [Vec<Option<String>>; 10] = Default::default();
            for e in access {
                let values = [
                    Some(codec::ts(e.at)),
                    Some(e.staff.as_str().to_owned()),
                    Some(codec::role(e.role)?),
                    e.unit.as_ref().map(|u| u.as_str().to_owned()),
                    Some(e.person.to_string()),
                    e.case.map(|c| c.to_string()),
                    Some(e.action.as_str().to_owned()),
                    Some(e.basis.as_str().to_owned()),
                    e.reason.clone(),
                    Some(e.correlation.clone()),
                ];
                for (col, v) in cols.iter_mut().zip(values) {
                    col.push(v);
                }
            }
            // One statement per group; WITH ORDINALITY keeps `seq` in the order given.
            let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9] = &cols;
            tx.execute(
                "INSERT INTO access_log (at, staff, role, unit, person, case_id, action, basis, reason, correlation)
                 SELECT at::timestamptz, staff, role, unit, person, case_id, action, basis, reason, correlation
                 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                      WITH ORDINALITY AS u(at, staff, role, unit, person, case_id, action, basis, reason, correlation, n)
                 ORDER BY n",
                &[c0, c1, c2, c3, c4, c5, c6, c7, c8, c9],
            )?;
        }
        if !security.is_empty() {
            let mut cols: [Vec<Option<String>>; 6] = Default::default();
            for e in security {
                let values = [
                    Some(codec::ts(e.at)),
                    Some(e.kind.as_str().to_owned()),
                    e.username.clone(),
                    e.address.clone(),
                    Some(e.detail.clone()),
                    Some(e.correlation.clone()),
                ];
                for (col, v) in cols.iter_mut().zip(values) {
                    col.push(v);
                }
            }
            let [c0, c1, c2, c3, c4, c5] = &cols;
            tx.execute(
                "INSERT INTO security_log (at, kind, username, address, detail, correlation)
                 SELECT at::timestamptz, kind, username, address, detail, correlation
                 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                      WITH ORDINALITY AS u(at, kind, username, address, detail, correlation, n)
                 ORDER BY n",
                &[c0, c1, c2, c3, c4, c5],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn access_log(&mut self, q: &AccessQuery) -> Result<Vec<AccessRecord>, StoreError> {
        let mut sql = format!("SELECT {ACCESS_COLS} FROM access_log WHERE TRUE");
        let mut params: Vec<Param> = Vec::new();
        if let Some(s) = &q.staff {
            params.push(Box::new(s.as_str().to_owned()));
            sql.push_str(&format!(" AND staff = ${}", params.len()));
        }
        if let Some(p) = &q.person {
            params.push(Box::new(p.to_string()));
            sql.push_str(&format!(" AND person = ${}", params.len()));
        }
        if let Some(from) = q.from {
            params.push(Box::new(codec::ts(from)));
            sql.push_str(&format!(" AND at >= ${}::text::timestamptz", params.len()));
        }
        if let Some(to) = q.to {
            params.push(Box::new(codec::ts(to)));
            sql.push_str(&format!(" AND at < ${}::text::timestamptz", params.len()));
        }
        if let Some(units) = &q.units {
            params.push(Box::new(units.iter().map(|u| u.as_str().to_owned()).collect::<Vec<_>>()));
            sql.push_str(&format!(" AND unit = ANY(${}::text[])", params.len()));
        }
        sql.push_str(" ORDER BY seq");
        if let Some(n) = codec::limit(q.limit) {
            params.push(Box::new(n));
            sql.push_str(&format!(" LIMIT ${}", params.len()));
        }
        rows(&query_dyn(&mut self.client, &sql, &params)?, access_row)
    }

    fn security_log(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<SecurityRecord>, StoreError> {
        rows(
            &self.client.query(
                &format!(
                    "SELECT {SECURITY_COLS} FROM security_log
                     WHERE at >= $1::text::timestamptz AND at < $2::text::timestamptz ORDER BY seq"
                ),
                &[&codec::ts(from), &codec::ts(to)],
            )?,
            security_row,
        )
    }

    fn secret(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        let fresh = codec::new_secret()?;
        self.client.execute(
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &fresh],
        )?;
        let stored: Vec<u8> =
            self.client.query_one("SELECT value FROM secrets WHERE name = $1", &[&name])?.try_get(0)?;
        codec::check_secret(stored)
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
