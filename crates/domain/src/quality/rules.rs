//! The quality-management system's rules as data (`[quality]` in the rule table): the
//! deviation clock, lex Sarah's roles and IVO clock, the complaint answer time, the risk
//! matrix, the deviation categories and which deviations the system detects itself.

use serde::{Deserialize, Serialize};

use super::model::{DetectionKind, RiskScore};
use crate::org::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityRules {
    /// A deviation is investigated (and locked) within this many weeks of the report.
    pub deviation_investigation_weeks: u32,
    pub deviation_citation: String,
    /// Roles that investigate deviations (besides the assignee), within their unit's subtree.
    pub deviation_investigator_roles: Vec<Role>,
    /// A comment or complaint is answered within this many days of receipt (the routine).
    pub complaint_answer_days: u32,
    pub complaint_citation: String,
    pub lex_sarah: LexSarahRules,
    pub risk_matrix: RiskMatrix,
    pub detection: Detection,
    pub deviation_categories: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexSarahRules {
    /// Who investigates lex Sarah reports (lex Sarah-ansvarig).
    pub investigator_roles: Vec<Role>,
    /// Who classifies and decides on the report to IVO (per the delegation order).
    pub decision_roles: Vec<Role>,
    /// "Snarast": the report to IVO is due this many days after a serious classification.
    pub ivo_report_days: u32,
    pub citation_old: String,
    #[serde(default)]
    pub citation_new: Option<String>,
}

/// The matrix that helps choose between a deviation and lex Sarah (severity × probability,
/// 1–4 each), and the internal-control risk values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskMatrix {
    /// Four labels, 1..=4.
    pub severity_labels: Vec<String>,
    pub probability_labels: Vec<String>,
    /// Lex Sarah is recommended from this risk value (severity × probability) …
    pub lex_sarah_from_value: u8,
    /// … or from this severity whatever the probability.
    pub lex_sarah_from_severity: u8,
    /// A risk value from here is "hög" in the risk register (from `medium_from` "medel").
    pub high_from: u8,
    pub medium_from: u8,
}

/// Which deviations the system opens by itself. Each is switchable per municipality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    pub intervention_without_decision: bool,
    pub preliminary_late_without_reason: bool,
    pub outside_delegation: bool,
    /// A received document (actualisation) still without a handler after this many days;
    /// 0 switches the detection off.
    pub unlinked_document_days: u32,
    /// The category each detected deviation gets (codes from `deviation_categories`).
    pub categories: Vec<DetectionCategory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectionCategory {
    pub detection: DetectionKind,
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name: String,
}

/// The risk matrix's advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    Deviation,
    LexSarah,
}

impl Recommendation {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Deviation => "Hanteras som avvikelse",
            Self::LexSarah => "Bedöm som lex Sarah (möjligt missförhållande)",
        }
    }
}

impl RiskMatrix {
    pub fn recommend(&self, s: RiskScore) -> Recommendation {
        if s.value() >= self.lex_sarah_from_value || s.severity >= self.lex_sarah_from_severity {
            Recommendation::LexSarah
        } else {
            Recommendation::Deviation
        }
    }
    /// "låg", "medel" or "hög" for the risk register.
    pub fn level_sv(&self, s: RiskScore) -> &'static str {
        let v = s.value();
        if v >= self.high_from {
            "hög"
        } else if v >= self.medium_from {
            "medel"
        } else {
            "låg"
        }
    }
    pub fn severity_label(&self, n: u8) -> &str {
        self.severity_labels.get(usize::from(n).wrapping_sub(1)).map(String::as_str).unwrap_or("")
    }
    pub fn probability_label(&self, n: u8) -> &str {
        self.probability_labels.get(usize::from(n).wrapping_sub(1)).map(String::as_str).unwrap_or("")
    }
}

impl QualityRules {
    pub fn category_name(&self, code: &str) -> Option<&str> {
        self.deviation_categories.iter().find(|c| c.code == code).map(|c| c.name.as_str())
    }
    pub fn detection_enabled(&self, k: DetectionKind) -> bool {
        let d = &self.detection;
        match k {
            DetectionKind::InterventionWithoutDecision => d.intervention_without_decision,
            DetectionKind::PreliminaryLateWithoutReason => d.preliminary_late_without_reason,
            DetectionKind::OutsideDelegation => d.outside_delegation,
            DetectionKind::UnlinkedDocument => d.unlinked_document_days > 0,
        }
    }
    pub fn detection_category(&self, k: DetectionKind) -> &str {
        self.detection.categories.iter().find(|c| c.detection == k).map(|c| c.category.as_str()).unwrap_or("ovrigt")
    }

    /// Checks the section; the message names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.deviation_investigation_weeks == 0 || self.complaint_answer_days == 0 {
            return Err("kvalitet: fristerna måste vara längre än noll".into());
        }
        if self.risk_matrix.severity_labels.len() != 4 || self.risk_matrix.probability_labels.len() != 4 {
            return Err("kvalitet: riskmatrisen har fyra nivåer per axel".into());
        }
        if self.deviation_categories.is_empty() {
            return Err("kvalitet: minst en avvikelsekategori".into());
        }
        let mut codes: Vec<&str> = self.deviation_categories.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        if codes.len() != self.deviation_categories.len() {
            return Err("kvalitet: avvikelsekategoriernas koder måste vara unika".into());
        }
        for k in DetectionKind::ALL {
            if self.category_name(self.detection_category(k)).is_none() {
                return Err(format!("kvalitet: upptäckten {:?} saknar en giltig kategori", k));
            }
        }
        if self.lex_sarah.decision_roles.is_empty() || self.lex_sarah.investigator_roles.is_empty() {
            return Err("kvalitet: lex Sarah behöver roller för utredning och beslut".into());
        }
        Ok(())
    }
}

fn s(v: &str) -> String {
    v.to_owned()
}

impl Default for QualityRules {
    /// The same values as `[quality]` in rules/default.toml (a test keeps them equal), for
    /// rule files written before the section existed.
    fn default() -> Self {
        let cat = |code: &str, name: &str| Category { code: s(code), name: s(name) };
        let det = |detection, category: &str| DetectionCategory { detection, category: s(category) };
        Self {
            deviation_investigation_weeks: 6,
            deviation_citation: s("3 kap. 1 § och 5 kap. 5–6 §§ SOSFS 2011:9; kommunens rutin för avvikelser"),
            deviation_investigator_roles: vec![Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration],
            complaint_answer_days: 14,
            complaint_citation: s("5 kap. 3–6 §§ SOSFS 2011:9; kommunens rutin för synpunkter och klagomål"),
            lex_sarah: LexSarahRules {
                investigator_roles: vec![Role::QualityDeveloper, Role::UnitManager, Role::AreaManager],
                decision_roles: vec![Role::HeadOfAdministration, Role::AreaManager],
                ivo_report_days: 14,
                citation_old: s("14 kap. 3 och 6–7 §§ SoL (2001:453); SOSFS 2011:5"),
                citation_new: None,
            },
            risk_matrix: RiskMatrix {
                severity_labels: vec![s("Försumbar"), s("Lindrig"), s("Kännbar"), s("Allvarlig")],
                probability_labels: vec![s("Mycket liten"), s("Liten"), s("Möjlig"), s("Sannolik")],
                lex_sarah_from_value: 8,
                lex_sarah_from_severity: 4,
                high_from: 9,
                medium_from: 4,
            },
            detection: Detection {
                intervention_without_decision: true,
                preliminary_late_without_reason: true,
                outside_delegation: true,
                unlinked_document_days: 0,
                categories: vec![
                    det(DetectionKind::InterventionWithoutDecision, "insats"),
                    det(DetectionKind::PreliminaryLateWithoutReason, "tidsfrister"),
                    det(DetectionKind::OutsideDelegation, "delegation"),
                    det(DetectionKind::UnlinkedDocument, "registrering"),
                ],
            },
            deviation_categories: vec![
                cat("dokumentation", "Dokumentation"),
                cat("tidsfrister", "Handläggning och tidsfrister"),
                cat("kommunikation", "Kommunikation och tillgänglighet"),
                cat("samverkan", "Samverkan"),
                cat("rutin", "Rutin eller riktlinje inte följd"),
                cat("delegation", "Beslut och delegation"),
                cat("insats", "Insats och verkställighet"),
                cat("registrering", "Registrering och skanning av handlingar"),
                cat("sekretess", "Sekretess och informationssäkerhet"),
                cat("ovrigt", "Övrigt"),
            ],
        }
    }
}
