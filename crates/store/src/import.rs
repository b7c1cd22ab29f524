//! The JSON Lines import/export format (docs/import-format.md). One line per event. An
//! export carries every field and must continue the chain exactly; a conversion from
//! another case system may leave out `seq`, `version`, `schema`, `prev_hash` and `hash`,
//! and the events are sealed on import. All or nothing per file.

use schemars::JsonSchema;
use serde::Deserialize;
use skyndsam_domain::events::{EventMeta, NewEvent, Payload, RecordedEvent, ORG_STREAM, SCHEMA_VERSION};
use skyndsam_domain::journal::{canonical_body, seal, sha256_hex, GENESIS_HASH};
use skyndsam_domain::rules::RuleTable;
use std::collections::HashMap;

use crate::error::StoreError;

/// One line of the format.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Skyndsam journal line")]
pub struct Line {
    /// Position in the journal (export only).
    pub seq: Option<u64>,
    /// `org`, `person/<uuid>` or `case/<uuid>`.
    pub stream: String,
    /// Position within the stream (export only).
    pub version: Option<u32>,
    pub meta: EventMeta,
    /// Payload schema version (export only; default the current).
    pub schema: Option<u16>,
    pub payload: Payload,
    /// Hash of the previous event (export only).
    pub prev_hash: Option<String>,
    /// Hash of this event (export only).
    pub hash: Option<String>,
}

/// The JSON Schema of a line, as published in docs/import-format.schema.json.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Line);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

fn fail(line: usize, message: impl Into<String>) -> StoreError {
    StoreError::Import { line, message: message.into() }
}

/// Removes quoted values from a serde message so no record content reaches an error
/// (field names, which serde puts in backticks, stay).
pub fn sanitize(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quote = false;
    for ch in msg.chars() {
        if ch == '"' {
            if !in_quote {
                out.push_str("\"…\"");
            }
            in_quote = !in_quote;
        } else if !in_quote {
            out.push(ch);
        }
    }
    out
}

/// Seals or checks every line against the chain at `head`.
pub fn seal_lines(
    lines: Vec<(usize, Line)>,
    head: Option<(u64, String)>,
    mut version_of: impl FnMut(&str) -> Result<u32, StoreError>,
) -> Result<Vec<(usize, RecordedEvent)>, StoreError> {
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut versions: HashMap<String, u32> = HashMap::new();
    let mut out = Vec::with_capacity(lines.len());
    for (n, l) in lines {
        let v = match versions.get(&l.stream) {
            Some(v) => *v,
            None => version_of(&l.stream)?,
        } + 1;
        seq += 1;
        let event = match (&l.hash, l.seq, l.version, &l.prev_hash) {
            (Some(hash), Some(s), Some(ver), Some(p)) => {
                if s != seq {
                    return Err(fail(n, format!("Löpnummer {s} fortsätter inte journalen (väntade {seq}).")));
                }
                if ver != v {
                    return Err(fail(n, format!("Versionsnummer {ver} stämmer inte (väntade {v}).")));
                }
                if *p != prev {
                    return Err(fail(n, "prev_hash pekar inte på föregående händelse."));
                }
                let e = RecordedEvent {
                    seq: s,
                    stream: l.stream.clone(),
                    version: ver,
                    meta: l.meta,
                    schema: l.schema.unwrap_or(SCHEMA_VERSION),
                    payload: l.payload,
                    prev_hash: p.clone(),
                    hash: hash.clone(),
                };
                let body = canonical_body(&e).map_err(|e| fail(n, e.message))?;
                if sha256_hex(&body) != *hash {
                    return Err(fail(n, "Händelsens kontrollsumma stämmer inte med innehållet."));
                }
                e
            }
            (None, None, None, None) => {
                seal(NewEvent { stream: l.stream.clone(), meta: l.meta, payload: l.payload }, seq, v, &prev)
                    .map_err(|e| fail(n, e.message))?
            }
            _ => {
                return Err(fail(
                    n,
                    "Ange antingen alla av seq, version, prev_hash och hash (export) eller ingen av dem.",
                ))
            }
        };
        versions.insert(l.stream, v);
        prev = event.hash.clone();
        out.push((n, event));
    }
    Ok(out)
}

/// Structural checks: each payload belongs in its stream and each record starts right.
pub fn validate(events: &mut [(usize, RecordedEvent)], _rules: &RuleTable) -> Result<(), StoreError> {
    for (n, e) in events.iter() {
        let n = *n;
        let (prefix, id) = e.stream.split_once('/').unwrap_or((e.stream.as_str(), ""));
        let ok = match &e.payload {
            Payload::UnitCreated(_)
            | Payload::StaffRegistered(_)
            | Payload::StaffQualificationChanged(_)
            | Payload::StaffEmailChanged(_)
            | Payload::RoleGranted(_)
            | Payload::RoleRevoked(_)
            | Payload::RedelegationDecided(_)
            | Payload::RedelegationRevoked(_)
            | Payload::DelegationOrderVersioned(_)
            | Payload::AuditTemplateSet(_) => e.stream == ORG_STREAM,
            Payload::PersonRegistered(p) => prefix == "person" && p.person.0.to_string() == id && e.version == 1,
            Payload::PersonUpdated(_) => prefix == "person" && e.version > 1,
            Payload::ActualisationRegistered(a) => {
                prefix == "case" && a.case.0.to_string() == id && (e.version == 1 || e.meta.corrects.is_some())
            }
            p if p.is_quality() => skyndsam_domain::quality::fits_stream(e),
            Payload::WebReportSubmitted(w) => {
                prefix == "submission" && w.submission.0.to_string() == id && e.version == 1
            }
            Payload::WebReportRegistered(_) | Payload::WebReportDismissed(_) => prefix == "submission" && e.version > 1,
            Payload::ReportNarrativeWritten(n) => prefix == "narrative" && id == format!("{}-{}", n.report, n.year),
            _ => prefix == "case" && e.version > 1,
        };
        if !ok {
            return Err(fail(
                n,
                format!(
                    "Händelsen \"{}\" hör inte hemma i strömmen, eller kommer i fel ordning (ett ärende börjar med aktualiseringen, en person med registreringen, en anmälan från e-tjänsten med sitt mottagande).",
                    e.payload.type_name()
                ),
            ));
        }
        if let Payload::StaffEmailChanged(m) = &e.payload {
            if m.email.as_deref().is_some_and(|a| !skyndsam_domain::org::plausible_email(a)) {
                return Err(fail(n, "E-postadressen ser inte ut som en adress (namn@exempel.se)."));
            }
        }
    }
    Ok(())
}
