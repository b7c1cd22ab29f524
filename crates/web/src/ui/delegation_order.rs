//! Delegationsordningen (issue 5 item 1) as a page: the version in force today and every
//! earlier and later version, the TOML file to download, and for the administrator a form
//! for a new dated version (prefilled with the order in force, one fieldset per decision type)
//! and a form to read in the documented file. Both record `delegation_order_versioned`
//! through the same domain command as the API; a refusal is shown beside its field in
//! Swedish, the input kept, nothing written.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::{DelegationOrderVersion, DelegationRule, BASE_ORDER};

use super::pages::{parse_date, refused, render, Chrome, FormState};
use super::session::{Fields, Session, SessionForm, UiError};
use crate::delegation_api::{append_org, get_order_toml, versions_from_file};

pub use crate::delegation_api::{ORDER_EDITORS, ORDER_READERS};

/// The roles an official decision can be delegated to.
const ROLES: [Role; 5] =
    [Role::Handler, Role::TeamLeader, Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration];

fn role_value(r: Role) -> String {
    serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub struct RuleView {
    pub name: String,
    pub roles: String,
    pub board_only: bool,
    pub redelegable: bool,
    pub report_to_board: bool,
    pub citation: String,
}

pub struct VersionView {
    pub name: String,
    pub period: String,
    pub in_force: bool,
    pub rules: Vec<RuleView>,
}

/// One decision type's fieldset in the form.
pub struct RuleField {
    pub key: String,
    pub name_f: String,
    pub roles_f: String,
    pub board_only_f: String,
    pub redelegable_f: String,
    pub report_f: String,
    pub citation_old_f: String,
    pub citation_new_f: String,
}

#[derive(Template)]
#[template(path = "delegation_order.html")]
struct Page {
    chrome: Option<Chrome>,
    in_force: String,
    versions: Vec<VersionView>,
    editor: bool,
    form: FormState,
    prefix: &'static str,
    fields: Vec<RuleField>,
    roles: Vec<(String, String)>,
    upload: FormState,
}

fn view(rules: &[DelegationRule]) -> Vec<RuleView> {
    rules
        .iter()
        .map(|r| RuleView {
            name: r.name.clone(),
            roles: if r.board_only {
                "Nämnden".to_owned()
            } else {
                r.roles.iter().map(|x| x.label_sv()).collect::<Vec<_>>().join(", ")
            },
            board_only: r.board_only,
            redelegable: r.redelegable,
            report_to_board: r.report_to_board,
            citation: r
                .citation_new
                .as_ref()
                .map_or_else(|| r.citation_old.clone(), |n| format!("{} ({n})", r.citation_old)),
        })
        .collect()
}

/// The order in force today as the form's values.
fn prefill(rules: &[DelegationRule]) -> Fields {
    let mut v = Vec::new();
    for r in rules {
        let k = r.decision.as_str();
        v.push((format!("{k}-name"), r.name.clone()));
        for role in &r.roles {
            v.push((format!("{k}-roles"), role_value(*role)));
        }
        for (flag, on) in
            [("board_only", r.board_only), ("redelegable", r.redelegable), ("report_to_board", r.report_to_board)]
        {
            if on {
                v.push((format!("{k}-{flag}"), "ja".to_owned()));
            }
        }
        v.push((format!("{k}-citation_old"), r.citation_old.clone()));
        v.push((format!("{k}-citation_new"), r.citation_new.clone().unwrap_or_default()));
    }
    Fields(v)
}

fn page(s: &Session, form: Option<FormState>, upload: FormState) -> Page {
    let p = s.ctx.app.store.projections();
    let today = local_date(s.ctx.now);
    let r = p.rules();
    let (in_force, current) = r.delegation_order_on(today);
    let mut versions = vec![VersionView {
        name: BASE_ORDER.to_owned(),
        period: "När ingen daterad version gäller".to_owned(),
        in_force: in_force == BASE_ORDER,
        rules: view(&r.delegation),
    }];
    let mut dated: Vec<_> = r.delegation_versions.iter().collect();
    dated.sort_by_key(|v| std::cmp::Reverse(v.valid_from));
    versions.extend(dated.into_iter().map(|v| VersionView {
        name: v.version.clone(),
        period: format!("{} – {}", v.valid_from, v.valid_to.map(|d| d.to_string()).unwrap_or_default()),
        in_force: v.version == in_force,
        rules: view(&v.rules),
    }));
    let fields = current
        .iter()
        .map(|r| {
            let k = r.decision.as_str();
            RuleField {
                key: k.to_owned(),
                name_f: format!("{k}-name"),
                roles_f: format!("{k}-roles"),
                board_only_f: format!("{k}-board_only"),
                redelegable_f: format!("{k}-redelegable"),
                report_f: format!("{k}-report_to_board"),
                citation_old_f: format!("{k}-citation_old"),
                citation_new_f: format!("{k}-citation_new"),
            }
        })
        .collect();
    let form = form.unwrap_or_else(|| FormState { values: prefill(current), errors: Vec::new() });
    Page {
        chrome: Some(Chrome::of(s)),
        in_force: in_force.to_owned(),
        versions,
        editor: ORDER_EDITORS.contains(&s.ctx.actor.role),
        form,
        prefix: "ordning",
        fields,
        roles: ROLES.iter().map(|r| (role_value(*r), r.label_sv().to_owned())).collect(),
        upload,
    }
}

/// GET /delegationsordning
pub async fn show(s: Session) -> Result<Response, UiError> {
    Ok(render(StatusCode::OK, &page(&s, None, FormState::default())))
}

/// GET /delegationsordning.toml (under the session; the same as the API's).
pub async fn download(s: Session) -> Result<Response, UiError> {
    Ok(get_order_toml(s.ctx).await?)
}

/// POST /delegationsordning: a new dated version from the form.
pub async fn create(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    if !ORDER_EDITORS.contains(&s.ctx.actor.role) {
        return Err(UiError::Page {
            status: StatusCode::FORBIDDEN,
            message: "Du har inte behörighet till den här sidan.".into(),
        });
    }
    let version = form.value("version").trim().to_owned();
    if version.is_empty() {
        form.add("version", "Ange versionens namn, till exempel nämndens beslut och paragraf.");
    }
    let valid_from = parse_date(&mut form, "valid_from", "första dag den gäller");
    let valid_to =
        if form.value("valid_to").trim().is_empty() { None } else { parse_date(&mut form, "valid_to", "sista dag") };
    let current: Vec<DelegationRule> = {
        let p = s.ctx.app.store.projections();
        p.rules().delegation_order_on(local_date(s.ctx.now)).1.to_vec()
    };
    let mut rules = Vec::new();
    for r in &current {
        let k = r.decision.as_str();
        let yes = |flag: &str| form.value(&format!("{k}-{flag}")) == "ja";
        let roles: Vec<Role> =
            ROLES.iter().copied().filter(|role| form.has(&format!("{k}-roles"), &role_value(*role))).collect();
        let opt = |x: &str| form.value(&format!("{k}-{x}")).trim().to_owned();
        rules.push(DelegationRule {
            decision: r.decision,
            name: opt("name"),
            roles,
            board_only: yes("board_only"),
            redelegable: yes("redelegable"),
            report_to_board: yes("report_to_board"),
            citation_old: opt("citation_old"),
            citation_new: Some(opt("citation_new")).filter(|x| !x.is_empty()),
        });
    }
    if let (Some(valid_from), true) = (valid_from, form.errors.is_empty()) {
        let v = DelegationOrderVersion { version, valid_from, valid_to, rules };
        match append_org(&s.ctx, |c| skyndsam_domain::commands::version_delegation_order(&v, c)).await {
            Ok(_) => return Ok(Redirect::to("/delegationsordning").into_response()),
            Err(e) => refused(&mut form, e, "version")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, Some(form), FormState::default())))
}

/// POST /delegationsordning/fil: the documented TOML file, pasted; its new versions are
/// recorded, all or none.
pub async fn upload(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    if !ORDER_EDITORS.contains(&s.ctx.actor.role) {
        return Err(UiError::Page {
            status: StatusCode::FORBIDDEN,
            message: "Du har inte behörighet till den här sidan.".into(),
        });
    }
    let text = form.value("file").to_owned();
    if text.trim().is_empty() {
        form.add("file", "Klistra in delegationsordningens fil (TOML).");
    } else {
        match versions_from_file(&s.ctx, &text) {
            Ok((_, events)) if events.is_empty() => form.add("file", "Filen innehåller ingen ny version."),
            Ok((_, events)) => {
                let store = s.ctx.app.store.clone();
                crate::app::blocking(move || Ok(store.append(skyndsam_store::AppendRequest::new(events))?)).await?;
                return Ok(Redirect::to("/delegationsordning").into_response());
            }
            Err(e) => refused(&mut form, e, "file")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, None, form)))
}
