//! SQLite backend: one file, WAL, `synchronous = FULL` (a commit is on disk when it returns).

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use skyndsam_domain::events::RecordedEvent;
use skyndsam_domain::ids::UnitId;

use crate::access_blocks;
use crate::backend::{body_of, check_continues, seal_group, sealed_rows, AppendRequest, AppendResult, Backend, ScanFn};
use crate::error::StoreError;
use crate::migrations::{Migration, SQLITE, SQLITE_SECURITY};
use crate::security::{
    codec, AccessEntry, AccessGrant, AccessQuery, AccessRecord, Account, SecurityBackend, SecurityEntry,
    SecurityRecord, Token,
};

const MMAP_SIZE: i64 = 1 << 40;

/// Where the security store of the journal file `path` lies: beside it, with `-security`
/// before the extension (`skyndsam.sqlite` → `skyndsam-security.sqlite`). Back up both.
pub fn security_path(path: &str) -> String {
    let p = std::path::Path::new(path);
    let (Some(stem), Some(name)) = (p.file_stem().and_then(|s| s.to_str()), p.file_name().and_then(|s| s.to_str()))
    else {
        return format!("{path}-security");
    };
    let file = match p.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{stem}-security.{ext}"),
        None => format!("{name}-security"),
    };
    p.with_file_name(file).to_string_lossy().into_owned()
}

pub struct SqliteBackend {
    conn: Connection,
}

impl SqliteBackend {
    /// The journal's file.
    pub fn open(path: &str) -> Result<Self, StoreError> {
        Self::open_with(path, SQLITE)
    }

    /// The security store's file at `path` (see [`security_path`] for where it lies).
    pub fn open_security(path: &str) -> Result<Self, StoreError> {
        Self::open_with(path, SQLITE_SECURITY)
    }

    fn open_with(path: &str, migrations: &[Migration]) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Read through a memory map: a commit by another connection (every access-log
        // line is one) empties each connection's page cache, and refilling it with
        // pread() calls was most of a case read's time. SQLite caps the size at its
        // compile-time maximum; a file larger than the map is read as before.
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        let mut b = Self { conn };
        b.migrate(migrations)?;
        Ok(b)
    }

    fn migrate(&mut self, migrations: &[Migration]) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        )?;
        for (version, name, sql) in migrations {
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

// ---- Identity and the logs (crate::security) ----

const ACCOUNT_COLS: &str = "username, staff, password_hash, external_subject, created_at, disabled_at";
const TOKEN_COLS: &str = "id, hash, kind, username, role, unit, scopes, name, created_at, expires_at, revoked_at";
const GRANT_COLS: &str = "id, staff, role, unit, person, reason, granted_at, until";
const ACCESS_COLS: &str = "seq, at, staff, role, unit, person, case_id, action, basis, reason, correlation";
const SECURITY_COLS: &str = "seq, at, kind, username, address, detail, correlation";

fn collect<T>(
    stmt: &mut rusqlite::Statement,
    params: impl rusqlite::Params,
    f: fn(&rusqlite::Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(f(r)?);
    }
    Ok(out)
}

fn ts_opt(r: &rusqlite::Row, i: usize, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    r.get::<_, Option<String>>(i)?.map(|s| codec::parse_ts(&s, column)).transpose()
}

fn account_row(r: &rusqlite::Row) -> Result<Account, StoreError> {
    Ok(Account {
        username: r.get(0)?,
        staff: codec::staff(&r.get::<_, String>(1)?, "accounts.staff")?,
        password_hash: r.get(2)?,
        external_subject: r.get(3)?,
        created_at: codec::parse_ts(&r.get::<_, String>(4)?, "accounts.created_at")?,
        disabled_at: ts_opt(r, 5, "accounts.disabled_at")?,
    })
}

fn token_row(r: &rusqlite::Row) -> Result<Token, StoreError> {
    Ok(Token {
        id: codec::uuid(&r.get::<_, String>(0)?, "tokens.id")?,
        hash: r.get(1)?,
        kind: codec::token_kind(&r.get::<_, String>(2)?)?,
        username: r.get(3)?,
        role: codec::parse_role(&r.get::<_, String>(4)?, "tokens.role")?,
        unit: codec::unit(&r.get::<_, String>(5)?, "tokens.unit")?,
        scopes: codec::parse_scopes(&r.get::<_, String>(6)?)?,
        name: r.get(7)?,
        created_at: codec::parse_ts(&r.get::<_, String>(8)?, "tokens.created_at")?,
        expires_at: codec::parse_ts(&r.get::<_, String>(9)?, "tokens.expires_at")?,
        revoked_at: ts_opt(r, 10, "tokens.revoked_at")?,
    })
}

fn grant_row(r: &rusqlite::Row) -> Result<AccessGrant, StoreError> {
    Ok(AccessGrant {
        id: codec::uuid(&r.get::<_, String>(0)?, "access_grants.id")?,
        staff: codec::staff(&r.get::<_, String>(1)?, "access_grants.staff")?,
        role: codec::parse_role(&r.get::<_, String>(2)?, "access_grants.role")?,
        unit: r.get::<_, Option<String>>(3)?.map(|u| codec::unit(&u, "access_grants.unit")).transpose()?,
        person: codec::person(&r.get::<_, String>(4)?, "access_grants.person")?,
        reason: r.get(5)?,
        granted_at: codec::parse_ts(&r.get::<_, String>(6)?, "access_grants.granted_at")?,
        until: codec::parse_ts(&r.get::<_, String>(7)?, "access_grants.until")?,
    })
}

fn access_row(r: &rusqlite::Row) -> Result<AccessRecord, StoreError> {
    Ok(AccessRecord {
        seq: codec::seq(r.get(0)?, "access_log.seq")?,
        entry: AccessEntry {
            at: codec::parse_ts(&r.get::<_, String>(1)?, "access_log.at")?,
            staff: codec::staff(&r.get::<_, String>(2)?, "access_log.staff")?,
            role: codec::parse_role(&r.get::<_, String>(3)?, "access_log.role")?,
            unit: r.get::<_, Option<String>>(4)?.map(|u| codec::unit(&u, "access_log.unit")).transpose()?,
            person: codec::person(&r.get::<_, String>(5)?, "access_log.person")?,
            case: r.get::<_, Option<String>>(6)?.map(|c| codec::case(&c, "access_log.case_id")).transpose()?,
            action: codec::action(&r.get::<_, String>(7)?)?,
            basis: codec::basis(&r.get::<_, String>(8)?)?,
            reason: r.get(9)?,
            correlation: r.get(10)?,
        },
    })
}

fn security_row(r: &rusqlite::Row) -> Result<SecurityRecord, StoreError> {
    Ok(SecurityRecord {
        seq: codec::seq(r.get(0)?, "security_log.seq")?,
        entry: SecurityEntry {
            at: codec::parse_ts(&r.get::<_, String>(1)?, "security_log.at")?,
            kind: codec::security_kind(&r.get::<_, String>(2)?)?,
            username: r.get(3)?,
            address: r.get(4)?,
            detail: r.get(5)?,
            correlation: r.get(6)?,
        },
    })
}

/// `?, ?, …` for an `IN` list of `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl SecurityBackend for SqliteBackend {
    fn upsert_account(&mut self, a: &Account) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO accounts ({ACCOUNT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (username) DO UPDATE SET staff = excluded.staff, password_hash = excluded.password_hash,
                 external_subject = excluded.external_subject, created_at = excluded.created_at,
                 disabled_at = excluded.disabled_at"
            ))?
            .execute(params![
                a.username,
                a.staff.as_str(),
                a.password_hash,
                a.external_subject,
                codec::ts(a.created_at),
                a.disabled_at.map(codec::ts),
            ])?;
        Ok(())
    }

    fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY username"))?;
        collect(&mut stmt, [], account_row)
    }

    fn upsert_token(&mut self, t: &Token) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO tokens ({TOKEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, kind = excluded.kind,
                 username = excluded.username, role = excluded.role, unit = excluded.unit,
                 scopes = excluded.scopes, name = excluded.name, created_at = excluded.created_at,
                 expires_at = excluded.expires_at, revoked_at = excluded.revoked_at"
            ))?
            .execute(params![
                t.id.to_string(),
                t.hash,
                t.kind.as_str(),
                t.username,
                codec::role(t.role)?,
                t.unit.as_str(),
                codec::scopes(&t.scopes)?,
                t.name,
                codec::ts(t.created_at),
                codec::ts(t.expires_at),
                t.revoked_at.map(codec::ts),
            ])?;
        Ok(())
    }

    fn token_by_hash(&mut self, hash: &str) -> Result<Option<Token>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE hash = ?1"))?;
        Ok(collect(&mut stmt, [hash], token_row)?.into_iter().next())
    }

    fn tokens_of(&mut self, username: &str) -> Result<Vec<Token>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLS} FROM tokens WHERE username = ?1 ORDER BY created_at DESC, id DESC"
        ))?;
        collect(&mut stmt, [username], token_row)
    }

    fn insert_grant(&mut self, g: &AccessGrant) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO access_grants ({GRANT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))?
            .execute(params![
                g.id.to_string(),
                g.staff.as_str(),
                codec::role(g.role)?,
                g.unit.as_ref().map(|u| u.as_str()),
                g.person.to_string(),
                g.reason,
                codec::ts(g.granted_at),
                codec::ts(g.until),
            ])?;
        Ok(())
    }

    fn grants_active(&mut self, now: DateTime<Utc>) -> Result<Vec<AccessGrant>, StoreError> {
        let now = codec::ts(now);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {GRANT_COLS} FROM access_grants WHERE granted_at <= ?1 AND until > ?1 ORDER BY granted_at, id"
        ))?;
        collect(&mut stmt, [now], grant_row)
    }

    fn grants_given(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        units: Option<&[UnitId]>,
    ) -> Result<Vec<AccessGrant>, StoreError> {
        let mut sql = format!("SELECT {GRANT_COLS} FROM access_grants WHERE granted_at >= ? AND granted_at < ?");
        let mut args = vec![Value::Text(codec::ts(from)), Value::Text(codec::ts(to))];
        if let Some(units) = units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND unit IN ({})", placeholders(units.len())));
            args.extend(units.iter().map(|u| Value::Text(u.as_str().to_owned())));
        }
        sql.push_str(" ORDER BY granted_at, id");
        let mut stmt = self.conn.prepare(&sql)?;
        collect(&mut stmt, params_from_iter(args), grant_row)
    }

    fn append_logs(&mut self, access: &[AccessEntry], security: &[SecurityEntry]) -> Result<(), StoreError> {
        if access.is_empty() && security.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !access.is_empty() {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO access_log (at, staff, role, unit, person, case_id, action, basis, reason, correlation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for e in access {
                stmt.execute(params![
                    codec::ts(e.at),
                    e.staff.as_str(),
                    codec::role(e.role)?,
                    e.unit.as_ref().map(|u| u.as_str()),
                    e.person.to_string(),
                    e.case.map(|c| c.to_string()),
                    e.action.as_str(),
                    e.basis.as_str(),
                    e.reason,
                    e.correlation,
                ])?;
            }
            access_blocks::seal_full_blocks(&tx)?;
        }
        if !security.is_empty() {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO security_log (at, kind, username, address, detail, correlation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in security {
                stmt.execute(params![
                    codec::ts(e.at),
                    e.kind.as_str(),
                    e.username,
                    e.address,
                    e.detail,
                    e.correlation
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn access_log(&mut self, q: &AccessQuery) -> Result<Vec<AccessRecord>, StoreError> {
        // One snapshot: the blocks and the lines they describe.
        let tx = self.conn.transaction()?;
        let out = if q.staff.is_some() || q.person.is_some() {
            access_blocks::lookup(&tx, q, ACCESS_COLS, access_row)?
        } else {
            // By period (and unit) only: the index on `at`.
            let Some((filter, mut args)) = access_blocks::filter(q) else {
                return Ok(Vec::new());
            };
            let mut sql = format!("SELECT {ACCESS_COLS} FROM access_log WHERE {filter} ORDER BY seq");
            if let Some(n) = codec::limit(q.limit) {
                sql.push_str(" LIMIT ?");
                args.push(Value::Integer(n));
            }
            let mut stmt = tx.prepare(&sql)?;
            collect(&mut stmt, params_from_iter(args), access_row)?
        };
        tx.commit()?;
        Ok(out)
    }

    fn security_log(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<SecurityRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SECURITY_COLS} FROM security_log WHERE at >= ?1 AND at < ?2 ORDER BY seq"
        ))?;
        collect(&mut stmt, [codec::ts(from), codec::ts(to)], security_row)
    }

    fn secret(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        let fresh = codec::new_secret()?;
        self.conn
            .prepare_cached("INSERT INTO secrets (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")?
            .execute(params![name, fresh])?;
        let stored: Vec<u8> =
            self.conn.prepare_cached("SELECT value FROM secrets WHERE name = ?1")?.query_row([name], |r| r.get(0))?;
        codec::check_secret(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::security_path;

    #[test]
    fn the_security_file_lies_beside_the_journal() {
        assert_eq!(security_path("skyndsam.sqlite"), "skyndsam-security.sqlite");
        assert_eq!(security_path("/var/lib/skyndsam/data.db"), "/var/lib/skyndsam/data-security.db");
        assert_eq!(security_path("/tmp/x/journal"), "/tmp/x/journal-security");
        assert_ne!(security_path("a.sqlite"), "a.sqlite");
    }
}
