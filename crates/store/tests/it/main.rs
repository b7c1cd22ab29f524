//! Storage tests, each on both backends: SQLite always, PostgreSQL when DATABASE_URL is
//! set (`.ci/run` sets it). A skipped PostgreSQL run says so on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixture;
mod journal;
mod quality;
mod security;
mod submissions;
mod transfer;
