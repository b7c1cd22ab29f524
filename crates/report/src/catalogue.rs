//! The indicator table (styrkort): ids, Swedish names, definitions and targets as data.
//! The shipped defaults are `indicators/default.toml`; a municipality overrides them.

use serde::{Deserialize, Serialize};

use crate::ReportError;

pub const DEFAULT_INDICATORS_TOML: &str = include_str!("../indicators/default.toml");

/// Every indicator the engine computes (DOMAIN §6). The id strings are the stable
/// identifiers used in the table, the CLI and the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ind {
    #[serde(rename = "FB14")]
    Fb14,
    #[serde(rename = "FB-OPEN-LATE")]
    FbOpenLate,
    #[serde(rename = "U4M")]
    U4m,
    #[serde(rename = "U4M-LEGAL")]
    U4mLegal,
    #[serde(rename = "U90")]
    U90,
    #[serde(rename = "UTIME")]
    Utime,
    #[serde(rename = "A2U")]
    A2u,
    #[serde(rename = "N-ANM")]
    NAnm,
    #[serde(rename = "N-BARN")]
    NBarn,
    #[serde(rename = "SKYDD-24H")]
    Skydd24h,
    #[serde(rename = "ATERK")]
    Aterk,
    #[serde(rename = "INS-TID")]
    InsTid,
    #[serde(rename = "EVB-EJ")]
    EvbEj,
    #[serde(rename = "EVB-SEN")]
    EvbSen,
    #[serde(rename = "EVB-AVSL")]
    EvbAvsl,
    #[serde(rename = "VALD-INS")]
    ValdIns,
    #[serde(rename = "KRIM-INS")]
    KrimIns,
    #[serde(rename = "SAMMANBROTT")]
    Sammanbrott,
    #[serde(rename = "DELEG")]
    Deleg,
    #[serde(rename = "DOK")]
    Dok,
    #[serde(rename = "AVV-6V")]
    Avv6v,
}

/// How values of an indicator aggregate over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// Flows: a period is the sum of its months.
    Sum,
    /// Stocks: a period is its last month's snapshot (taken at the month's last day).
    Snapshot,
    /// Unique children: a period is the union of its months.
    Distinct,
}

impl Ind {
    pub const ALL: [Ind; 21] = [
        Ind::Fb14,
        Ind::FbOpenLate,
        Ind::U4m,
        Ind::U4mLegal,
        Ind::U90,
        Ind::Utime,
        Ind::A2u,
        Ind::NAnm,
        Ind::NBarn,
        Ind::Skydd24h,
        Ind::Aterk,
        Ind::InsTid,
        Ind::EvbEj,
        Ind::EvbSen,
        Ind::EvbAvsl,
        Ind::ValdIns,
        Ind::KrimIns,
        Ind::Sammanbrott,
        Ind::Deleg,
        Ind::Dok,
        Ind::Avv6v,
    ];
    pub const COUNT: usize = Self::ALL.len();

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn id(self) -> &'static str {
        match self {
            Ind::Fb14 => "FB14",
            Ind::FbOpenLate => "FB-OPEN-LATE",
            Ind::U4m => "U4M",
            Ind::U4mLegal => "U4M-LEGAL",
            Ind::U90 => "U90",
            Ind::Utime => "UTIME",
            Ind::A2u => "A2U",
            Ind::NAnm => "N-ANM",
            Ind::NBarn => "N-BARN",
            Ind::Skydd24h => "SKYDD-24H",
            Ind::Aterk => "ATERK",
            Ind::InsTid => "INS-TID",
            Ind::EvbEj => "EVB-EJ",
            Ind::EvbSen => "EVB-SEN",
            Ind::EvbAvsl => "EVB-AVSL",
            Ind::ValdIns => "VALD-INS",
            Ind::KrimIns => "KRIM-INS",
            Ind::Sammanbrott => "SAMMANBROTT",
            Ind::Deleg => "DELEG",
            Ind::Dok => "DOK",
            Ind::Avv6v => "AVV-6V",
        }
    }

    pub fn parse(id: &str) -> Option<Ind> {
        let id = id.trim();
        Self::ALL.into_iter().find(|i| i.id().eq_ignore_ascii_case(id) || (id.starts_with("DOK-") && *i == Ind::Dok))
    }

    pub fn aggregation(self) -> Aggregation {
        match self {
            Ind::FbOpenLate | Ind::EvbEj => Aggregation::Snapshot,
            Ind::NBarn => Aggregation::Distinct,
            _ => Aggregation::Sum,
        }
    }

    /// Whether the indicator is broken down by sex and age band. AVV-6V counts deviations,
    /// which concern the service rather than one child.
    pub fn has_breakdown(self) -> bool {
        !matches!(self, Ind::Avv6v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// andel (%): numerator / denominator
    Share,
    /// antal: the numerator
    Count,
    /// dagar: mean and median of the values
    Days,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    None,
}

/// Etappmål for one year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepTarget {
    pub year: i32,
    pub value: f64,
}

/// One indicator's description and targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    pub id: Ind,
    pub name: String,
    pub definition: String,
    pub numerator: String,
    pub denominator: String,
    pub period_date: String,
    pub measure: Measure,
    pub better: Better,
    /// The level the law requires (100 % for FB14 and U4M), if any.
    #[serde(default)]
    pub legal_floor: Option<f64>,
    /// Målvärde.
    #[serde(default)]
    pub long_term_target: Option<f64>,
    /// Etappmål per year.
    #[serde(default)]
    pub step_targets: Vec<StepTarget>,
}

impl IndicatorDef {
    pub fn step_target(&self, year: i32) -> Option<f64> {
        self.step_targets.iter().find(|t| t.year == year).map(|t| t.value)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    indicator: Vec<IndicatorDef>,
}

/// The indicator table, one definition per [`Ind`], in [`Ind::ALL`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorTable {
    defs: Vec<IndicatorDef>,
}

impl IndicatorTable {
    pub fn from_toml(text: &str) -> Result<Self, ReportError> {
        let file: TableFile = toml::from_str(text)
            .map_err(|e| ReportError::Table(format!("indikatortabellen kunde inte läsas: {}", e.message())))?;
        let mut defs: Vec<Option<IndicatorDef>> = vec![None; Ind::COUNT];
        for d in file.indicator {
            let slot = defs
                .get_mut(d.id.index())
                .ok_or_else(|| ReportError::Table(format!("okänd indikator {}", d.id.id())))?;
            if slot.is_some() {
                return Err(ReportError::Table(format!("indikatorn {} förekommer två gånger", d.id.id())));
            }
            for v in
                d.legal_floor.iter().chain(d.long_term_target.iter()).chain(d.step_targets.iter().map(|t| &t.value))
            {
                if d.measure == Measure::Share && !(0.0..=100.0).contains(v) {
                    return Err(ReportError::Table(format!(
                        "målvärden för {} ska ligga mellan 0 och 100 %",
                        d.id.id()
                    )));
                }
            }
            *slot = Some(d);
        }
        let mut out = Vec::with_capacity(Ind::COUNT);
        for (i, d) in defs.into_iter().enumerate() {
            match d {
                Some(d) => out.push(d),
                None => {
                    let id = Ind::ALL.get(i).map(|x| x.id()).unwrap_or("?");
                    return Err(ReportError::Table(format!("indikatorn {id} saknas i tabellen")));
                }
            }
        }
        Ok(Self { defs: out })
    }

    pub fn defaults() -> Result<Self, ReportError> {
        Self::from_toml(DEFAULT_INDICATORS_TOML)
    }

    pub fn get(&self, ind: Ind) -> Option<&IndicatorDef> {
        self.defs.get(ind.index())
    }

    pub fn iter(&self) -> impl Iterator<Item = &IndicatorDef> {
        self.defs.iter()
    }
}
