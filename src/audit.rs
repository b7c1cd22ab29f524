//! `skyndsam audit`: self-inspection (egenkontroll) per case or per unit and year, the
//! board's list of delegated decisions (anmälan av delegationsbeslut) and the annual file
//! audit's sample (aktgranskning). Reads the journal once and calls the pure core.

use anyhow::{bail, Result};
use chrono::{Datelike, NaiveDate};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::checks::{inspect, summarise, CaseInspection, Questionnaire};
use skyndsam_domain::events::{InvestigationOutcome, Payload, RecordedEvent};
use skyndsam_domain::ids::{CaseId, PersonId, UnitId};
use skyndsam_domain::org::{Organisation, UnitKind};
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::rules::RuleTable;
use skyndsam_domain::sampler::{age_band, draw, Candidate, DEFAULT_SIZE};
use std::collections::HashMap;

#[derive(clap::Args)]
pub struct AuditArgs {
    /// One case (its id): every question with answer and evidence.
    #[arg(long)]
    case: Option<String>,
    /// Unit (and the units below it).
    #[arg(long)]
    unit: Option<String>,
    /// Year (YYYY): cases received that year; for --board-list, decisions taken that year.
    #[arg(long)]
    period: Option<i32>,
    /// Answer as of this date (default today).
    #[arg(long)]
    at: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
    /// The board's list of delegated decisions (anmälan av delegationsbeslut) for the period.
    #[arg(long, conflicts_with_all = ["case", "sample"])]
    board_list: bool,
    /// With --board-list: CSV instead of JSON.
    #[arg(long, requires = "board_list")]
    csv: bool,
    /// Draw the file-audit sample (20 per unit) with this seed.
    #[arg(long, conflicts_with = "case")]
    sample: Option<u64>,
    /// Another questionnaire (TOML); default: the auditors' questions.
    #[arg(long)]
    questions: Option<std::path::PathBuf>,
}

#[derive(Default)]
struct Journal {
    org: Organisation,
    /// The delegation-order versions the administrator recorded (`delegation_order_versioned`):
    /// decisions are judged against them as the server does.
    versions: Vec<skyndsam_domain::rules::DelegationOrderVersion>,
    persons: HashMap<PersonId, (Option<Sex>, Option<NaiveDate>)>,
    cases: HashMap<CaseId, Vec<RecordedEvent>>,
}

fn read(database: &str) -> Result<Journal> {
    let mut j = Journal::default();
    let mut backend = skyndsam_store::open_backend(database)?;
    backend.scan(1, &mut |body, hash| {
        let e = skyndsam_store::parse_body(body, hash)?;
        match &e.payload {
            Payload::PersonRegistered(p) => {
                let sex = p.sex.or_else(|| p.id_number.as_ref().and_then(|n| n.sex()));
                let birth = p.birth_date.or_else(|| p.id_number.as_ref().and_then(|n| n.birth_date()));
                j.persons.insert(p.person, (sex, birth));
            }
            _ if e.stream == skyndsam_domain::events::ORG_STREAM => {
                if let Payload::DelegationOrderVersioned(v) = &e.payload {
                    j.versions.push(v.clone());
                }
                j.org.apply(&e)
            }
            _ => {
                if let Some(id) = e.stream.strip_prefix("case/").and_then(|s| CaseId::parse(s).ok()) {
                    j.cases.entry(id).or_default().push(e);
                }
            }
        }
        Ok(())
    })?;
    Ok(j)
}

pub fn run(database: &str, rules: &RuleTable, a: &AuditArgs, today: NaiveDate) -> Result<()> {
    let questions = match &a.questions {
        Some(p) => Questionnaire::from_toml(&std::fs::read_to_string(p)?)?,
        None => Questionnaire::defaults()?,
    };
    let j = read(database)?;
    let mut live = rules.clone();
    for v in &j.versions {
        live.absorb_delegation_version(v);
    }
    let rules = &live;
    let as_of = a.at.unwrap_or(today);
    let units: Option<Vec<UnitId>> = match &a.unit {
        Some(u) => {
            let id = UnitId::parse(u)?;
            if j.org.unit(&id).is_none() {
                bail!("enheten {u} finns inte");
            }
            Some(j.org.subtree(&id))
        }
        None => None,
    };

    if a.board_list {
        let year = a.period.unwrap_or(as_of.year());
        let (Some(from), Some(to)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            bail!("ogiltigt år {year}");
        };
        let mut list = skyndsam_domain::delegation::board_list(rules, &j.org, j.cases.values().flatten(), from, to);
        if let Some(units) = &units {
            list.decisions.retain(|d| {
                d.case.and_then(|c| j.cases.get(&c)).and_then(|evs| evs.first()).is_some_and(|e| match &e.payload {
                    Payload::ActualisationRegistered(r) => units.contains(&r.unit),
                    _ => false,
                })
            });
        }
        if a.csv {
            print!("{}", list.to_csv());
        } else {
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        return Ok(());
    }

    if let Some(c) = &a.case {
        let id = CaseId::parse(c)?;
        let Some(events) = j.cases.get(&id) else { bail!("ärendet {c} finns inte") };
        let Some(ins) = inspect(events, rules, &j.org, &questions, as_of) else {
            bail!("ärendet {c} saknar aktualisering")
        };
        if a.json {
            println!("{}", serde_json::to_string_pretty(&ins)?);
        } else {
            print_case(&ins, &questions);
        }
        return Ok(());
    }

    // The cases in scope: received in the period, in the unit's subtree.
    let mut scope: Vec<(&CaseId, CaseState)> = j
        .cases
        .iter()
        .filter_map(|(id, evs)| CaseState::from_events(evs.iter()).map(|s| (id, s)))
        .filter(|(_, s)| a.period.is_none_or(|y| local_date(s.received_at).year() == y))
        .filter(|(_, s)| units.as_ref().is_none_or(|u| u.contains(&s.unit)))
        .collect();
    scope.sort_by_key(|(id, _)| **id);

    if let Some(seed) = a.sample {
        let mut per_unit: std::collections::BTreeMap<UnitId, Vec<Candidate>> = std::collections::BTreeMap::new();
        for (id, s) in &scope {
            let (sex, birth) = j.persons.get(&s.child).copied().unwrap_or((None, None));
            let transferred = j.cases.get(id).is_some_and(|evs| {
                evs.iter().any(|e| {
                    matches!(&e.payload, Payload::InvestigationDecided(d)
                        if matches!(d.outcome, InvestigationOutcome::TransferToMunicipality { .. }))
                })
            });
            // Files are sampled per unit (enhet): a team's files count to its unit.
            let unit = j
                .org
                .ancestors(&s.unit)
                .into_iter()
                .find(|u| j.org.unit(u).is_some_and(|x| x.kind == UnitKind::Unit))
                .unwrap_or_else(|| s.unit.clone());
            per_unit.entry(unit).or_default().push(Candidate {
                case: **id,
                sex,
                age_band: age_band(birth, local_date(s.received_at)),
                // The handler who documented the file: the allocated one, else the
                // preliminary assessment's decider (intake files are rarely allocated).
                handler: s.handler.clone().or_else(|| s.preliminary.as_ref().map(|p| p.decided_by.clone())),
                drop_out: transferred.then(|| "Överflyttat till annan kommun".to_owned()),
            });
        }
        let samples: Vec<_> = per_unit.iter().map(|(u, c)| draw(u, c, DEFAULT_SIZE, seed)).collect();
        if a.json {
            println!("{}", serde_json::to_string_pretty(&samples)?);
        } else {
            for s in &samples {
                println!(
                    "{}: {} av {} akter (frö {}), bortfall {}, granskas {}",
                    s.unit,
                    s.drawn.len(),
                    s.population,
                    s.seed,
                    s.drop_outs.len(),
                    s.audited
                );
                for d in &s.drawn {
                    let h = d.handler.as_ref().map(|h| h.as_str()).unwrap_or("ej fördelat");
                    println!("  {}  {:<22}  {}", d.case, d.stratum, h);
                }
                for d in &s.drop_outs {
                    println!("  bortfall {}: {}", d.case, d.reason);
                }
            }
            if let Some(s) = samples.first() {
                println!("\nMetod: {}", s.method);
            }
        }
        return Ok(());
    }

    let inspections: Vec<CaseInspection> = scope
        .iter()
        .filter_map(|(id, _)| j.cases.get(id).and_then(|evs| inspect(evs, rules, &j.org, &questions, as_of)))
        .collect();
    let summary = summarise(&questions, &inspections);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "unit": a.unit,
                "period": a.period,
                "as_of": as_of,
                "summary": summary,
            }))?
        );
        return Ok(());
    }
    println!(
        "Egenkontroll per {as_of} — {} ärenden{}{}",
        summary.cases,
        a.unit.as_deref().map(|u| format!(", enhet {u}")).unwrap_or_default(),
        a.period.map(|y| format!(", mottagna {y}")).unwrap_or_default()
    );
    println!("{:<16} {:<22} {:>6} {:>6} {:>6} {:>8}  fråga", "del", "id", "Ja", "Nej", "Ej t.", "andel Ja");
    for r in &summary.questions {
        let section = match r.section {
            skyndsam_domain::checks::Section::PreliminaryAssessment => "förhandsbedömning",
            skyndsam_domain::checks::Section::Investigation => "utredning",
        };
        let share = r.share_yes.map(|s| format!("{:.1} %", s * 100.0)).unwrap_or_else(|| "–".into());
        println!(
            "{:<16} {:<22} {:>6} {:>6} {:>6} {:>8}  {}{}",
            section,
            r.question,
            r.yes,
            r.no,
            r.not_applicable,
            share,
            r.text,
            if r.auto { "" } else { " (förifylld)" }
        );
    }
    Ok(())
}

fn print_case(ins: &CaseInspection, q: &Questionnaire) {
    println!("Egenkontroll för ärende {} per {} (enhet {})", ins.case, ins.as_of, ins.unit);
    for a in &ins.answers {
        let text = q
            .question
            .iter()
            .find(|x| x.id == a.question && x.applies_to == a.section)
            .map(|x| x.text.as_str())
            .unwrap_or("");
        let post = a.evidence.seq.map(|s| format!("post {s}; ")).unwrap_or_default();
        println!("{:<15} {text}\n                {post}{} [{}]", a.answer.label_sv(), a.evidence.note, a.evidence.rule);
    }
}
