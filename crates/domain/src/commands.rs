//! The flow's commands. Each is validated by the domain against the case's state, the
//! rule table (deadlines, qualification, delegation) and the organisation, and turns into
//! events — or a `DomainError` with a stable code, a Swedish message and the field.
//! Pure: the clock, the actor and the ids are parameters.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{add_days, local_date};
use crate::case::{CaseState, Step};
use crate::clock;
use crate::delegation::{grant_decision_type, Verdict};
use crate::error::{DomainError, ErrorCode};
use crate::events::*;
use crate::ids::{ActualisationId, CaseId, PersonId, UnitId};
use crate::org::{Actor, Organisation, Role};
use crate::rules::{DecisionType, OutsideDelegation, QualifiedStep, RuleTable};

/// Everything a command is judged against besides the case itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub rules: &'a RuleTable,
    pub org: &'a Organisation,
    pub actor: &'a Actor,
}

impl Context<'_> {
    pub fn today(&self) -> NaiveDate {
        local_date(self.now)
    }

    fn meta(&self, effective_on: NaiveDate, delegation: Option<String>) -> EventMeta {
        EventMeta {
            recorded_at: self.now,
            effective_on,
            actor: self.actor.staff.clone(),
            role: self.actor.role,
            unit: self.actor.unit.clone(),
            delegation,
            corrects: None,
        }
    }
}

pub(crate) fn err(code: ErrorCode, field: &str, msg: impl Into<String>) -> DomainError {
    DomainError::new(code, msg).field(field)
}

pub(crate) fn required(field: &str, value: &str, what: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(err(ErrorCode::InvalidInput, field, format!("{what} måste fyllas i.")));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(err(ErrorCode::InvalidInput, field, format!("{what} är för lång (högst {MAX_TEXT} tecken).")));
    }
    Ok(())
}

/// Longest free text accepted in one field.
pub const MAX_TEXT: usize = 50_000;

pub(crate) fn not_future(field: &str, d: NaiveDate, ctx: &Context) -> Result<(), DomainError> {
    if d > ctx.today() {
        return Err(err(ErrorCode::DateInFuture, field, "Datumet ligger i framtiden."));
    }
    Ok(())
}

fn not_before(field: &str, d: NaiveDate, earliest: NaiveDate, what: &str) -> Result<(), DomainError> {
    if d < earliest {
        return Err(err(ErrorCode::DateBeforeReceipt, field, format!("Datumet ligger före {what}.")));
    }
    Ok(())
}

pub(crate) fn role_in(ctx: &Context, allowed: &[Role], what: &str) -> Result<(), DomainError> {
    if allowed.contains(&ctx.actor.role) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().filter(|r| **r != Role::System).map(|r| r.label_sv()).collect();
    Err(DomainError::new(
        ErrorCode::NotAuthorised,
        format!("Du kan inte {what} i rollen {}. Det görs av {}.", ctx.actor.role.label_sv(), names.join(", ")),
    ))
}

fn qualified(ctx: &Context, step: QualifiedStep) -> Result<(), DomainError> {
    if ctx.rules.requires_qualification(step) && !ctx.actor.qualified && ctx.actor.role != Role::System {
        return Err(DomainError::new(
            ErrorCode::NotQualified,
            format!(
                "Uppgiften får bara utföras av handläggare med socionomexamen eller motsvarande ({}).",
                ctx.rules.qualification.citation_old
            ),
        ));
    }
    Ok(())
}

/// The outcome of the delegation check: the reference to record on the decision's event,
/// and — where the municipality records and flags decisions outside delegation — the flag
/// event to append after it.
struct Deleg {
    reference: Option<String>,
    flag: Option<Payload>,
}

/// Checks the actor against the delegation order in force on the decision date and the
/// written re-delegations (DOMAIN §3). Board-only decisions are never recorded as an
/// official's: they need the board's or committee's meeting date and paragraph.
fn delegation(
    ctx: &Context,
    case_unit: &UnitId,
    decision: DecisionType,
    on: NaiveDate,
    board: Option<&BoardDecision>,
) -> Result<Deleg, DomainError> {
    if let Some(b) = board {
        if !matches!(b.body, Role::Board | Role::Committee) {
            return Err(err(ErrorCode::InvalidInput, "board_decision.body", "Ange nämnd eller utskott."));
        }
        not_future("board_decision.meeting_on", b.meeting_on, ctx)?;
        required("board_decision.paragraph", &b.paragraph, "Paragraf")?;
    }
    let j = crate::delegation::judge(
        ctx.rules,
        ctx.org,
        &ctx.actor.staff,
        ctx.actor.role,
        Some(case_unit),
        decision,
        on,
        board,
    );
    match j.verdict {
        Verdict::Role | Verdict::Redelegation { .. } | Verdict::Board { .. } => {
            Ok(Deleg { reference: j.reference(), flag: None })
        }
        Verdict::NotInOrder => Err(DomainError::new(
            ErrorCode::OutsideDelegation,
            "Beslutstypen saknas i delegationsordningen. Kontakta systemadministratören.",
        )),
        Verdict::BoardOnly => Err(err(
            ErrorCode::BoardOnly,
            "board_decision",
            format!(
                "Beslutet \"{}\" får inte delegeras till tjänsteperson ({}). Registrera det som nämndens eller utskottets beslut med sammanträdesdatum och paragraf.",
                j.name, j.citation
            ),
        )),
        Verdict::Outside => {
            let mut message = format!(
                "Du har inte delegation för beslutet \"{}\". Enligt delegationsordningen beslutar {}.",
                j.name,
                j.who_sv()
            );
            let expired = ctx
                .org
                .redelegations
                .iter()
                .filter(|r| r.delegates.contains(&ctx.actor.staff) && r.decisions.contains(&decision))
                .filter(|r| !r.active_on(on))
                .max_by_key(|r| r.to);
            if let Some(r) = expired {
                let last = r.revoked_on.and_then(|d| d.pred_opt()).map_or(r.to, |d| d.min(r.to));
                message.push_str(&format!(" Vidaredelegeringen {} gällde {}–{}.", r.id, r.from, last));
            }
            match ctx.rules.policy.outside_delegation {
                OutsideDelegation::Refuse => Err(DomainError::new(ErrorCode::OutsideDelegation, message)),
                OutsideDelegation::RecordAndFlag => Ok(Deleg {
                    reference: None,
                    flag: Some(Payload::DelegationDeviationFlagged(DelegationDeviationFlagged {
                        decision,
                        decided_on: on,
                        order_version: j.order_version.clone(),
                        may_decide: j.may_decide.clone(),
                        message: j.explain_sv(),
                    })),
                }),
            }
        }
    }
}

// ------------------------------------------------------------------ re-delegation

/// Records a written re-delegation (vidaredelegering) decided by the förvaltningschef.
pub fn decide_redelegation(r: &RedelegationDecided, ctx: &Context) -> Result<NewEvent, DomainError> {
    role_in(ctx, &ctx.rules.redelegation.roles, "besluta om vidaredelegering")?;
    required("redelegation", &r.redelegation, "Beslutets diarienummer eller beteckning")?;
    if ctx.org.redelegation(&r.redelegation).is_some() {
        return Err(err(
            ErrorCode::InvalidInput,
            "redelegation",
            "Det finns redan en vidaredelegering med den beteckningen.",
        ));
    }
    required("document", &r.document, "Det skriftliga beslutet")?;
    required("reason", &r.reason, "Skälet")?;
    not_future("decided_on", r.decided_on, ctx)?;
    if r.decisions.is_empty() {
        return Err(err(ErrorCode::InvalidInput, "decisions", "Ange minst en beslutstyp."));
    }
    if r.delegates.is_empty() {
        return Err(err(ErrorCode::InvalidInput, "delegates", "Ange minst en delegat."));
    }
    if let Some(s) = r.delegates.iter().find(|s| !ctx.org.staff.contains_key(*s)) {
        return Err(err(ErrorCode::NotFound, "delegates", format!("Delegaten {} finns inte.", s.as_str())));
    }
    if let Some(u) = &r.unit {
        if ctx.org.unit(u).is_none() {
            return Err(err(ErrorCode::NotFound, "unit", "Enheten finns inte."));
        }
    }
    if r.to < r.from || r.from < r.decided_on {
        return Err(err(
            ErrorCode::InvalidInput,
            "to",
            "Vidaredelegeringen ska gälla från beslutsdagen eller senare och sluta efter att den börjat.",
        ));
    }
    let days = (r.to - r.from).num_days() + 1;
    if days > i64::from(ctx.rules.redelegation.max_days) {
        return Err(err(
            ErrorCode::InvalidInput,
            "to",
            format!("En vidaredelegering får gälla högst {} dagar.", ctx.rules.redelegation.max_days),
        ));
    }
    for d in &r.decisions {
        match ctx.rules.delegation_rule_on(*d, r.from) {
            Some((_, rule)) if rule.redelegable => {}
            Some((_, rule)) => {
                return Err(err(
                    ErrorCode::OutsideDelegation,
                    "decisions",
                    format!("Beslutet \"{}\" får inte vidaredelegeras enligt delegationsordningen.", rule.name),
                ))
            }
            None => {
                return Err(err(
                    ErrorCode::OutsideDelegation,
                    "decisions",
                    "Beslutstypen saknas i delegationsordningen.",
                ))
            }
        }
    }
    Ok(NewEvent {
        stream: ORG_STREAM.to_owned(),
        meta: ctx.meta(r.decided_on, Some(ctx.rules.redelegation.citation_old.clone())),
        payload: Payload::RedelegationDecided(r.clone()),
    })
}

/// Revokes a re-delegation before it ends by itself.
pub fn revoke_redelegation(r: &RedelegationRevoked, ctx: &Context) -> Result<NewEvent, DomainError> {
    role_in(ctx, &ctx.rules.redelegation.roles, "återkalla vidaredelegering")?;
    let Some(existing) = ctx.org.redelegation(&r.redelegation) else {
        return Err(err(ErrorCode::NotFound, "redelegation", "Vidaredelegeringen finns inte."));
    };
    if existing.revoked_on.is_some() || r.on > existing.to {
        return Err(DomainError::new(ErrorCode::WrongState, "Vidaredelegeringen har redan upphört."));
    }
    required("reason", &r.reason, "Skälet")?;
    Ok(NewEvent {
        stream: ORG_STREAM.to_owned(),
        meta: ctx.meta(r.on, None),
        payload: Payload::RedelegationRevoked(r.clone()),
    })
}

// ------------------------------------------------------------------ the delegation order

/// Who edits the delegation order in the app (the board adopts it; the administrator enters it).
pub const DELEGATION_ORDER_EDITORS: &[Role] = &[Role::SystemAdministrator];

/// Records a new dated version of the delegation order (`delegation_order_versioned`, org
/// stream). Checked like the rule table (a board-only decision can be neither delegated nor
/// re-delegated); it may not start before today, so a decision already taken stays judged by
/// the order that was in force on its date.
pub fn version_delegation_order(
    v: &crate::rules::DelegationOrderVersion,
    ctx: &Context,
) -> Result<NewEvent, DomainError> {
    role_in(ctx, DELEGATION_ORDER_EDITORS, "ändra delegationsordningen")?;
    if v.valid_from < ctx.today() {
        return Err(err(
            ErrorCode::InvalidInput,
            "valid_from",
            "En ny version kan inte börja gälla bakåt i tiden; beslut som redan fattats bedöms mot ordningen som gällde då.",
        ));
    }
    if v.valid_to.is_some_and(|t| t < v.valid_from) {
        return Err(err(ErrorCode::InvalidInput, "valid_to", "Versionen kan inte sluta innan den börjar gälla."));
    }
    ctx.rules.with_delegation_version(v)?;
    Ok(NewEvent {
        stream: ORG_STREAM.to_owned(),
        meta: ctx.meta(ctx.today(), None),
        payload: Payload::DelegationOrderVersioned(v.clone()),
    })
}

// ------------------------------------------------------------------ file-audit templates

/// Who sets a unit type's file-audit questionnaire (the routine is the quality developer's).
pub const AUDIT_TEMPLATE_EDITORS: &[Role] = &[Role::QualityDeveloper];

/// Records a unit type's file-audit questionnaire (`audit_template_set`, org stream), checked
/// against the catalogue (the default questionnaire). It stands for audits opened after it;
/// an audit already opened keeps the questions it recorded.
pub fn set_audit_template(
    t: &crate::checks::AuditTemplate,
    catalogue: &crate::checks::Questionnaire,
    ctx: &Context,
) -> Result<NewEvent, DomainError> {
    role_in(ctx, AUDIT_TEMPLATE_EDITORS, "ändra aktgranskningens frågemallar")?;
    t.validate(catalogue)?;
    let mut t = t.clone();
    for x in &mut t.extra {
        x.id = x.id.trim().to_owned();
        x.text = x.text.trim().to_owned();
    }
    Ok(NewEvent {
        stream: ORG_STREAM.to_owned(),
        meta: ctx.meta(ctx.today(), None),
        payload: Payload::AuditTemplateSet(t),
    })
}

// ------------------------------------------------------------------ registration

/// Register an aktualisering for one or more children (one case each).
#[derive(Debug, Clone)]
pub struct RegisterActualisation {
    pub actualisation: ActualisationId,
    /// One (case, child) per child concerned.
    pub children: Vec<(CaseId, PersonId)>,
    pub kind: ActualisationKind,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub reporter: Reporter,
    pub reasons: Vec<Reason>,
    pub text: String,
    pub unit: UnitId,
    pub receipt: Option<String>,
}

/// Outside the default office hours (weekdays 08–17 Europe/Stockholm, holidays and eves
/// excluded). Commands judge by the rule table's `office_hours`.
pub fn is_after_hours(t: DateTime<Utc>) -> bool {
    crate::rules::OfficeHours::default().is_after_hours(t)
}

pub fn register_actualisation(cmd: &RegisterActualisation, ctx: &Context) -> Result<Vec<NewEvent>, DomainError> {
    role_in(
        ctx,
        &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager, Role::System],
        "registrera en aktualisering",
    )?;
    if cmd.children.is_empty() {
        return Err(err(ErrorCode::InvalidInput, "children", "Ange minst ett barn som aktualiseringen gäller."));
    }
    let mut seen = std::collections::HashSet::new();
    if !cmd.children.iter().all(|(_, p)| seen.insert(*p)) {
        return Err(err(ErrorCode::InvalidInput, "children", "Samma barn är angivet två gånger."));
    }
    if cmd.received_at > ctx.now {
        return Err(err(ErrorCode::DateInFuture, "received_at", "Mottagningstiden ligger i framtiden."));
    }
    if cmd.reasons.is_empty() {
        return Err(err(ErrorCode::InvalidInput, "reasons", "Ange minst en aktualiseringsorsak."));
    }
    if cmd.text.chars().count() > MAX_TEXT {
        return Err(err(ErrorCode::InvalidInput, "text", format!("Texten är för lång (högst {MAX_TEXT} tecken).")));
    }
    let r = &cmd.reporter;
    if r.category.is_professional() {
        let named = r.name.as_deref().is_some_and(|n| !n.trim().is_empty());
        let org = r.organisation.as_deref().is_some_and(|n| !n.trim().is_empty());
        if !named || !org {
            return Err(err(
                ErrorCode::ReporterIdentityRequired,
                if named { "reporter.organisation" } else { "reporter.name" },
                "Anmälare i yrkesrollen kan inte vara anonyma: ange namn och arbetsplats (14 kap. 1 § SoL).",
            ));
        }
    }
    if r.category == ReporterCategory::Anonymous && r.name.as_deref().is_some_and(|n| !n.trim().is_empty()) {
        return Err(err(ErrorCode::InvalidInput, "reporter.category", "En anonym anmälare kan inte ha namn."));
    }
    if ctx.org.unit(&cmd.unit).is_none() {
        return Err(err(ErrorCode::NotFound, "unit", "Enheten finns inte."));
    }
    let received_on = local_date(cmd.received_at);
    let mut out = Vec::new();
    for (case, child) in &cmd.children {
        let siblings = cmd.children.iter().map(|(_, p)| *p).filter(|p| p != child).collect();
        out.push(NewEvent {
            stream: case.stream(),
            meta: ctx.meta(received_on, None),
            payload: Payload::ActualisationRegistered(ActualisationRegistered {
                case: *case,
                actualisation: cmd.actualisation,
                child: *child,
                siblings,
                kind: cmd.kind,
                received_at: cmd.received_at,
                channel: cmd.channel,
                reporter: cmd.reporter.clone(),
                reasons: cmd.reasons.clone(),
                text: cmd.text.clone(),
                unit: cmd.unit.clone(),
                after_hours: ctx.rules.office_hours.is_after_hours(cmd.received_at),
                receipt: cmd.receipt.clone(),
                submission: None,
            }),
        });
        if cmd.kind == ActualisationKind::Application {
            // An application starts an investigation directly (DOMAIN §2).
            out.push(NewEvent {
                stream: case.stream(),
                meta: ctx.meta(received_on, None),
                payload: Payload::InvestigationOpened(InvestigationOpened {
                    opened_on: received_on,
                    basis: InvestigationBasis::Application,
                }),
            });
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ case commands

#[derive(Debug, Clone)]
pub enum CaseCommand {
    RecordProtectionAssessment(ProtectionAssessmentRecorded),
    DecidePreliminaryAssessment(PreliminaryAssessmentDecided),
    RecordReporterFeedback(ReporterFeedbackGiven),
    SetTriage(TriageSet),
    Allocate(Allocated),
    RecordFirstContact(FirstContactRecorded),
    RecordInvestigationPart(InvestigationPartRecorded),
    ExtendInvestigation(ExtensionDecided),
    DecideInvestigation(InvestigationDecided),
    GrantIntervention(InterventionGranted),
    StartIntervention(InterventionStarted),
    RecordEnforcementDelay(EnforcementDelayRecorded),
    FollowUpIntervention(InterventionFollowedUp),
    EndIntervention(InterventionEnded),
    ReviewPlacement(PlacementReviewed),
    ConsiderCustodyTransfer(CustodyTransferConsidered),
    WriteEntry(EntryWritten),
}

/// Handles a command on a case. `other` is the investigation case a report joins
/// (only for `DecidePreliminaryAssessment` with `JoinInvestigation`).
pub fn handle(
    case: &CaseState,
    cmd: &CaseCommand,
    ctx: &Context,
    other: Option<&CaseState>,
) -> Result<Vec<NewEvent>, DomainError> {
    let stream = case.case.stream();
    let received_on = local_date(case.received_at);
    let closed =
        |what: &str| DomainError::new(ErrorCode::WrongState, format!("Ärendet är avslutat: det går inte att {what}."));
    let handlers = [Role::Handler, Role::TeamLeader, Role::UnitManager];
    let one = |effective_on: NaiveDate, delegation: Option<String>, payload: Payload| {
        Ok(vec![NewEvent { stream: stream.clone(), meta: ctx.meta(effective_on, delegation), payload }])
    };
    // Appends the "record and flag" marker after a decision taken outside delegation.
    let flagged = |res: Result<Vec<NewEvent>, DomainError>, flag: Option<Payload>, on: NaiveDate| {
        let mut out = res?;
        if let Some(payload) = flag {
            out.push(NewEvent { stream: stream.clone(), meta: ctx.meta(on, None), payload });
        }
        Ok(out)
    };

    match cmd {
        CaseCommand::RecordProtectionAssessment(p) => {
            role_in(ctx, &handlers, "göra en skyddsbedömning")?;
            qualified(ctx, QualifiedStep::ProtectionAssessment)?;
            if !case.is_open() {
                return Err(closed("göra en skyddsbedömning"));
            }
            if p.assessed_at < case.received_at {
                return Err(err(
                    ErrorCode::DateBeforeReceipt,
                    "assessed_at",
                    "Tidpunkten ligger före mottagningstiden.",
                ));
            }
            if p.assessed_at > ctx.now {
                return Err(err(ErrorCode::DateInFuture, "assessed_at", "Tidpunkten ligger i framtiden."));
            }
            required("assessor_name", &p.assessor_name, "Namn på den som gjort bedömningen")?;
            required("assessor_title", &p.assessor_title, "Befattning")?;
            required("facts", &p.facts, "Faktiska omständigheter")?;
            if p.immediate_need && p.protection_plan.as_deref().is_none_or(|x| x.trim().is_empty()) {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "protection_plan",
                    "Vid omedelbart skyddsbehov ska skyddsåtgärden/skyddsplanen dokumenteras.",
                ));
            }
            one(local_date(p.assessed_at), None, Payload::ProtectionAssessmentRecorded(p.clone()))
        }

        CaseCommand::DecidePreliminaryAssessment(p) => {
            role_in(ctx, &handlers, "fatta beslut i förhandsbedömning")?;
            qualified(ctx, QualifiedStep::PreliminaryAssessment)?;
            if !ctx.rules.deadlines.preliminary_assessment.applies_to.contains(&case.kind) {
                return Err(DomainError::new(
                    ErrorCode::WrongState,
                    format!("En {} kräver ingen förhandsbedömning: utredning inleds direkt.", case.kind.label_sv()),
                ));
            }
            if case.preliminary.is_some() {
                return Err(DomainError::new(ErrorCode::WrongState, "Förhandsbedömningen är redan beslutad."));
            }
            not_future("decided_on", p.decided_on, ctx)?;
            not_before("decided_on", p.decided_on, received_on, "mottagningsdagen")?;
            required("motivation", &p.motivation, "Motivering")?;
            if let ChildView::NotObtained { reason } = &p.child_view {
                required("child_view.reason", reason, "Skälet till att barnets inställning inte inhämtats")?;
            }
            if p.earlier_knowledge.exists {
                if let Some(d) = &p.earlier_knowledge.description {
                    required("earlier_knowledge.description", d, "Beskrivningen av tidigare kännedom")?;
                }
            }
            // Late: synnerliga skäl must be documented, and some reasons never count.
            let last =
                clock::last_day(add_days(received_on, ctx.rules.deadlines.preliminary_assessment.days), ctx.rules);
            if p.decided_on > last {
                let Some(reason) = &p.late_reason else {
                    return Err(err(
                        ErrorCode::LateReasonRequired,
                        "late_reason",
                        format!(
                            "Förhandsbedömningen fattas efter 14-dagarsfristen (sista dag {last}). Ange synnerliga skäl för förseningen."
                        ),
                    ));
                };
                let key = serde_json::to_value(reason.kind).ok().and_then(|v| v.as_str().map(str::to_owned));
                if let Some(msg) = key.and_then(|k| ctx.rules.exceptional_reasons.refused.get(&k)) {
                    return Err(err(ErrorCode::LateReasonRefused, "late_reason.kind", msg.clone()));
                }
                if !ctx.rules.exceptional_reasons.accepted.contains(&reason.kind) {
                    return Err(err(
                        ErrorCode::LateReasonRefused,
                        "late_reason.kind",
                        "Skälet godtas inte som synnerliga skäl.",
                    ));
                }
                required("late_reason.text", &reason.text, "Beskrivningen av de synnerliga skälen")?;
            }
            let decision = match &p.outcome {
                PreliminaryOutcome::Open => DecisionType::OpenInvestigation,
                PreliminaryOutcome::NotOpen => DecisionType::NotOpenInvestigation,
                PreliminaryOutcome::JoinInvestigation { .. } => DecisionType::JoinInvestigation,
            };
            let Deleg { reference: deleg, flag } = delegation(ctx, &case.unit, decision, p.decided_on, None)?;
            let mut out = vec![NewEvent {
                stream: stream.clone(),
                meta: ctx.meta(p.decided_on, deleg.clone()),
                payload: Payload::PreliminaryAssessmentDecided(p.clone()),
            }];
            if let Some(f) = flag {
                out.push(NewEvent { stream: stream.clone(), meta: ctx.meta(p.decided_on, None), payload: f });
            }
            match &p.outcome {
                PreliminaryOutcome::Open => out.push(NewEvent {
                    stream,
                    meta: ctx.meta(p.decided_on, deleg),
                    payload: Payload::InvestigationOpened(InvestigationOpened {
                        opened_on: p.decided_on,
                        basis: InvestigationBasis::PreliminaryAssessment,
                    }),
                }),
                PreliminaryOutcome::NotOpen => {}
                PreliminaryOutcome::JoinInvestigation { investigation_case } => {
                    let target = other.filter(|o| o.case == *investigation_case).ok_or_else(|| {
                        err(
                            ErrorCode::NotFound,
                            "outcome.investigation_case",
                            "Den pågående utredningen hittades inte.",
                        )
                    })?;
                    if target.child != case.child || target.open_investigation().is_none() {
                        return Err(err(
                            ErrorCode::WrongState,
                            "outcome.investigation_case",
                            "Det finns ingen pågående utredning om barnet att lägga anmälan till.",
                        ));
                    }
                    out.push(NewEvent {
                        stream: target.case.stream(),
                        meta: ctx.meta(p.decided_on, deleg),
                        payload: Payload::ReportJoined(ReportJoined {
                            report_case: case.case,
                            received_at: case.received_at,
                            protection_assessed: case.protection.is_some(),
                        }),
                    });
                }
            }
            Ok(out)
        }

        CaseCommand::RecordReporterFeedback(f) => {
            role_in(
                ctx,
                &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager],
                "registrera återkoppling",
            )?;
            if !case.reporter_identified {
                return Err(DomainError::new(ErrorCode::WrongState, "Anmälaren är anonym: återkoppling kan inte ges."));
            }
            not_future("given_on", f.given_on, ctx)?;
            not_before("given_on", f.given_on, received_on, "mottagningsdagen")?;
            required("how", &f.how, "Hur återkopplingen gavs")?;
            one(f.given_on, None, Payload::ReporterFeedbackGiven(f.clone()))
        }

        CaseCommand::SetTriage(t) => {
            role_in(ctx, &handlers, "sätta triagefärg")?;
            if case.open_investigation().is_none() {
                return Err(DomainError::new(ErrorCode::WrongState, "Triagefärg sätts på en pågående utredning."));
            }
            one(ctx.today(), None, Payload::TriageSet(t.clone()))
        }

        CaseCommand::Allocate(a) => {
            role_in(ctx, &[Role::TeamLeader, Role::UnitManager], "fördela ärenden")?;
            if !case.is_open() {
                return Err(closed("fördela ärendet"));
            }
            if ctx.org.unit(&a.unit).is_none() {
                return Err(err(ErrorCode::NotFound, "unit", "Enheten finns inte."));
            }
            if let Some(h) = &a.handler {
                let units = ctx.org.subtree(&a.unit);
                let holds = ctx.org.roles_of(h, ctx.today()).iter().any(|(r, u)| {
                    matches!(r, Role::Handler | Role::TeamLeader | Role::UnitManager) && units.contains(u)
                });
                if !holds {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "handler",
                        "Handläggaren arbetar inte på den valda enheten.",
                    ));
                }
            }
            one(ctx.today(), None, Payload::Allocated(a.clone()))
        }

        CaseCommand::RecordFirstContact(f) => {
            role_in(ctx, &handlers, "registrera första kontakt")?;
            let inv = open_inv(case)?;
            not_future("contact_on", f.contact_on, ctx)?;
            not_before("contact_on", f.contact_on, inv.opened_on, "utredningens start")?;
            required("with_whom", &f.with_whom, "Vem kontakten togs med")?;
            one(f.contact_on, None, Payload::FirstContactRecorded(f.clone()))
        }

        CaseCommand::RecordInvestigationPart(p) => {
            role_in(ctx, &handlers, "dokumentera utredningen")?;
            qualified(ctx, QualifiedStep::Investigation)?;
            let inv = open_inv(case)?;
            let mut effective = ctx.today();
            match &p.part {
                InvestigationPart::Plan { text, .. }
                | InvestigationPart::Facts { text }
                | InvestigationPart::NeedsAssessment { text }
                | InvestigationPart::OwnCapacityAssessment { text }
                | InvestigationPart::ProposedGoals { text }
                | InvestigationPart::Conduct { text } => required("part.text", text, "Texten")?,
                InvestigationPart::ChildHeard { heard, reason_not_heard, .. } => {
                    if !heard {
                        required(
                            "part.reason_not_heard",
                            reason_not_heard.as_deref().unwrap_or(""),
                            "Skälet till att barnet inte hörts",
                        )?;
                    }
                }
                InvestigationPart::Consent { .. } => {}
                InvestigationPart::AssessmentMethod { methods } => {
                    if methods.iter().all(|m| m.trim().is_empty()) {
                        return Err(err(ErrorCode::InvalidInput, "part.methods", "Ange minst en bedömningsmetod."));
                    }
                }
                InvestigationPart::ViolenceRiskAssessment { method, conclusion } => {
                    required("part.method", method, "Metoden")?;
                    required("part.conclusion", conclusion, "Slutsatsen")?;
                }
                InvestigationPart::PoliceReportDecision { motivation, .. } => {
                    required("part.motivation", motivation, "Ställningstagandet")?
                }
                InvestigationPart::Communication { communicated_on, to_whom } => {
                    not_future("part.communicated_on", *communicated_on, ctx)?;
                    not_before("part.communicated_on", *communicated_on, inv.opened_on, "utredningens start")?;
                    required("part.to_whom", to_whom, "Till vem underlaget kommunicerats")?;
                    effective = *communicated_on;
                }
            }
            one(effective, None, Payload::InvestigationPartRecorded(p.clone()))
        }

        CaseCommand::ExtendInvestigation(x) => {
            let inv = open_inv(case)?;
            not_future("decided_on", x.decided_on, ctx)?;
            not_before("decided_on", x.decided_on, inv.opened_on, "utredningens start")?;
            required("reason", &x.reason, "Särskilda skäl")?;
            let current = clock::specs(case, ctx.rules)
                .into_iter()
                .find(|s| s.kind == clock::DeadlineKind::Investigation)
                .map(|s| s.last_day)
                .unwrap_or(inv.opened_on);
            if x.decided_on > current {
                return Err(err(
                    ErrorCode::WrongState,
                    "decided_on",
                    format!("Förlängning ska beslutas innan utredningstiden gått ut (sista dag {current})."),
                ));
            }
            if x.new_end <= current {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "new_end",
                    format!("Det nya slutdatumet måste ligga efter {current}."),
                ));
            }
            let d = delegation(ctx, &case.unit, DecisionType::ExtendInvestigation, x.decided_on, None)?;
            flagged(one(x.decided_on, d.reference, Payload::ExtensionDecided(x.clone())), d.flag, x.decided_on)
        }

        CaseCommand::DecideInvestigation(d) => {
            let inv = open_inv(case)?;
            not_future("decided_on", d.decided_on, ctx)?;
            not_before("decided_on", d.decided_on, inv.opened_on, "utredningens start")?;
            required("motivation", &d.motivation, "Motivering")?;
            let decision = match &d.outcome {
                InvestigationOutcome::GrantIntervention { interventions } => {
                    check_grants(interventions, d.decided_on, case)?;
                    grant_decision_type(interventions)
                }
                InvestigationOutcome::Refuse => DecisionType::Refuse,
                InvestigationOutcome::CloseWithoutIntervention => DecisionType::CloseWithoutIntervention,
                InvestigationOutcome::LvuApplication => DecisionType::LvuApplication,
                InvestigationOutcome::TransferToMunicipality { municipality } => {
                    required("outcome.municipality", municipality, "Kommunen")?;
                    DecisionType::TransferToMunicipality
                }
            };
            let dl = delegation(ctx, &case.unit, decision, d.decided_on, d.board_decision.as_ref())?;
            flagged(one(d.decided_on, dl.reference, Payload::InvestigationDecided(d.clone())), dl.flag, d.decided_on)
        }

        CaseCommand::GrantIntervention(g) => {
            if case.investigation.is_none() {
                return Err(DomainError::new(ErrorCode::WrongState, "Insats beviljas efter utredning."));
            }
            not_future("decided_on", g.decided_on, ctx)?;
            not_before("decided_on", g.decided_on, received_on, "mottagningsdagen")?;
            let list = std::slice::from_ref(&g.granted);
            if case.intervention(g.granted.intervention).is_none() {
                check_grants(list, g.decided_on, case)?;
            } else if g.granted.to.is_some_and(|t| t < g.granted.from) {
                return Err(err(ErrorCode::InvalidInput, "granted.to", "Slutdatumet ligger före startdatumet."));
            }
            let dl = delegation(ctx, &case.unit, grant_decision_type(list), g.decided_on, g.board_decision.as_ref())?;
            flagged(one(g.decided_on, dl.reference, Payload::InterventionGranted(g.clone())), dl.flag, g.decided_on)
        }

        CaseCommand::StartIntervention(s) => {
            role_in(ctx, &handlers, "registrera verkställighet")?;
            let i = intervention(case, s.intervention)?;
            if i.started_on.is_some() || i.ended_on.is_some() {
                return Err(DomainError::new(ErrorCode::WrongState, "Insatsen är redan påbörjad eller avslutad."));
            }
            not_future("started_on", s.started_on, ctx)?;
            not_before("started_on", s.started_on, i.decided_on, "beslutsdagen")?;
            one(s.started_on, None, Payload::InterventionStarted(s.clone()))
        }

        CaseCommand::RecordEnforcementDelay(x) => {
            role_in(ctx, &handlers, "registrera skäl till dröjsmål")?;
            let i = intervention(case, x.intervention)?;
            if i.started_on.is_some() {
                return Err(DomainError::new(ErrorCode::WrongState, "Insatsen är redan verkställd."));
            }
            required("text", &x.text, "Beskrivningen")?;
            one(ctx.today(), None, Payload::EnforcementDelayRecorded(x.clone()))
        }

        CaseCommand::FollowUpIntervention(f) => {
            role_in(ctx, &handlers, "följa upp insatsen")?;
            qualified(ctx, QualifiedStep::InterventionFollowUp)?;
            let i = intervention(case, f.intervention)?;
            let Some(start) = i.started_on else {
                return Err(DomainError::new(ErrorCode::WrongState, "Insatsen har inte påbörjats."));
            };
            not_future("followed_up_on", f.followed_up_on, ctx)?;
            not_before("followed_up_on", f.followed_up_on, start, "insatsens start")?;
            required("goal_attainment", &f.goal_attainment, "Måluppfyllelsen")?;
            one(f.followed_up_on, None, Payload::InterventionFollowedUp(f.clone()))
        }

        CaseCommand::EndIntervention(x) => {
            role_in(ctx, &handlers, "avsluta insatsen")?;
            let i = intervention(case, x.intervention)?;
            if i.ended_on.is_some() {
                return Err(DomainError::new(ErrorCode::WrongState, "Insatsen är redan avslutad."));
            }
            not_future("ended_on", x.ended_on, ctx)?;
            not_before("ended_on", x.ended_on, i.started_on.unwrap_or(i.decided_on), "insatsens start")?;
            one(x.ended_on, None, Payload::InterventionEnded(x.clone()))
        }

        CaseCommand::ReviewPlacement(r) => {
            role_in(ctx, &handlers, "registrera övervägande")?;
            let i = intervention(case, r.intervention)?;
            let (true, Some(start), None) = (i.kind.is_placement(), i.started_on, i.ended_on) else {
                return Err(DomainError::new(ErrorCode::WrongState, "Övervägande görs för en pågående placering."));
            };
            not_future("reviewed_on", r.reviewed_on, ctx)?;
            not_before("reviewed_on", r.reviewed_on, start, "placeringens start")?;
            required("conclusion", &r.conclusion, "Slutsatsen")?;
            one(r.reviewed_on, None, Payload::PlacementReviewed(r.clone()))
        }

        CaseCommand::ConsiderCustodyTransfer(c) => {
            role_in(ctx, &handlers, "registrera övervägande om vårdnadsöverflyttning")?;
            let i = intervention(case, c.intervention)?;
            let (InterventionKind::FosterHome, Some(start)) = (i.kind, i.started_on) else {
                return Err(DomainError::new(
                    ErrorCode::WrongState,
                    "Vårdnadsöverflyttning övervägs för en familjehemsplacering.",
                ));
            };
            not_future("considered_on", c.considered_on, ctx)?;
            not_before("considered_on", c.considered_on, start, "placeringens start")?;
            required("conclusion", &c.conclusion, "Slutsatsen")?;
            one(c.considered_on, None, Payload::CustodyTransferConsidered(c.clone()))
        }

        CaseCommand::WriteEntry(e) => {
            role_in(
                ctx,
                &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager],
                "skriva journalanteckningar",
            )?;
            required("heading", &e.heading, "Rubriken")?;
            required("text", &e.text, "Texten")?;
            one(ctx.today(), None, Payload::EntryWritten(e.clone()))
        }
    }
}

/// A correction: a new event of the same type that takes the place of event `target`.
/// Validated like the original against the case without the corrected event.
pub fn correct(
    events: &[RecordedEvent],
    target: u64,
    cmd: &CaseCommand,
    ctx: &Context,
    other: Option<&CaseState>,
) -> Result<Vec<NewEvent>, DomainError> {
    let Some(original) = events.iter().find(|e| e.seq == target) else {
        return Err(err(ErrorCode::NotFound, "corrects", "Posten som ska rättas finns inte i ärendet."));
    };
    let without: Vec<&RecordedEvent> = events.iter().filter(|e| e.seq != target).collect();
    let Some(state) = CaseState::from_events(without.iter().copied()) else {
        return Err(err(ErrorCode::WrongState, "corrects", "Aktualiseringen kan inte rättas på det här sättet."));
    };
    let mut out = handle(&state, cmd, ctx, other)?;
    // A decision recorded outside delegation carries its flag: the flag is kept, uncorrected.
    let flag = match out.last().map(|e| &e.payload) {
        Some(Payload::DelegationDeviationFlagged(_)) if out.len() == 2 => out.pop(),
        _ => None,
    };
    if out.len() != 1 || out[0].payload.type_name() != original.payload.type_name() {
        return Err(err(
            ErrorCode::WrongState,
            "corrects",
            "En rättelse måste vara av samma slag som posten den rättar och får inte ändra ärendets förlopp.",
        ));
    }
    for e in out.iter_mut() {
        e.meta.corrects = Some(target);
    }
    out.extend(flag);
    Ok(out)
}

fn open_inv(case: &CaseState) -> Result<&crate::case::Investigation, DomainError> {
    case.open_investigation().ok_or_else(|| {
        DomainError::new(
            ErrorCode::WrongState,
            match case.step() {
                Step::PreliminaryAssessment => "Ingen utredning är inledd i ärendet.",
                _ => "Utredningen är redan avslutad.",
            },
        )
    })
}

fn intervention(case: &CaseState, id: crate::ids::InterventionId) -> Result<&crate::case::Intervention, DomainError> {
    case.intervention(id).ok_or_else(|| err(ErrorCode::NotFound, "intervention", "Insatsen finns inte i ärendet."))
}

fn check_grants(list: &[GrantedIntervention], decided_on: NaiveDate, case: &CaseState) -> Result<(), DomainError> {
    if list.is_empty() {
        return Err(err(ErrorCode::InvalidInput, "outcome.interventions", "Ange minst en insats."));
    }
    let mut seen = std::collections::HashSet::new();
    for g in list {
        if !seen.insert(g.intervention) || case.intervention(g.intervention).is_some() {
            return Err(err(ErrorCode::InvalidInput, "outcome.interventions", "Samma insats är angiven två gånger."));
        }
        if g.from < decided_on {
            return Err(err(
                ErrorCode::InvalidInput,
                "outcome.interventions.from",
                "Insatsen kan inte börja före beslutet.",
            ));
        }
        if g.to.is_some_and(|t| t < g.from) {
            return Err(err(
                ErrorCode::InvalidInput,
                "outcome.interventions.to",
                "Slutdatumet ligger före startdatumet.",
            ));
        }
        if g.long_term_care && !g.kind.is_placement() {
            return Err(err(
                ErrorCode::InvalidInput,
                "outcome.interventions.long_term_care",
                "Stadigvarande vård och fostran avser en placering.",
            ));
        }
    }
    Ok(())
}

/// Registers a person (child or young adult).
pub fn register_person(p: &PersonRegistered, ctx: &Context) -> Result<NewEvent, DomainError> {
    role_in(
        ctx,
        &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager, Role::System, Role::SystemAdministrator],
        "registrera personer",
    )?;
    required("name", &p.name, "Namnet")?;
    if let Some(n) = &p.id_number {
        if n.birth_date().is_some_and(|b| b > ctx.today()) {
            return Err(err(ErrorCode::PnrInFuture, "personnummer", "Födelsedatumet ligger i framtiden."));
        }
    }
    Ok(NewEvent {
        stream: p.person.stream(),
        meta: ctx.meta(ctx.today(), None),
        payload: Payload::PersonRegistered(p.clone()),
    })
}
