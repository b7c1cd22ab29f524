//! The one small storage trait, and the pieces both backends share.

use skyndsam_domain::events::{NewEvent, RecordedEvent};
use skyndsam_domain::journal::{seal_with_body, GENESIS_HASH};
use std::collections::HashMap;

use crate::error::StoreError;

/// What the writer expects of a stream before appending (optimistic concurrency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// No check (organisation stream, imports).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be at exactly this version.
    Exactly(u32),
}

/// One atomic append: version checks for the streams it touches, and its events.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub expect: Vec<(String, Expected)>,
    pub events: Vec<NewEvent>,
}

impl AppendRequest {
    pub fn new(events: Vec<NewEvent>) -> Self {
        Self { expect: Vec::new(), events }
    }
    pub fn expect(mut self, stream: impl Into<String>, e: Expected) -> Self {
        self.expect.push((stream.into(), e));
        self
    }
}

pub type AppendResult = Result<Vec<RecordedEvent>, StoreError>;

/// Receives each stored event's body bytes and hash during a scan.
pub type ScanFn<'a> = dyn FnMut(&[u8], &str) -> Result<(), StoreError> + 'a;

/// Storage of the journal. One implementation per database; the rest of the system only
/// sees this. Implementations are used from one thread at a time.
pub trait Backend: Send {
    /// Appends a group of requests in one transaction (one fsync). Each request succeeds or
    /// fails on its own (a version conflict fails only that request); an error of the
    /// database itself fails the whole group and nothing is written.
    fn append_group(&mut self, group: &[&AppendRequest]) -> Result<Vec<AppendResult>, StoreError>;
    /// The events of one stream, in order.
    fn read_stream(&mut self, stream: &str) -> Result<Vec<RecordedEvent>, StoreError>;
    /// Every event from `from_seq` in order, with its stored body bytes.
    fn scan(&mut self, from_seq: u64, f: &mut ScanFn) -> Result<(), StoreError>;
    /// Inserts already sealed events verbatim (import), in one transaction, after checking
    /// that they continue the chain at the current head.
    fn insert_sealed(&mut self, events: &[RecordedEvent]) -> Result<(), StoreError>;
    /// (seq, hash) of the last event.
    fn head(&mut self) -> Result<Option<(u64, String)>, StoreError>;
    /// Number of events.
    fn count(&mut self) -> Result<u64, StoreError>;
}

/// Seals the requests of a group against the chain head, checking versions. Shared by
/// both backends: `version_of` reads a stream's current version inside the transaction.
pub(crate) fn seal_group(
    group: &[&AppendRequest],
    head: Option<(u64, String)>,
    mut version_of: impl FnMut(&str) -> Result<u32, StoreError>,
) -> Result<(Vec<AppendResult>, Vec<Vec<u8>>), StoreError> {
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut versions: HashMap<String, u32> = HashMap::new();
    let mut results = Vec::with_capacity(group.len());
    // Canonical bodies of every sealed event, in seq order (what the backend stores).
    let mut bodies = Vec::new();
    for req in group {
        // Current versions of every stream this request touches.
        let mut local: HashMap<&str, u32> = HashMap::new();
        let mut conflict = None;
        let streams = req.expect.iter().map(|(s, _)| s.as_str()).chain(req.events.iter().map(|e| e.stream.as_str()));
        for s in streams {
            if local.contains_key(s) {
                continue;
            }
            let v = match versions.get(s) {
                Some(v) => *v,
                None => version_of(s)?,
            };
            local.insert(s, v);
        }
        for (s, e) in &req.expect {
            let actual = local.get(s.as_str()).copied().unwrap_or(0);
            let ok = match e {
                Expected::Any => true,
                Expected::NoStream => actual == 0,
                Expected::Exactly(v) => actual == *v,
            };
            if !ok {
                conflict = Some(StoreError::Conflict { stream: s.clone(), actual });
                break;
            }
        }
        if let Some(c) = conflict {
            results.push(Err(c));
            continue;
        }
        let mut sealed = Vec::with_capacity(req.events.len());
        for ev in &req.events {
            let v = local.get(ev.stream.as_str()).copied().unwrap_or(0) + 1;
            seq += 1;
            let (rec, body) = seal_with_body(ev.clone(), seq, v, &prev).map_err(StoreError::Domain)?;
            bodies.push(body);
            prev = rec.hash.clone();
            local.insert(ev.stream.as_str(), v);
            sealed.push(rec);
        }
        for (s, v) in local {
            versions.insert(s.to_owned(), v);
        }
        results.push(Ok(sealed));
    }
    Ok((results, bodies))
}

/// Checks that sealed events continue the chain at `head` (import).
pub(crate) fn check_continues(events: &[RecordedEvent], head: &Option<(u64, String)>) -> Result<(), StoreError> {
    let (seq, hash) = head.clone().unwrap_or((0, GENESIS_HASH.to_owned()));
    if let Some(first) = events.first() {
        if first.seq != seq + 1 || first.prev_hash != hash {
            return Err(StoreError::Import {
                line: 1,
                message: "Händelserna fortsätter inte journalen (löpnummer eller kontrollsumma stämmer inte).".into(),
            });
        }
    }
    Ok(())
}

/// The sealed events of a group's successful requests, in seq order, with their bodies.
pub(crate) fn sealed_rows<'a>(
    results: &'a [AppendResult],
    bodies: &'a [Vec<u8>],
) -> impl Iterator<Item = (&'a RecordedEvent, &'a [u8])> + 'a {
    results.iter().flatten().flatten().zip(bodies.iter().map(|b| b.as_slice()))
}

/// The canonical body stored for an event.
pub(crate) fn body_of(e: &RecordedEvent) -> Result<Vec<u8>, StoreError> {
    skyndsam_domain::journal::canonical_body(e).map_err(StoreError::Domain)
}
