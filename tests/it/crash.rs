//! SIGKILL during concurrent appends: no acknowledged event may be lost, and the chain
//! must verify after restart.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_skyndsam")
}

fn kill_during_appends(url: &str) {
    let mut child = Command::new(bin())
        .args([
            "--database",
            url,
            "bench",
            "append",
            "--writers",
            "16",
            "--events",
            "1000000",
            "--runs",
            "1",
            "--print-acks",
        ])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked: HashMap<String, u32> = HashMap::new();
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    let started = Instant::now();
    // Read acknowledgements until enough have come, then kill without warning.
    while acked.values().map(|v| *v as u64).sum::<u64>() < 3000 && started.elapsed() < Duration::from_secs(60) {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let mut parts = line.split_whitespace();
        if let (Some("ack"), Some(stream), Some(v)) = (parts.next(), parts.next(), parts.next()) {
            let v: u32 = v.parse().unwrap();
            let e = acked.entry(stream.to_owned()).or_default();
            *e = (*e).max(v);
        }
    }
    child.kill().unwrap(); // SIGKILL
                           // Acks printed before the kill but not yet read still count.
    for l in reader.lines().map_while(Result::ok) {
        let mut parts = l.split_whitespace();
        if let (Some("ack"), Some(stream), Some(v)) = (parts.next(), parts.next(), parts.next()) {
            let v: u32 = v.parse().unwrap();
            let e = acked.entry(stream.to_owned()).or_default();
            *e = (*e).max(v);
        }
    }
    let _ = child.wait();
    assert!(acked.len() >= 8, "the writers were running when killed");

    // After restart: verify passes and every acknowledged event is there.
    let out = Command::new(bin()).args(["--database", url, "verify", "--json"]).output().unwrap();
    assert!(out.status.success(), "verify failed: {}", String::from_utf8_lossy(&out.stdout));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["broken"].is_null());
    let export = Command::new(bin()).args(["--database", url, "export"]).output().unwrap();
    assert!(export.status.success());
    let mut stored: HashMap<String, u32> = HashMap::new();
    for l in String::from_utf8(export.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let e = stored.entry(v["stream"].as_str().unwrap().to_owned()).or_default();
        *e = (*e).max(v["version"].as_u64().unwrap() as u32);
    }
    for (stream, v) in &acked {
        assert!(stored.get(stream).copied().unwrap_or(0) >= *v, "acknowledged {stream} v{v} lost after SIGKILL");
    }
}

#[test]
fn no_acknowledged_event_is_lost_when_the_process_is_killed_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    kill_during_appends(&format!("sqlite:{}", dir.path().join("crash.sqlite").display()));
}

#[test]
fn no_acknowledged_event_is_lost_when_the_process_is_killed_postgres() {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("crash_{}", uuid::Uuid::new_v4().simple());
            let sep = if url.contains('?') { '&' } else { '?' };
            kill_during_appends(&format!("{url}{sep}schema={schema}"));
        }
        _ => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "PostgreSQL-testet hoppades över: DATABASE_URL är inte satt");
        }
    }
}
