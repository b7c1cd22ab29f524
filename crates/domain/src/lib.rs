//! Skyndsam's pure core: types, events, rules, the statutory clock, the case flow's
//! commands and the hash chain. No I/O and no `now()` here — the clock is a parameter.

pub mod calendar;
pub mod case;
pub mod checks;
pub mod clock;
pub mod commands;
pub mod delegation;
pub mod error;
pub mod events;
pub mod ids;
pub mod journal;
pub mod org;
pub mod personnummer;
pub mod quality;
pub mod rules;
pub mod sampler;
pub mod submission;

pub use error::{DomainError, ErrorCode};
