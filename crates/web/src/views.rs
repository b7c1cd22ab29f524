//! What the API sends about persons and cases, per view. Building a view is the only way
//! person data leaves the server, so masking a protected identity and pseudonymising
//! happen here and nowhere else.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};
use skyndsam_domain::case::{CaseState, Step};
use skyndsam_domain::clock::{Deadline, DeadlineKind, DeadlineState};
use skyndsam_domain::events::{ActualisationKind, Reason, RecordedEvent};
use skyndsam_domain::ids::{CaseId, PersonId, StaffId, UnitId};
use skyndsam_domain::org::Role;
use skyndsam_domain::personnummer::Sex;
use skyndsam_store::projections::{KnowledgeRow, PersonEntry, Projections};
use skyndsam_store::security::AccessBasis;

use crate::cache::Rendered;
use crate::scope::{Access, View};
use std::sync::Arc;

/// Shown instead of a protected person's name.
pub const PROTECTED_NAME: &str = "Skyddad identitet";
/// Replaces a protected person's name or personnummer inside free text.
pub const REDACTED: &str = "[skyddad uppgift]";

/// Keyed pseudonyms: stable within an installation, not reversible without its secret.
#[derive(Clone)]
pub struct Pseudonymiser {
    key: Vec<u8>,
}

impl Pseudonymiser {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }
    pub fn person(&self, id: &PersonId) -> String {
        let mut h = Sha256::new();
        h.update(&self.key);
        h.update(b"person:");
        h.update(id.to_string().as_bytes());
        let d = h.finalize();
        format!("P-{}", hex::encode(&d[..6]).to_uppercase())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersonView {
    /// The person's id; in a pseudonymised view, the pseudonym.
    pub id: String,
    /// Name; "Skyddad identitet" when protected and the role may not see it; the pseudonym
    /// in a pseudonymised view.
    pub name: String,
    /// Full personnummer in a full view; None when masked or pseudonymised.
    pub id_number: Option<String>,
    pub birth_year: Option<i32>,
    pub sex: Option<Sex>,
    pub protected_identity: bool,
    /// How the caller sees this person: `full`, `masked` or `pseudonymised`.
    pub view: &'static str,
}

pub fn person_view(e: &PersonEntry, view: View, see_protected: bool, ps: &Pseudonymiser) -> PersonView {
    use chrono::Datelike;
    match view {
        View::Pseudonymised => {
            let p = ps.person(&e.id);
            PersonView {
                id: p.clone(),
                name: p,
                id_number: None,
                birth_year: if e.protected_identity { None } else { e.birth_date.map(|d| d.year()) },
                sex: if e.protected_identity { None } else { e.sex },
                protected_identity: e.protected_identity,
                view: "pseudonymised",
            }
        }
        View::Full if e.protected_identity && !see_protected => PersonView {
            id: e.id.to_string(),
            name: PROTECTED_NAME.into(),
            id_number: None,
            birth_year: None,
            sex: None,
            protected_identity: true,
            view: "masked",
        },
        View::Full => PersonView {
            id: e.id.to_string(),
            name: e.name.clone(),
            id_number: e.id_number.as_ref().map(|n| n.as_str().to_owned()),
            birth_year: e.birth_date.map(|d| d.year()),
            sex: e.sex,
            protected_identity: e.protected_identity,
            view: "full",
        },
    }
}

/// A person id unknown to the projections (should not happen): shown without details.
fn unknown_person(id: &PersonId, view: View, ps: &Pseudonymiser) -> PersonView {
    let id = if view == View::Pseudonymised { ps.person(id) } else { id.to_string() };
    PersonView {
        id: id.clone(),
        name: id,
        id_number: None,
        birth_year: None,
        sex: None,
        protected_identity: false,
        view: "unknown",
    }
}

pub fn person_of(p: &Projections, id: &PersonId, view: View, see_protected: bool, ps: &Pseudonymiser) -> PersonView {
    match p.person(id) {
        Some(e) => person_view(e, view, see_protected, ps),
        None => unknown_person(id, view, ps),
    }
}

/// One row of a case list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseSummary {
    pub id: CaseId,
    /// Give it back as `expected_version` with the next command.
    pub version: u32,
    pub child: PersonView,
    pub kind: ActualisationKind,
    pub received_at: DateTime<Utc>,
    pub unit: UnitId,
    pub handler: Option<StaffId>,
    pub step: Step,
    pub open: bool,
    pub reasons: Vec<Reason>,
    pub after_hours: bool,
    /// `full`, `masked` or `pseudonymised`.
    pub view: &'static str,
}

pub fn case_summary(
    p: &Projections,
    c: &CaseState,
    a: &Access,
    see_protected: bool,
    ps: &Pseudonymiser,
) -> CaseSummary {
    let child = person_of(p, &c.child, a.view, see_protected, ps);
    CaseSummary {
        id: c.case,
        version: c.version,
        view: child.view,
        child,
        kind: c.kind,
        received_at: c.received_at,
        unit: c.unit.clone(),
        handler: c.handler.clone(),
        step: c.step(),
        open: c.is_open(),
        reasons: c.reasons.clone(),
        after_hours: c.after_hours,
    }
}

/// One event of a case's timeline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimelineEntry {
    pub seq: u64,
    pub version: u32,
    /// The event's type (`preliminary_assessment_decided`, …).
    #[serde(rename = "type")]
    pub kind: String,
    pub recorded_at: DateTime<Utc>,
    pub effective_on: NaiveDate,
    pub actor: StaffId,
    pub role: Role,
    pub unit: Option<UnitId>,
    pub delegation: Option<String>,
    /// The event this one corrects.
    pub corrects: Option<u64>,
    /// Superseded by a later correction.
    pub corrected: bool,
    /// The act's content; absent in a pseudonymised view.
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub siblings: Vec<PersonView>,
    pub deadlines: Vec<Deadline>,
    pub timeline: RenderedTimeline,
    /// Why the caller may read it (logged): `own_case`, `own_unit`, `managed_unit`, `grant`, `pseudonymised`.
    pub access_basis: AccessBasis,
}

/// Words of a protected person's identity to scrub from free text.
pub fn identity_words(e: &PersonEntry) -> Vec<String> {
    let mut w: Vec<String> = e.name.split_whitespace().filter(|t| t.chars().count() >= 2).map(str::to_owned).collect();
    if let Some(n) = &e.id_number {
        let s = n.as_str().to_owned();
        w.push(s.replace('-', ""));
        w.push(s.clone());
        if let Some(short) = s.get(2..) {
            w.push(short.to_owned());
        }
    }
    w.sort_by_key(|s| std::cmp::Reverse(s.len()));
    w
}

/// `s` with every word replaced by the protected-data marker.
pub fn redact_str(s: &str, words: &[String]) -> String {
    let mut out = s.to_owned();
    for w in words {
        if out.contains(w.as_str()) {
            out = out.replace(w.as_str(), REDACTED);
        }
    }
    out
}

fn redact(v: &mut serde_json::Value, words: &[String]) {
    match v {
        serde_json::Value::String(s) if words.iter().any(|w| s.contains(w.as_str())) => {
            *s = redact_str(s, words);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| redact(x, words)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| redact(x, words)),
        _ => {}
    }
}

/// The data of a payload, without its type tag.
fn payload_data(e: &RecordedEvent) -> Option<serde_json::Value> {
    let mut v = serde_json::to_value(&e.payload).ok()?;
    v.get_mut("data").map(serde_json::Value::take)
}

/// Words to scrub from the free text of `c` for this caller: every protected person of
/// the case the caller may not see. Empty when nothing needs scrubbing.
pub fn scrub_words(p: &Projections, c: &CaseState, a: &Access, see_protected: bool) -> Vec<String> {
    let mut words = Vec::new();
    if a.view == View::Full && !see_protected {
        for id in std::iter::once(&c.child).chain(&c.siblings) {
            if let Some(e) = p.person(id).filter(|e| e.protected_identity) {
                words.extend(identity_words(e));
            }
        }
    }
    words
}

/// The timeline of `c` as the caller may see it, rendered to JSON (an array of
/// [`TimelineEntry`]). With the full view and no `words` this is the rendering the
/// timeline cache keeps.
pub fn render_timeline(
    c: &CaseState,
    events: &[RecordedEvent],
    view: View,
    words: &[String],
) -> Result<Rendered, serde_json::Error> {
    let timeline: Vec<TimelineEntry> = events
        .iter()
        .map(|e| {
            let data = match view {
                View::Pseudonymised => None,
                View::Full => payload_data(e).map(|mut d| {
                    if !words.is_empty() {
                        redact(&mut d, words);
                    }
                    d
                }),
            };
            TimelineEntry {
                seq: e.seq,
                version: e.version,
                kind: e.payload.type_name().to_owned(),
                recorded_at: e.meta.recorded_at,
                effective_on: e.meta.effective_on,
                actor: e.meta.actor.clone(),
                role: e.meta.role,
                unit: e.meta.unit.clone(),
                delegation: e.meta.delegation.clone(),
                corrects: e.meta.corrects,
                corrected: c.corrected.contains(&e.seq),
                data,
            }
        })
        .collect();
    Ok(Arc::from(serde_json::value::to_raw_value(&timeline)?))
}

pub fn case_detail(
    p: &Projections,
    c: &CaseState,
    timeline: Rendered,
    a: &Access,
    see_protected: bool,
    ps: &Pseudonymiser,
    now: DateTime<Utc>,
) -> CaseDetail {
    CaseDetail {
        summary: case_summary(p, c, a, see_protected, ps),
        siblings: c.siblings.iter().map(|s| person_of(p, s, a.view, see_protected, ps)).collect(),
        deadlines: skyndsam_domain::clock::deadlines(c, p.rules(), now),
        timeline: RenderedTimeline(timeline),
        access_basis: a.basis,
    }
}

/// A rendered timeline in a response: written as is, documented as `[TimelineEntry]`.
#[derive(Debug, Clone)]
pub struct RenderedTimeline(pub Rendered);

impl Serialize for RenderedTimeline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl JsonSchema for RenderedTimeline {
    fn schema_name() -> String {
        <Vec<TimelineEntry>>::schema_name()
    }
    fn json_schema(g: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        <Vec<TimelineEntry>>::json_schema(g)
    }
}

/// One row of the deadline book.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BookRowView {
    pub case: CaseId,
    pub kind: DeadlineKind,
    pub last_day: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub state: DeadlineState,
    pub unit: UnitId,
    pub handler: Option<StaffId>,
    pub child: PersonView,
}

/// A person with their earlier knowledge (tidigare kännedom).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersonDetail {
    pub person: PersonView,
    pub earlier_knowledge: Vec<KnowledgeView>,
    pub access_basis: AccessBasis,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KnowledgeView {
    pub case: CaseId,
    pub kind: ActualisationKind,
    pub received_on: NaiveDate,
    pub step: Step,
    pub preliminary: Option<String>,
    pub investigated: bool,
    pub investigation_outcome: Option<String>,
    pub interventions: Vec<String>,
}

impl From<KnowledgeRow> for KnowledgeView {
    fn from(r: KnowledgeRow) -> Self {
        Self {
            case: r.case,
            kind: r.kind,
            received_on: r.received_on,
            step: r.step,
            preliminary: r.preliminary.map(str::to_owned),
            investigated: r.investigated,
            investigation_outcome: r.investigation_outcome.map(str::to_owned),
            interventions: r.interventions.into_iter().map(str::to_owned).collect(),
        }
    }
}
