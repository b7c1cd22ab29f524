//! E-mail notices of feedback (decision 0014) against a real SMTP conversation: a small SMTP
//! sink on 127.0.0.1 port 0 (220, EHLO, MAIL, RCPT, DATA, QUIT) captures what the server's
//! `SmtpMailer` sends. The notice carries no secret data; a mail failure never undoes or
//! blocks the feedback; without SMTP nothing is sent and feedback works as before.

use crate::harness::*;
use serde_json::{json, Value};
use skyndsam_domain::events::{Payload, StaffEmailChanged, ORG_STREAM};
use skyndsam_store::AppendRequest;
use skyndsam_web::mail::{Outgoing, SmtpMailer};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

const WHAT: &str = "Anmälan om Dora Mottagsson låg oskannad i sex dagar.";
const FEEDBACK: &str = "Tack! Vi har infört en reservläsare av posten varje dag.";

/// One message as the sink received it.
#[derive(Debug)]
struct Captured {
    from: String,
    rcpt: Vec<String>,
    data: String,
}

/// An SMTP sink: answers just enough SMTP and sends each message on the channel.
async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<Captured>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let (mut from, mut rcpt) = (String::new(), Vec::new());
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_owned();
                    let upper = cmd.to_ascii_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        w.write_all(b"250-sink.test\r\n250 8BITMIME\r\n").await.unwrap();
                    } else if upper.starts_with("MAIL FROM:") {
                        from = cmd["MAIL FROM:".len()..].to_owned();
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(cmd["RCPT TO:".len()..].to_owned());
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    } else if upper == "DATA" {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        w.write_all(b"250 queued\r\n").await.unwrap();
                        let _ = tx.send(Captured {
                            from: std::mem::take(&mut from),
                            rcpt: std::mem::take(&mut rcpt),
                            data,
                        });
                    } else if upper == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        // RSET, NOOP and anything else.
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, rx)
}

fn outgoing(port: u16) -> Outgoing {
    let mailer = SmtpMailer::new(&format!("smtp://127.0.0.1:{port}"), "Skyndsam <skyndsam@kommun.test>").unwrap();
    Outgoing { mailer: Arc::new(mailer), public_url: "https://skyndsam.kommun.test/".into() }
}

/// Gives `staff` an e-mail address through the journal (as the import does).
async fn set_email(t: &TestApp, staff: &str, email: &str) {
    let app = t.app.clone();
    let ev = sys(
        Payload::StaffEmailChanged(StaffEmailChanged {
            staff: skyndsam_domain::ids::StaffId::parse(staff).unwrap(),
            email: Some(email.into()),
        }),
        ORG_STREAM,
        t.clock.now_utc(),
    );
    tokio::task::spawn_blocking(move || app.store.append(AppendRequest::new(vec![ev])).unwrap()).await.unwrap();
}

/// Rita reports a deviation from the intake case; Ulf (the manager) gives feedback. Returns
/// the deviation's API path and the feedback response.
async fn report_and_give_feedback(t: &TestApp) -> (String, crate::harness::Resp) {
    let d = skyndsam_domain::calendar::local_date(t.clock.now_utc());
    let rita = t.login("rita").await;
    let ulf = t.login("ulf").await;
    let r = t
        .post(
            Some(&rita),
            "/api/deviations",
            &json!({"unit": "utredning-1", "occurred_on": d, "category": "registrering", "direction": "internal",
                    "case": Target::Intake.case(), "description": WHAT, "risk": {"severity": 2, "probability": 2}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let path = format!("/api/deviations/{}", r.json["id"].as_str().unwrap());
    let r = t
        .post(
            Some(&ulf),
            &format!("{path}/feedback"),
            &json!({"expected_version": 1, "data": {"text": FEEDBACK, "channel": "email"}}),
        )
        .await;
    (path, r)
}

/// Polls the deviation until its feedback notice has an outcome.
async fn notice(t: &TestApp, path: &str) -> Value {
    let ulf = t.login("ulf").await;
    for _ in 0..100 {
        let got = t.get(Some(&ulf), path).await;
        assert_eq!(got.status, 200, "{}", got.body);
        if !got.json["feedback_notice"].is_null() {
            return got.json["feedback_notice"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no notice outcome after 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_mails_the_reporter_only_that_there_is_feedback_and_where_to_log_in() {
    let (port, mut rx) = smtp_sink().await;
    let t = TestApp::spawn_with_mail(outgoing(port)).await;
    set_email(&t, "rita", "rita@kommun.test").await;
    let (path, r) = report_and_give_feedback(&t).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let m = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert_eq!(m.rcpt, vec!["<rita@kommun.test>".to_owned()]);
    assert!(m.from.contains("skyndsam@kommun.test"), "{}", m.from);
    let id = path.trim_start_matches("/api/deviations/");
    let reference = format!("AVV-{}", id.replace('-', "").get(..8).unwrap().to_uppercase());
    let subject = m.data.lines().find(|l| l.starts_with("Subject:")).unwrap_or_default().to_owned();
    // The subject is encoded (å): decode the one encoded word lettre writes, or read it plain.
    let decoded = decode_subject(&subject);
    assert_eq!(decoded, format!("Återkoppling på avvikelse {reference}"), "{subject}");
    let body = body_of(&m.data);
    assert!(body.contains(&reference), "{body}");
    assert!(body.contains(&format!("https://skyndsam.kommun.test/avvikelser/{id}")), "{body}");
    // No secret data: not the reporter's or the child's name, not the personnummer, not a
    // word of the deviation or the feedback.
    for secret in [
        "Dora",
        "Mottagsson",
        "Testberg",
        "oskannad",
        "reservläsare",
        &Target::Intake.pnr().to_string(),
        "20150102",
        "150102",
    ] {
        assert!(!m.data.contains(secret) && !body.contains(secret), "{secret} in the mail: {}", m.data);
    }
    assert_eq!(notice(&t, &path).await["outcome"], "sent");
    // Exactly one message.
    assert!(tokio::time::timeout(Duration::from_millis(300), rx.recv()).await.is_err());

    // The handler sees the outcome on the deviation's page.
    let mut c = crate::ui::UiClient::new(&t);
    c.login("ulf").await;
    let page = c.get(&format!("/avvikelser/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("E-post till den som rapporterade") && page.body.contains("skickad"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_failure_neither_undoes_nor_blocks_the_feedback_and_is_shown() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let t = TestApp::spawn_with_mail(outgoing(port)).await;
    set_email(&t, "rita", "rita@kommun.test").await;
    let (path, r) = report_and_give_feedback(&t).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let n = notice(&t, &path).await;
    assert_eq!(n["outcome"], "failed", "{n}");
    assert!(!n["reason"].as_str().unwrap().contains("127.0.0.1"), "{n}");
    // The feedback is in the journal all the same.
    let ulf = t.login("ulf").await;
    let got = t.get(Some(&ulf), &path).await;
    assert!(got.body.contains(FEEDBACK), "{}", got.body);
    // Logged once, without the address.
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).to_string();
    let id = path.trim_start_matches("/api/deviations/");
    let lines: Vec<&str> = logs.lines().filter(|l| l.contains("feedback notice failed") && l.contains(id)).collect();
    assert_eq!(lines.len(), 1, "{logs}");
    assert!(!lines[0].contains("rita@kommun.test"), "{}", lines[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_without_an_address_gets_no_mail_and_the_handler_is_told() {
    let (port, mut rx) = smtp_sink().await;
    let t = TestApp::spawn_with_mail(outgoing(port)).await;
    let (path, r) = report_and_give_feedback(&t).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(notice(&t, &path).await["outcome"], "no_address");
    assert!(tokio::time::timeout(Duration::from_millis(500), rx.recv()).await.is_err(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_nothing_is_sent_and_feedback_still_works() {
    let (_port, mut rx) = smtp_sink().await;
    let t = TestApp::spawn().await;
    set_email(&t, "rita", "rita@kommun.test").await;
    let (path, r) = report_and_give_feedback(&t).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ulf = t.login("ulf").await;
    let got = t.get(Some(&ulf), &path).await;
    assert!(got.body.contains(FEEDBACK), "{}", got.body);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = t.get(Some(&ulf), &path).await;
    assert!(got.json["feedback_notice"].is_null(), "{}", got.body);
    assert!(rx.try_recv().is_err(), "nothing sent");
}

/// The message body after the headers, with quoted-printable soft breaks and escapes undone.
fn body_of(data: &str) -> String {
    let body = data.split_once("\r\n\r\n").map(|x| x.1).unwrap_or(data);
    let qp = data.to_ascii_lowercase().contains("content-transfer-encoding: quoted-printable");
    if !qp {
        return body.to_owned();
    }
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// "Subject: …" with its encoded words (`=?utf-8?b?…?=`, base64) decoded.
fn decode_subject(line: &str) -> String {
    let mut rest = line.trim_start_matches("Subject:").trim();
    let mut out = String::new();
    while let Some(i) = rest.find("=?utf-8?b?") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "=?utf-8?b?".len()..];
        let end = after.find("?=").unwrap();
        out.push_str(&String::from_utf8(base64_decode(&after[..end])).unwrap());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|x| *x == c).unwrap() as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}
