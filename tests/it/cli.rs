//! The CLI contract: demo, deadlines, verify, export → import (same hashes), bad input.

use crate::crash::bin;
use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).env("RUST_LOG", "error").output().unwrap()
}

/// A demo municipality for 2025 (one year, `reports` reports) in a fresh SQLite file: the
/// directory (kept alive by the caller), the database URL and the demo command's output.
fn demo_2025(seed: u64, reports: u32) -> (tempfile::TempDir, String, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("a.sqlite").display());
    let (seed, reports) = (seed.to_string(), reports.to_string());
    let out = run(&[
        "--database",
        &db,
        "demo",
        "--seed",
        &seed,
        "--reports-per-year",
        &reports,
        "--years",
        "1",
        "--year",
        "2025",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (dir, db, out)
}

#[test]
fn demo_then_deadlines_verify_and_an_export_import_round_trip_with_the_same_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("sqlite:{}", dir.path().join("a.sqlite").display());
    let b = format!("sqlite:{}", dir.path().join("b.sqlite").display());
    let out =
        run(&["--database", &a, "demo", "--seed", "7", "--reports-per-year", "300", "--years", "2", "--year", "2025"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Demokommunen skapad"));
    // A second demo into the same database is refused.
    let again = run(&["--database", &a, "demo"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("tom databas"));

    let out = run(&["--database", &a, "deadlines", "--json", "--at", "2026-11-20"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.is_empty(), "the demo leaves open cases with pending deadlines");
    let days: Vec<&str> = rows.iter().map(|r| r["due_at"].as_str().unwrap()).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "soonest first");
    assert!(rows.iter().any(|r| r["state"] == "overdue"));
    let human = run(&["--database", &a, "deadlines", "--unit", "mottagning", "--at", "2026-11-20"]);
    assert!(String::from_utf8_lossy(&human.stdout).starts_with("Fristbok per 2026-11-20"));
    let bad_unit = run(&["--database", &a, "deadlines", "--unit", "finns-inte"]);
    assert!(!bad_unit.status.success());
    assert!(String::from_utf8_lossy(&bad_unit.stderr).contains("finns inte"));

    let v = run(&["--database", &a, "verify"]);
    assert!(v.status.success());
    let verified = String::from_utf8_lossy(&v.stdout).to_string();
    assert!(verified.contains("obruten"), "{verified}");

    let file = dir.path().join("export.jsonl");
    let f = file.to_str().unwrap();
    assert!(run(&["--database", &a, "export", "--output", f]).status.success());
    let imp = run(&["--database", &b, "import", f]);
    assert!(imp.status.success(), "{}", String::from_utf8_lossy(&imp.stderr));
    let again = run(&["--database", &b, "export"]);
    assert_eq!(
        String::from_utf8(again.stdout).unwrap(),
        std::fs::read_to_string(&file).unwrap(),
        "same journal, same hashes"
    );
    let vb = String::from_utf8_lossy(&run(&["--database", &b, "verify"]).stdout).to_string();
    assert_eq!(verified.split(':').next_back(), vb.split(':').next_back(), "same head hash");
}

#[test]
fn a_bad_import_line_is_reported_by_number_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("x.sqlite").display());
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"stream\":\"org\"}\n").unwrap();
    let out = run(&["--database", &db, "import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Rad 1"), "{}", String::from_utf8_lossy(&out.stderr));
    let v = run(&["--database", &db, "verify", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(report["checked"], 0);
}

#[test]
fn an_unknown_database_url_is_a_clear_error() {
    let out = run(&["--database", "mysql://x", "verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite:SÖKVÄG eller postgres://"));
}

#[test]
fn the_published_import_schema_is_the_one_the_code_generates() {
    let out = run(&["schema"]);
    let published =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/import-format.schema.json")).unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        published,
        "regenerate with: skyndsam schema > docs/import-format.schema.json"
    );
}

#[test]
fn audit_answers_per_unit_and_case_lists_the_boards_decisions_and_draws_a_reproducible_sample() {
    let (_dir, db, _) = demo_2025(3, 300);
    let at = ["--at", "2025-12-31"];
    let out = run(&[&["--database", &db, "audit", "--period", "2025", "--json"][..], &at[..]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let questions = v["summary"]["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 33);
    let timely = questions.iter().find(|q| q["question"] == "preliminary_timely").unwrap();
    let case = timely["cases_yes"][0].as_str().unwrap().to_owned();
    let out = run(&[&["--database", &db, "audit", "--case", &case, "--json"][..], &at[..]].concat());
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = c["answers"].as_array().unwrap().iter().find(|a| a["question"] == "preliminary_timely").unwrap().clone();
    assert_eq!(a["answer"], "Ja");
    assert!(a["evidence"]["seq"].as_u64().is_some());
    let out = run(&["--database", &db, "audit", "--board-list", "--csv", "--period", "2025"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("typ;datum;beslut;beslutsfattare;roll;grund;inom_delegation;ärende;post\n"));
    assert!(csv.lines().count() > 10);
    let s1 = run(&["--database", &db, "audit", "--sample", "42", "--period", "2025", "--json"]);
    let s2 = run(&["--database", &db, "audit", "--sample", "42", "--period", "2025", "--json"]);
    assert!(s1.status.success(), "{}", String::from_utf8_lossy(&s1.stderr));
    assert_eq!(s1.stdout, s2.stdout);
    let samples: Vec<serde_json::Value> = serde_json::from_slice(&s1.stdout).unwrap();
    assert!(samples.iter().all(|s| s["drawn"].as_array().unwrap().len() <= 20 && s["seed"] == 42));
}

#[test]
fn quality_stats_trend_and_an_idempotent_sweep_on_the_demo_municipality() {
    let (_dir, db, out) = demo_2025(4, 400);
    assert!(String::from_utf8_lossy(&out.stderr).contains("avvikelser rapporterade av personal"));
    let json = |args: &[&str]| -> serde_json::Value {
        let out = run(&[&["--database", &db, "quality"][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let year = json(&["stats", "--period", "2025", "--json", "--at", "2025-12-31"]);
    let c = &year["counts"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    let sum = |v: &serde_json::Value| v.as_object().unwrap().values().map(|x| x.as_u64().unwrap()).sum::<u64>();
    let reported = n(&c["deviations_reported"]);
    assert!(reported > 0, "{c}");
    // The breakdowns add up to the total.
    assert_eq!(sum(&c["deviations_by_category"]), reported);
    let per_unit: u64 = c["deviations_by_unit_category"].as_object().unwrap().values().map(sum).sum();
    assert_eq!(per_unit, reported);
    let directions =
        n(&c["deviations_internal"]) + n(&c["deviations_external_incoming"]) + n(&c["deviations_external_outgoing"]);
    assert_eq!(directions, reported);
    assert_eq!(sum(&c["complaints_by_source"]), n(&c["complaints_received"]));
    assert_eq!(sum(&c["complaints_by_subject"]), n(&c["complaints_received"]));
    assert_eq!(n(&year["avv_6v"]["numerator"]), n(&c["deviations_within_6_weeks"]));
    assert_eq!(n(&year["avv_6v"]["denominator"]), n(&c["deviations_6_weeks_due"]));
    // A unit's figure is its subtree's: the units below the top add up to the whole.
    let units = c["deviations_by_unit_category"].as_object().unwrap();
    let mut by_units = 0;
    for u in units.keys() {
        let one = json(&["stats", "--period", "2025", "--unit", u, "--json", "--at", "2025-12-31"]);
        assert_eq!(n(&one["counts"]["deviations_reported"]), sum(&units[u]), "{u}");
        by_units += n(&one["counts"]["deviations_reported"]);
    }
    assert_eq!(by_units, reported);
    // The trend's months add up to the year.
    let trend = json(&["trend", "--from", "2025-01", "--to", "2025-12", "--json", "--at", "2025-12-31"]);
    let months = trend.as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months.iter().map(|m| n(&m["deviations"])).sum::<u64>(), reported);
    assert_eq!(months.iter().map(|m| n(&m["lex_sarah"])).sum::<u64>(), n(&c["lex_sarah_reported"]));
    // The human forms.
    let human = run(&["--database", &db, "quality", "stats", "--period", "2025-T1", "--at", "2025-12-31"]);
    assert!(String::from_utf8_lossy(&human.stdout).starts_with("Kvalitetsarbetet — delår 1 2025"));
    let human = run(&["--database", &db, "quality", "trend", "--from", "2025-01", "--at", "2025-12-31"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("2025-12"));
    let bad = run(&["--database", &db, "quality", "stats", "--period", "2025", "--unit", "finns-inte"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("finns inte"));

    // The sweep runs now (the demo ends in 2025, so today every open case is long overdue):
    // the first run opens what it finds, the second finds nothing new.
    let first = json(&["sweep", "--json"]);
    let opened = first["opened"].as_array().unwrap().len();
    assert!(opened > 0, "{first}");
    assert!(first["opened"].as_array().unwrap().iter().all(|s| s.as_str().unwrap().starts_with("deviation/")));
    let again = run(&["--database", &db, "quality", "sweep"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stdout).contains(": 0 nya avvikelser öppnade."));
    // They are counted now: today's stats have them as system-detected.
    let today = json(&["stats", "--period", &chrono::Utc::now().format("%Y").to_string(), "--json"]);
    let detected = sum(&today["counts"]["deviations_system_detected"]);
    assert!(detected >= opened as u64, "{detected} < {opened}");
}

#[test]
fn audit_judges_decisions_by_the_delegation_order_version_recorded_in_the_journal() {
    use chrono::{NaiveDate, TimeZone, Utc};
    use skyndsam_domain::commands::{version_delegation_order, Context};
    use skyndsam_domain::ids::StaffId;
    use skyndsam_domain::org::{Actor, Role};
    use skyndsam_domain::rules::{DelegationOrderVersion, RuleTable};
    use std::sync::Arc;

    let (_dir, db, _) = demo_2025(3, 300);
    let at = ["--at", "2025-12-31"];
    let delegate_yes = |db: &str| -> usize {
        let out = run(&[&["--database", db, "audit", "--period", "2025", "--json"][..], &at[..]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let q = v["summary"]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["question"] == "authorised_delegate" && q["section"] == "preliminary_assessment")
            .unwrap()
            .clone();
        q["cases_yes"].as_array().unwrap().len()
    };
    let outside = |db: &str| -> usize {
        let out = run(&["--database", db, "audit", "--board-list", "--csv", "--period", "2025"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let csv = String::from_utf8(out.stdout).unwrap();
        csv.lines().skip(1).filter(|l| l.split(';').nth(6) == Some("nej")).count()
    };
    let before = delegate_yes(&db);
    let outside_before = outside(&db);
    assert!(before > 0, "the demo's decisions are taken within delegation");

    // The administrator recorded, in December 2024, a version in force from 1 January 2025
    // that keeps every delegable decision to the förvaltningschef. The demo's team leaders'
    // decisions of 2025 are then outside delegation — in the CLI as in the server.
    let rules = Arc::new(RuleTable::defaults().unwrap());
    let mut order = rules.delegation.clone();
    for r in &mut order {
        if !r.board_only {
            r.roles = vec![Role::HeadOfAdministration];
        }
    }
    let version = DelegationOrderVersion {
        version: "SN 2024-12-10 § 120".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        valid_to: None,
        rules: order,
    };
    {
        let store = skyndsam_store::Store::open(&db, rules.clone()).unwrap();
        let admin = Actor {
            staff: StaffId::parse("admin-1").unwrap(),
            role: Role::SystemAdministrator,
            unit: None,
            qualified: false,
        };
        let p = store.projections();
        let ctx = Context {
            now: Utc.with_ymd_and_hms(2024, 12, 15, 9, 0, 0).unwrap(),
            rules: &rules,
            org: &p.org,
            actor: &admin,
        };
        let event = version_delegation_order(&version, &ctx).unwrap();
        drop(p);
        store.append(skyndsam_store::AppendRequest::new(vec![event])).unwrap();
    }
    let after = delegate_yes(&db);
    assert!(after < before, "recorded version ignored: {after} of {before} still within delegation");
    // The board's list says the same: more rows are "inom_delegation = nej".
    assert!(outside(&db) > outside_before);
}

#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let (_dir, db, _) = demo_2025(5, 300);
    // `skyndsam export | head -c 100` and `skyndsam audit … | head -c 100`: the output is
    // far larger than a pipe's buffer, and the reader goes away after 100 bytes.
    for args in [
        &["--database", &db, "export"][..],
        &["--database", &db, "audit", "--period", "2025", "--json", "--at", "2025-12-31"][..],
    ] {
        let mut child = Command::new(bin())
            .args(args)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        // The pipe's reading end is closed here (the handle was dropped).
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(!stderr.contains("panicked") && !stderr.contains("Databasfel"), "{args:?}: {stderr}");
    }
}
