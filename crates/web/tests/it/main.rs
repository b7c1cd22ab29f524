//! API tests: one app per test on port 0 with its own database (see `harness`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod abuse;
mod allocation;
mod board_list_api;
mod delegation_screens;
mod e2e;
mod etjanst;
mod file_audit_api;
mod file_audit_e2e;
mod file_audit_flow_e2e;
mod harness;
mod identity;
mod indicator_drill;
mod investigation;
mod mail;
mod matrix;
mod openapi;
mod privacy;
mod quality_api;
mod quality_e2e;
mod reports_ui;
mod review;
mod self_inspection;
mod timeline;
mod ui;
mod ui_matrix;
