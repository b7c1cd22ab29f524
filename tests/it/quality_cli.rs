//! `skyndsam deadlines` lists the quality clocks after the cases': a deviation imported
//! (as a conversion would bring it) shows its six weeks, with its owner.

use crate::crash::bin;
use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).env("RUST_LOG", "error").output().unwrap()
}

const META: &str = r#""meta":{"recorded_at":"2026-03-02T08:00:00Z","effective_on":"2026-03-02","actor":"system","role":"system","unit":null,"delegation":null,"corrects":null}"#;

#[test]
fn deadlines_show_the_six_weeks_of_a_deviation_with_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("q.sqlite").display());
    let dev = "00000000-0000-0000-0000-0000000000c8";
    let lines = [
        format!(
            r#"{{"stream":"org",{META},"payload":{{"type":"unit_created","data":{{"unit":"utredning-1","name":"Utredning 1","parent":null,"kind":"unit","function":"investigation"}}}}}}"#
        ),
        format!(
            r#"{{"stream":"org",{META},"payload":{{"type":"staff_registered","data":{{"staff":"ulf","name":"Ulf Chef","title":"Enhetschef","qualified":true}}}}}}"#
        ),
        format!(
            r#"{{"stream":"org",{META},"payload":{{"type":"role_granted","data":{{"staff":"ulf","role":"unit_manager","unit":"utredning-1","from":"2026-01-01","to":null}}}}}}"#
        ),
        format!(
            r#"{{"stream":"deviation/{dev}",{META},"payload":{{"type":"deviation_reported","data":{{"deviation":"{dev}","unit":"utredning-1","assignee":"ulf","occurred_on":"2026-03-01","category":"registrering","direction":"internal","description":"Handlingen låg oskannad.","source":{{"kind":"staff"}}}}}}}}"#
        ),
    ];
    let file = dir.path().join("q.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let imp = run(&["--database", &db, "import", file.to_str().unwrap()]);
    assert!(imp.status.success(), "{}", String::from_utf8_lossy(&imp.stderr));

    let out = run(&["--database", &db, "deadlines", "--json", "--quality", "--at", "2026-04-10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["matter"], format!("deviation/{dev}"));
    assert_eq!(rows[0]["deadline"]["kind"], "deviation_investigation");
    assert_eq!(rows[0]["last_day"], "2026-04-13");
    assert_eq!(rows[0]["owner"], "ulf");
    assert_eq!(rows[0]["state"], "due_soon");

    let human = String::from_utf8(run(&["--database", &db, "deadlines", "--at", "2026-04-20"]).stdout).unwrap();
    assert!(human.contains("Kvalitetsfrister — 1 väntande"), "{human}");
    assert!(human.contains("Utredning av avvikelse") && human.contains("ulf"), "{human}");
    // The case rows' JSON is as before (no quality rows in it).
    let cases = run(&["--database", &db, "deadlines", "--json", "--at", "2026-04-10"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&cases.stdout).unwrap();
    assert!(rows.is_empty());
}
