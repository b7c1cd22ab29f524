//! Integration tests of the pure core: one binary (see DEVELOPERS.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod case_walk;
mod dates;
mod delegation;
mod etjanst;
mod flow_rules;
mod harness;
mod quality;
mod sampler;
mod self_inspection;
