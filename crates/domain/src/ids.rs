//! Identifiers. Cases, persons, actualisations and interventions get UUIDs chosen by the
//! shell (random in production, seeded in the demo); units and staff get readable slugs
//! because administrators and the CLI name them (`--unit utredning-1`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::error::{DomainError, ErrorCode};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Stream prefix used for the journal stream of this kind of record.
            pub const PREFIX: &'static str = $prefix;
            pub fn from_u128(v: u128) -> Self {
                Self(Uuid::from_u128(v))
            }
            /// The journal stream that holds this record's events.
            pub fn stream(&self) -> String {
                format!("{}/{}", $prefix, self.0)
            }
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                let raw = s.strip_prefix(concat!($prefix, "/")).unwrap_or(s);
                Uuid::parse_str(raw).map(Self).map_err(|_| {
                    DomainError::new(ErrorCode::InvalidId, "Ogiltigt id.").field(stringify!($name))
                })
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

uuid_id!(
    /// One child's matter from one actualisation (ärende).
    CaseId,
    "case"
);
uuid_id!(
    /// A person known to the service (child, young adult).
    PersonId,
    "person"
);
uuid_id!(
    /// One aktualisering; it may concern several children (one case each).
    ActualisationId,
    "actualisation"
);
uuid_id!(
    /// One granted intervention (insats) within a case.
    InterventionId,
    "intervention"
);
uuid_id!(
    /// One report of concern sent through the public e-tjänst, before (and after) the
    /// registrar registers it as an aktualisering.
    SubmissionId,
    "submission"
);

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A slug: 1–64 characters of a–z, 0–9, '.', '_' or '-'.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                let ok = !s.is_empty()
                    && s.len() <= 64
                    && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
                if ok {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(DomainError::new(
                        ErrorCode::InvalidId,
                        "Ogiltig kod: använd 1–64 tecken a–z, 0–9, punkt, understreck eller bindestreck.",
                    )
                    .field($field))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

slug_id!(
    /// A unit of the organisation tree (förvaltning, område, enhet, team).
    UnitId,
    "unit"
);
slug_id!(
    /// A member of staff (or `system` for acts of the system itself, such as the e-tjänst).
    StaffId,
    "staff"
);

impl StaffId {
    /// The actor for acts the system performs itself (the public e-tjänst, imports).
    pub fn system() -> Self {
        Self("system".to_owned())
    }
}

uuid_id!(
    /// One deviation (avvikelse), SOSFS 2011:9 5 kap.
    DeviationId,
    "deviation"
);
uuid_id!(
    /// One lex Sarah matter: a report of a missförhållande or a risk of one.
    LexSarahId,
    "lex-sarah"
);
uuid_id!(
    /// One comment or complaint (synpunkt eller klagomål).
    ComplaintId,
    "complaint"
);
uuid_id!(
    /// One risk in the internal-control risk register.
    RiskId,
    "risk"
);
uuid_id!(
    /// One year's internal-control plan (internkontrollplan).
    ControlPlanId,
    "control-plan"
);
uuid_id!(
    /// One user survey (brukarundersökning).
    SurveyId,
    "survey"
);
uuid_id!(
    /// One unit's annual file audit (aktgranskning).
    FileAuditId,
    "file-audit"
);
