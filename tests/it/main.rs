//! End-to-end tests of the `skyndsam` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;
mod crash;
mod file_audit;
mod quality_cli;
