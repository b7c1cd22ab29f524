//! The hash chain. Each event's hash is SHA-256 over its canonical body — every field
//! except `hash`, including `prev_hash` — so changing any recorded event, or removing or
//! reordering one, breaks the chain from that point on. Pure: the store calls these.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{DomainError, ErrorCode};
use crate::events::{EventMeta, NewEvent, Payload, RecordedEvent, SCHEMA_VERSION};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed part of an event, in a fixed field order.
#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    stream: &'a str,
    version: u32,
    meta: &'a EventMeta,
    schema: u16,
    payload: &'a Payload,
    prev_hash: &'a str,
}

/// Canonical body bytes of an event (what the hash covers).
pub fn canonical_body(e: &RecordedEvent) -> Result<Vec<u8>, DomainError> {
    body_bytes(e.seq, &e.stream, e.version, &e.meta, e.schema, &e.payload, &e.prev_hash)
}

fn body_bytes(
    seq: u64,
    stream: &str,
    version: u32,
    meta: &EventMeta,
    schema: u16,
    payload: &Payload,
    prev_hash: &str,
) -> Result<Vec<u8>, DomainError> {
    serde_json::to_vec(&Body { seq, stream, version, meta, schema, payload, prev_hash })
        .map_err(|_| DomainError::new(ErrorCode::InvalidInput, "Händelsen kunde inte serialiseras."))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Seals a new event at its place in the chain.
pub fn seal(e: NewEvent, seq: u64, version: u32, prev_hash: &str) -> Result<RecordedEvent, DomainError> {
    seal_with_body(e, seq, version, prev_hash).map(|(e, _)| e)
}

/// Seals a new event and returns the canonical body its hash covers (what a store keeps).
pub fn seal_with_body(
    e: NewEvent,
    seq: u64,
    version: u32,
    prev_hash: &str,
) -> Result<(RecordedEvent, Vec<u8>), DomainError> {
    let body = body_bytes(seq, &e.stream, version, &e.meta, SCHEMA_VERSION, &e.payload, prev_hash)?;
    let hash = sha256_hex(&body);
    Ok((
        RecordedEvent {
            seq,
            stream: e.stream,
            version,
            meta: e.meta,
            schema: SCHEMA_VERSION,
            payload: e.payload,
            prev_hash: prev_hash.to_owned(),
            hash,
        },
        body,
    ))
}

/// Why a link of the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BrokenLink {
    /// The event's content does not match its hash (it was changed after recording).
    HashMismatch,
    /// The event does not point at the hash of the one before it.
    PrevHashMismatch,
    /// A sequence number is missing or repeated.
    SequenceGap { expected: u64 },
    /// The stream version does not follow the stream's previous event.
    VersionGap { expected: u32 },
    /// The stored event could not be read.
    Unreadable,
}

impl BrokenLink {
    pub fn message_sv(&self) -> String {
        match self {
            Self::HashMismatch => "händelsens innehåll stämmer inte med dess kontrollsumma (ändrad i efterhand)".into(),
            Self::PrevHashMismatch => "händelsen pekar inte på föregående händelses kontrollsumma".into(),
            Self::SequenceGap { expected } => format!("löpnummer saknas eller upprepas (väntade {expected})"),
            Self::VersionGap { expected } => format!("ärendets versionsnummer hoppar (väntade {expected})"),
            Self::Unreadable => "händelsen kunde inte läsas".into(),
        }
    }
}

/// Walks events in sequence order and checks every link. Feed it the events one by one.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    prev_hash: Option<String>,
    next_seq: u64,
    versions: std::collections::HashMap<String, u32>,
    pub checked: u64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self { prev_hash: None, next_seq: 1, versions: Default::default(), checked: 0 }
    }

    /// Checks the next event; `stored_body` is the exact stored body when the store keeps
    /// it (verification hashes what is stored, not a re-serialisation).
    pub fn check(&mut self, e: &RecordedEvent, stored_body: Option<&[u8]>) -> Result<(), BrokenLink> {
        if e.seq != self.next_seq {
            return Err(BrokenLink::SequenceGap { expected: self.next_seq });
        }
        let prev = self.prev_hash.as_deref().unwrap_or(GENESIS_HASH);
        if e.prev_hash != prev {
            return Err(BrokenLink::PrevHashMismatch);
        }
        let expected_version = self.versions.get(&e.stream).copied().unwrap_or(0) + 1;
        if e.version != expected_version {
            return Err(BrokenLink::VersionGap { expected: expected_version });
        }
        let computed = match stored_body {
            Some(b) => sha256_hex(b),
            None => canonical_body(e).map(|b| sha256_hex(&b)).map_err(|_| BrokenLink::Unreadable)?,
        };
        if computed != e.hash {
            return Err(BrokenLink::HashMismatch);
        }
        self.versions.insert(e.stream.clone(), e.version);
        self.prev_hash = Some(e.hash.clone());
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    pub fn head(&self) -> Option<&str> {
        self.prev_hash.as_deref()
    }
}
