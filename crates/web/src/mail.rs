//! Outgoing mail (decision 0014): feedback to the reporter of a deviation "in the app; e-mail
//! where configured" (issue 6 item 1, the routine's feedback step).
//!
//! The seam is [`Mailer`]; the server's one is [`SmtpMailer`] (lettre over tokio, rustls),
//! configured by the municipality (`serve --smtp-url`, `--mail-from`, `--public-url`; off when
//! no SMTP URL is given). A notice says only that there is feedback on a deviation with its
//! short reference and a link to log in: no names, no personnummer, no text from the matter.
//! It is sent after the journal append has committed, on its own task: a mail failure never
//! undoes or delays the act. Each notice's outcome (sent, no address, failed and why in a
//! word) is logged once without the address or the server's reply, and kept per deviation
//! in [`NoticeLog`] for the deviation's page and its API view; the log lives in this process
//! (a restart forgets it — the act itself is in the journal either way).

use chrono::{DateTime, Utc};
use serde::Serialize;
use skyndsam_domain::ids::{DeviationId, StaffId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::app::AppState;

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Why a message was not sent, in one word (never the server's text or the address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailError(pub &'static str);

pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Sends mail. The server's is [`SmtpMailer`]; tests may give their own.
pub trait Mailer: Send + Sync {
    fn send(&self, mail: Mail) -> Sending<'_>;
}

/// SMTP through lettre: `smtp://host:port` (plain; `?tls=required` for STARTTLS) or
/// `smtps://host:port` (TLS), credentials in the URL if the relay wants them.
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

/// How long one delivery may take before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpMailer {
    /// The error names the part that is wrong, never the URL (it may hold a password).
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let from = from.parse().map_err(|_| "avsändaradressen (--mail-from) är ingen e-postadress".to_owned())?;
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|_| {
                "SMTP-adressen (--smtp-url) kan inte tolkas; skriv smtp://värd:port eller smtps://värd:port".to_owned()
            })?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: Mail) -> Sending<'_> {
        use lettre::AsyncTransport;
        Box::pin(async move {
            let to: lettre::message::Mailbox = mail.to.parse().map_err(|_| MailError("ogiltig adress"))?;
            let message = lettre::Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(mail.subject)
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(mail.body)
                .map_err(|_| MailError("meddelandet kunde inte byggas"))?;
            match self.transport.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(MailError("avvisat av e-postservern")),
                Err(e) if e.is_transient() => Err(MailError("tillfälligt fel hos e-postservern")),
                Err(e) if e.is_timeout() => Err(MailError("tidsgränsen gick ut")),
                Err(_) => Err(MailError("ingen förbindelse med e-postservern")),
            }
        })
    }
}

/// Outgoing mail as the municipality configured it.
pub struct Outgoing {
    pub mailer: Arc<dyn Mailer>,
    /// The application's public address for the link in a notice (`https://skyndsam.kommun.se`).
    pub public_url: String,
}

/// What became of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "reason")]
pub enum NoticeOutcome {
    Sent,
    /// The reporter has no e-mail address in Skyndsam.
    NoAddress,
    /// The reason in one word (Swedish), never the server's reply.
    Failed(String),
}

impl NoticeOutcome {
    pub fn label_sv(&self) -> String {
        match self {
            Self::Sent => "skickad".to_owned(),
            Self::NoAddress => "inte skickad: den som rapporterade har ingen e-postadress i Skyndsam".to_owned(),
            Self::Failed(why) => format!("misslyckades ({why}); ge återkopplingen på annat sätt"),
        }
    }
}

/// The last e-mail notice about a deviation's feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NoticeStatus {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub outcome: NoticeOutcome,
}

/// The last notice per deviation stream, in this process.
#[derive(Default)]
pub struct NoticeLog {
    inner: Mutex<HashMap<String, NoticeStatus>>,
}

impl NoticeLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, NoticeStatus>> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
    pub fn get(&self, stream: &str) -> Option<NoticeStatus> {
        self.lock().get(stream).cloned()
    }
    fn set(&self, stream: String, status: NoticeStatus) {
        self.lock().insert(stream, status);
    }
}

/// The deviation's short reference in notices: `AVV-` and the id's first eight characters.
pub fn short_ref(d: &DeviationId) -> String {
    let s = d.0.simple().to_string().to_uppercase();
    format!("AVV-{}", s.get(..8).unwrap_or(&s))
}

/// The notice: only that there is feedback, the reference and where to log in.
pub fn feedback_mail(to: String, deviation: &DeviationId, public_url: &str) -> Mail {
    let reference = short_ref(deviation);
    let base = public_url.trim_end_matches('/');
    Mail {
        to,
        subject: format!("Återkoppling på avvikelse {reference}"),
        body: format!(
            "Hej!\r\n\r\nDet finns en återkoppling på avvikelsen {reference} som du rapporterade.\r\n\
             Logga in i Skyndsam för att läsa den:\r\n{base}/avvikelser/{}\r\n\r\n\
             Meddelandet skickas automatiskt och innehåller inga uppgifter om ärendet. Svara inte på det.\r\n",
            deviation.0
        ),
    }
}

/// After feedback on `deviation` has been committed: mails the reporter, if mail is configured,
/// on its own task. Without an SMTP configuration nothing is sent and nothing is recorded.
pub fn notify_feedback(app: &AppState, deviation: DeviationId, reporter: StaffId) {
    let Some(out) = &app.mail else { return };
    let stream = deviation.stream();
    let address = app.store.projections().org.staff.get(&reporter).and_then(|s| s.email.clone());
    let Some(address) = address else {
        tracing::info!(deviation = %stream, "feedback notice not sent: the reporter has no e-mail address");
        app.notices.set(stream, NoticeStatus { at: app.now(), outcome: NoticeOutcome::NoAddress });
        return;
    };
    let mail = feedback_mail(address, &deviation, &out.public_url);
    let mailer = out.mailer.clone();
    let app = app.clone();
    tokio::spawn(async move {
        let outcome = match mailer.send(mail).await {
            Ok(()) => {
                tracing::info!(deviation = %stream, "feedback notice sent");
                NoticeOutcome::Sent
            }
            Err(MailError(why)) => {
                tracing::warn!(deviation = %stream, reason = why, "feedback notice failed");
                NoticeOutcome::Failed(why.to_owned())
            }
        };
        app.notices.set(stream, NoticeStatus { at: app.now(), outcome });
    });
}
