//! `skyndsam` — the command line. A thin shell: parses arguments, opens the store, calls
//! the core, prints. See README.md ("Kommandon") for the contract.

mod audit;
mod bench;
mod quality;

/// mimalloc instead of glibc's malloc: the server allocates and frees many small JSON
/// buffers across threads, where glibc's arenas fragment (measured: docs/decisions/0007).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{bail, Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use skyndsam_domain::calendar::{local_date, start_of_local_day};
use skyndsam_domain::ids::UnitId;
use skyndsam_domain::rules::RuleTable;
use skyndsam_store::security::{AccessAction, AccessBasis, AccessEntry, SecurityStore};
use skyndsam_store::{AppendRequest, Store};
use std::io::{BufReader, Write};
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "skyndsam",
    version,
    about = "Ärendeflöde och kvalitetssäkring för den sociala barn- och ungdomsvården"
)]
struct Cli {
    /// Database: sqlite:PATH or postgres://…
    #[arg(long, global = true, env = "SKYNDSAM_DATABASE", default_value = "sqlite:skyndsam.sqlite")]
    database: String,
    /// A municipality's own rule table (TOML); default: the shipped defaults.
    #[arg(long, global = true, env = "SKYNDSAM_RULES")]
    rules: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and, from issue 4, the web application).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Fill an empty database with the demo municipality first.
        #[arg(long)]
        demo: bool,
        /// Memory for rendered case timelines, in MiB (0 turns the cache off).
        #[arg(long, default_value_t = skyndsam_web::app::DEFAULT_TIMELINE_CACHE_BYTES >> 20)]
        cache_mib: usize,
        /// Minutes between the sweeps that open the deviations the system sees for itself
        /// (the first runs at start; 0 turns the sweep off).
        #[arg(long, default_value_t = 15)]
        sweep_minutes: u64,
        /// Outgoing mail for notices (feedback on a deviation): smtp://host:port, with
        /// ?tls=required for STARTTLS, or smtps://host:port. No mail is sent without it.
        #[arg(long, env = "SKYNDSAM_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// The notices' sender, e.g. "Skyndsam <skyndsam@kommun.se>" (needed with --smtp-url).
        #[arg(long, env = "SKYNDSAM_MAIL_FROM")]
        mail_from: Option<String>,
        /// The application's address as staff reach it, for the link in a notice.
        #[arg(long, env = "SKYNDSAM_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        /// A reverse proxy (address or network, e.g. 10.0.0.5 or 10.0.0.0/24) whose
        /// X-Forwarded-For is believed: the client's address is then logged and rate-limited,
        /// not the proxy's. Repeat it, or separate with commas. None by default.
        #[arg(long, env = "SKYNDSAM_TRUSTED_PROXIES", value_delimiter = ',', value_parser = trusted_proxy)]
        trusted_proxy: Vec<ipnet::IpNet>,
    },
    /// Fill the database with a reproducible synthetic municipality.
    Demo {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// First year simulated (default: last year).
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, default_value_t = 8900)]
        reports_per_year: u32,
        /// Years simulated (default: 2 — last year complete and this year up to today).
        #[arg(long, default_value_t = 2)]
        years: u32,
    },
    /// Import a JSON Lines file (docs/import-format.md); all or nothing.
    Import { file: std::path::PathBuf },
    /// Export the journal as JSON Lines to stdout or a file.
    Export {
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// The deadline book: pending deadlines, soonest first.
    Deadlines {
        /// Unit (and the units below it).
        #[arg(long)]
        unit: Option<String>,
        /// As of this date (default today).
        #[arg(long)]
        at: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
        /// With --json: the quality clocks (deviations, lex Sarah, complaints, measures,
        /// follow-ups, control moments) instead of the cases'.
        #[arg(long)]
        quality: bool,
    },
    /// Walk the hash chain and report the first broken link.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the import format.
    Schema,
    /// User accounts (the first administrator is created here; there is no default password).
    #[command(subcommand)]
    User(UserCommand),
    /// Indicators (styrkort, DOMAIN §6) for a period: a Swedish table, JSON or Kolada JSON.
    Indicators(IndicatorsArgs),
    /// A report as a page (html), .docx or PDF: delarsrapport, verksamhetsberattelse, ivo
    /// (ej verkställda beslut per kvartal) or kvalitetsberattelse.
    Report(ReportArgs),
    /// The pseudonymised analysis extract (CSV or Parquet): one row per case received in the period,
    /// no direct identifiers, stable pseudonyms under the export key (environment variable
    /// SKYNDSAM_EXPORT_KEY, at least 16 characters), rare combinations suppressed.
    Extract(ExtractArgs),
    /// Likställighet: one indicator side by side for the units below a unit, with the level
    /// expected from a social index where the municipality supplies one.
    Compare(CompareArgs),
    /// Self-inspection (egenkontroll): answers per case, share of Ja per unit and year, the
    /// board's list of delegated decisions (--board-list), the file-audit sample (--sample).
    Audit(audit::AuditArgs),
    /// The quality-management system: counts for a period and unit (stats), month by month
    /// (trend), and the detection sweep (sweep).
    #[command(subcommand)]
    Quality(quality::QualityCommand),
    /// Benchmarks (see README, "Prestanda").
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

#[derive(clap::Args)]
struct IndicatorsArgs {
    /// YYYY, YYYY-MM, YYYY-T1 (delår 1), YYYY-T2 (delår 2), YYYY-Q1…Q4, YYYY-R12, YYYY-MM-R12
    #[arg(long)]
    period: String,
    /// Unit (and the units below it).
    #[arg(long)]
    unit: Option<String>,
    #[arg(long, conflicts_with = "kolada")]
    json: bool,
    /// Kolada's JSON shape (kpi, municipality, period, values per gender T/K/M).
    #[arg(long)]
    kolada: bool,
    /// Municipality code for the Kolada export.
    #[arg(long, default_value = "0000")]
    municipality: String,
    /// The municipality's own indicator table (TOML); default: the shipped one.
    #[arg(long)]
    indicators: Option<std::path::PathBuf>,
    /// Reporting date (default today): nothing after it counts.
    #[arg(long)]
    at: Option<NaiveDate>,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// delarsrapport, verksamhetsberattelse, ivo or kvalitetsberattelse
    kind: String,
    #[arg(long)]
    year: i32,
    /// The delårsrapport's tertial (1, 2) or the IVO list's quarter (1–4).
    #[arg(long)]
    part: Option<u32>,
    /// Unit (and the units below it).
    #[arg(long)]
    unit: Option<String>,
    /// html, docx or pdf
    #[arg(long, default_value = "html")]
    format: String,
    /// Write to this file (default: standard output).
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
    /// The kvalitetsberättelse's written sections (TOML: introduction, prerequisites,
    /// quality_assessment, improvement_areas).
    #[arg(long)]
    narratives: Option<std::path::PathBuf>,
    /// Reporting date (default today): nothing after it counts.
    #[arg(long)]
    at: Option<NaiveDate>,
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// YYYY, YYYY-MM, YYYY-T1, YYYY-T2, YYYY-Q1…Q4, YYYY-R12
    #[arg(long)]
    period: String,
    /// The smallest number of rows that may share a combination of unit, sex, age band
    /// and month.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// csv (default) or parquet (typed columns; needs -o).
    #[arg(long, default_value = "csv")]
    format: ExtractFormat,
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
    #[arg(long)]
    at: Option<NaiveDate>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExtractFormat {
    Csv,
    Parquet,
}

#[derive(clap::Args)]
struct CompareArgs {
    /// The indicator's id, e.g. FB14.
    #[arg(long)]
    indicator: String,
    #[arg(long)]
    period: String,
    /// The unit whose units are compared (default: the top units).
    #[arg(long)]
    unit: Option<String>,
    /// TOML: one line per unit, `utredning-1 = 104.5`.
    #[arg(long)]
    social_index: Option<std::path::PathBuf>,
    #[arg(long)]
    json: bool,
    #[arg(long)]
    at: Option<NaiveDate>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a local account for a member of staff. The password is read from the
    /// environment variable SKYNDSAM_PASSWORD or, if unset, from the first line of stdin.
    Add {
        username: String,
        /// The staff member (id in the organisation), e.g. `admin-1`.
        #[arg(long)]
        staff: String,
    },
    /// List accounts.
    List,
}

fn rules(cli: &Cli) -> Result<Arc<RuleTable>> {
    let table = match &cli.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("kan inte läsa {}", path.display()))?;
            RuleTable::from_toml(&text)?
        }
        None => RuleTable::defaults()?,
    };
    Ok(Arc::new(table))
}

/// `--trusted-proxy`: an address (one host) or a network in CIDR form.
fn trusted_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("\"{s}\" är ingen IP-adress eller inget nät (till exempel 10.0.0.5 eller 10.0.0.0/24)"))
}

fn main() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    for d in skyndsam_store::LOG_DIRECTIVES {
        if let Ok(d) = d.parse() {
            filter = filter.add_directive(d);
        }
    }
    // No bridge from the `log` crate: a dependency's own logging (the PostgreSQL driver logs
    // statement parameters) never reaches our log.
    let _ = tracing::subscriber::set_global_default(
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).finish(),
    );
    quiet_on_closed_pipe();
    if let Err(e) = run(Cli::parse()) {
        if closed_pipe(&e) {
            std::process::exit(0);
        }
        eprintln!("fel: {e:#}");
        std::process::exit(1);
    }
}

/// The reader of our output stopped reading (`skyndsam export | head`): as for any Unix
/// tool, that ends the command quietly; it is neither a database error nor a crash.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(c.downcast_ref::<skyndsam_store::StoreError>(), Some(skyndsam_store::StoreError::Output(k)) if *k == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` panics when stdout is a closed pipe (Rust ignores SIGPIPE, and the server
/// must keep doing so for its sockets). The commands print with it, so such a panic ends
/// the process quietly with success instead of a panic message; any other panic is
/// reported as before.
fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        report(info);
    }));
}

fn run(cli: Cli) -> Result<()> {
    let now = Utc::now();
    match &cli.command {
        Command::Schema => {
            print!("{}", skyndsam_store::import::json_schema());
            Ok(())
        }
        Command::Bench(b) => bench::run(b, &cli.database, rules(&cli)?),
        Command::Indicators(a) => indicators(&cli, a, local_date(now)),
        Command::Report(a) => report(&cli, a, local_date(now)),
        Command::Extract(a) => extract(&cli, a, local_date(now)),
        Command::Compare(a) => compare(&cli, a, local_date(now)),
        Command::Audit(a) => audit::run(&cli.database, &*rules(&cli)?, a, local_date(now)),
        Command::Quality(q) => {
            let rules = rules(&cli)?;
            match q {
                quality::QualityCommand::Stats(a) => {
                    quality::stats(a, &facts_of(&cli, &rules, None)?, &rules, local_date(now))
                }
                quality::QualityCommand::Trend(a) => quality::trend(
                    a,
                    &facts_of(&cli, &rules, Some(a.at.unwrap_or(local_date(now))))?,
                    &rules,
                    local_date(now),
                ),
                quality::QualityCommand::Sweep { json } => {
                    let store = Store::open(&cli.database, rules)?;
                    let r = quality::sweep(&store, now, *json);
                    store.close();
                    r
                }
            }
        }
        Command::Serve { addr, demo, cache_mib, sweep_minutes, smtp_url, mail_from, public_url, trusted_proxy } => {
            let store = Arc::new(Store::open(&cli.database, rules(&cli)?)?);
            let security = Arc::new(SecurityStore::open(&cli.database)?);
            let fresh = *demo && store.count()? == 0;
            if fresh {
                fill_demo(&store, 1, now.date_naive().year_ce().1 as i32 - 1, 8900, 2, now)?;
            }
            let mut app = skyndsam_web::App::new(store.clone(), security.clone(), Arc::new(skyndsam_web::SystemClock))
                .map_err(|e| anyhow::anyhow!(e.message))?
                .with_timeline_cache(cache_mib.saturating_mul(1 << 20))
                .with_trusted_proxies(trusted_proxy.clone());
            if let Some(url) = smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
                let Some(from) = mail_from.as_deref() else {
                    bail!("--smtp-url kräver --mail-from (avsändaren, t.ex. \"Skyndsam <skyndsam@kommun.se>\")");
                };
                let mailer = skyndsam_web::mail::SmtpMailer::new(url, from).map_err(|e| anyhow::anyhow!(e))?;
                app = app.with_mail(skyndsam_web::mail::Outgoing {
                    mailer: Arc::new(mailer),
                    public_url: public_url.clone(),
                });
                tracing::info!("e-post för aviseringar är påslagen");
            }
            let app = Arc::new(app);
            if fresh {
                demo_accounts(&app, now)?;
            }
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async {
                if *sweep_minutes > 0 {
                    skyndsam_web::quality::start_sweeps(
                        app.clone(),
                        std::time::Duration::from_secs(sweep_minutes * 60),
                    );
                }
                skyndsam_web::serve(app, *addr).await
            })?;
            Ok(())
        }
        Command::User(UserCommand::Add { username, staff }) => {
            let store = Arc::new(Store::open(&cli.database, rules(&cli)?)?);
            let staff = skyndsam_domain::ids::StaffId::parse(staff)?;
            if !store.projections().org.staff.contains_key(&staff) {
                bail!("personalen {staff} finns inte i organisationen");
            }
            let password = match std::env::var("SKYNDSAM_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let security = Arc::new(SecurityStore::open(&cli.database)?);
            let app = skyndsam_web::App::new(store, security.clone(), Arc::new(skyndsam_web::SystemClock))
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let by = std::env::var("USER").unwrap_or_else(|_| "kommandoraden".into());
            app.auth
                .add_account(&security, username, staff, &password, now, &format!("kommandoraden ({by})"))
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!("Kontot {username} är skapat.");
            Ok(())
        }
        Command::User(UserCommand::List) => {
            let security = SecurityStore::open(&cli.database)?;
            for a in security.with(|b| b.accounts())? {
                println!(
                    "{:<24} {:<24} {}",
                    a.username,
                    a.staff,
                    if a.disabled_at.is_some() { "spärrat" } else { "aktivt" }
                );
            }
            Ok(())
        }
        Command::Demo { seed, year, reports_per_year, years } => {
            let store = Store::open(&cli.database, rules(&cli)?)?;
            if store.count()? > 0 {
                bail!("databasen innehåller redan händelser: demodata läses bara in i en tom databas");
            }
            let year = year.unwrap_or_else(|| local_date(now).year_ce().1 as i32 - 1);
            fill_demo(&store, *seed, year, *reports_per_year, *years, now)?;
            store.close();
            Ok(())
        }
        Command::Import { file } => {
            let store = Store::open(&cli.database, rules(&cli)?)?;
            let f = std::fs::File::open(file).with_context(|| format!("kan inte öppna {}", file.display()))?;
            let report = store.import(BufReader::new(f))?;
            println!("Importerade {} händelser.", report.events);
            Ok(())
        }
        Command::Export { output } => {
            log_export(&cli, now)?;
            let mut store = skyndsam_store::open_backend(&cli.database)?;
            let n = match output {
                Some(path) => {
                    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
                    let n = skyndsam_store::export_backend(&mut *store, &mut f)?;
                    f.flush()?;
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    let n = skyndsam_store::export_backend(&mut *store, &mut lock)?;
                    lock.flush()?;
                    n
                }
            };
            eprintln!("Exporterade {n} händelser.");
            Ok(())
        }
        Command::Deadlines { unit, at, json, quality } => {
            let store = Store::open(&cli.database, rules(&cli)?)?;
            let at_time: DateTime<Utc> = match at {
                Some(d) => start_of_local_day(*d) + chrono::Duration::hours(12),
                None => now,
            };
            deadlines(&store, unit.as_deref(), at_time, *json, *quality)
        }
        Command::Verify { json } => {
            let mut backend = skyndsam_store::open_backend(&cli.database)?;
            let r = skyndsam_store::verify_backend(&mut *backend)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                match &r.broken {
                    None => println!(
                        "Journalen är obruten: {} händelser kontrollerade. Senaste kontrollsumma: {}",
                        r.checked,
                        r.head.as_deref().unwrap_or("–")
                    ),
                    Some(b) => println!("Journalen är bruten vid händelse {}: {}.", b.seq, b.message),
                }
            }
            if r.broken.is_some() {
                std::process::exit(2);
            }
            Ok(())
        }
    }
}

use chrono::Datelike;

/// An export of the journal is a read of every person's record: each is written to the
/// access log (as the operator) before anything is exported.
fn log_export(cli: &Cli, now: DateTime<Utc>) -> Result<()> {
    let store = Store::open(&cli.database, rules(cli)?)?;
    let by = std::env::var("USER").unwrap_or_else(|_| "okänd".into());
    let entries: Vec<AccessEntry> = store
        .projections()
        .persons()
        .map(|p| AccessEntry {
            at: now,
            staff: skyndsam_domain::ids::StaffId::system(),
            role: skyndsam_domain::org::Role::System,
            unit: None,
            person: p.id,
            case: None,
            action: AccessAction::Export,
            basis: AccessBasis::Operator,
            reason: Some(format!("export av journalen från kommandoraden (operatör {by})")),
            correlation: "cli-export".into(),
        })
        .collect();
    store.close();
    SecurityStore::open(&cli.database)?.log(entries, Vec::new())?;
    Ok(())
}

/// Demo accounts: one per member of staff (username = staff id), sharing one random
/// password printed once. Only for a fresh demo database.
fn demo_accounts(app: &skyndsam_web::App, now: DateTime<Utc>) -> Result<()> {
    use rand::Rng;
    let password: String =
        rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(16).map(char::from).collect();
    let mut staff: Vec<skyndsam_domain::ids::StaffId> = app.store.projections().org.staff.keys().cloned().collect();
    staff.sort();
    for s in &staff {
        app.auth
            .add_account(&app.security, s.as_str(), s.clone(), &password, now, "demo")
            .map_err(|e| anyhow::anyhow!(e.message))?;
    }
    eprintln!(
        "Demokonton: {} st (användarnamn = personal-id, t.ex. {}), gemensamt lösenord: {password}",
        staff.len(),
        staff.first().map(|s| s.as_str()).unwrap_or("–")
    );
    Ok(())
}

fn fill_demo(store: &Store, seed: u64, year: i32, reports_per_year: u32, years: u32, now: DateTime<Utc>) -> Result<()> {
    let cfg = skyndsam_demo::Config { seed, year, years, reports_per_year, as_of: now };
    let started = std::time::Instant::now();
    let (events, stats) = skyndsam_demo::generate(&cfg, store.rules())?;
    let mut it = events.into_iter().peekable();
    while it.peek().is_some() {
        let chunk: Vec<_> = it.by_ref().take(5000).collect();
        store.append(AppendRequest::new(chunk))?;
    }
    eprintln!(
        "Demokommunen skapad på {:.1} s: {} aktualiseringar om {} barn, {} förhandsbedömningar ({:.0} % efter 14 dagar), {} avslutade utredningar ({:.0} % över 4 månader); {} avvikelser rapporterade av personal och {} upptäckta av systemet, {} lex Sarah, {} synpunkter och klagomål; {} händelser.",
        started.elapsed().as_secs_f64(),
        stats.reports,
        stats.children,
        stats.preliminary_decided,
        pct(stats.preliminary_over_14_days, stats.preliminary_decided),
        stats.investigations_closed,
        pct(stats.investigations_over_4_months, stats.investigations_closed),
        stats.deviations,
        stats.deviations_detected,
        stats.lex_sarah,
        stats.complaints,
        stats.events
    );
    Ok(())
}

/// `skyndsam indicators`: folds the journal into the report crate's fact table and prints.
fn indicators(cli: &Cli, a: &IndicatorsArgs, today: NaiveDate) -> Result<()> {
    use skyndsam_report::render::{command_output, Output};
    let rules = rules(cli)?;
    let table = match &a.indicators {
        Some(path) => skyndsam_report::IndicatorTable::from_toml(
            &std::fs::read_to_string(path).with_context(|| format!("kan inte läsa {}", path.display()))?,
        )?,
        None => skyndsam_report::IndicatorTable::defaults()?,
    };
    let facts = facts_of(cli, &rules, Some(a.at.unwrap_or(today)))?;
    let report = skyndsam_report::Report::new(&facts, &rules, &table, a.at.unwrap_or(today));
    let output = if a.kolada {
        Output::Kolada
    } else if a.json {
        Output::Json
    } else {
        Output::Table
    };
    print!("{}", command_output(&report, &a.period, a.unit.as_deref(), output, &a.municipality)?);
    Ok(())
}

/// The facts of every case and quality matter in the journal (one scan); with `inspect`,
/// also every case's self-inspection answers as of that date (DOK-*).
fn facts_of(
    cli: &Cli,
    rules: &skyndsam_domain::rules::RuleTable,
    inspect: Option<NaiveDate>,
) -> Result<skyndsam_report::FactTable> {
    let mut backend = skyndsam_store::open_backend(&cli.database)?;
    let mut builder = skyndsam_report::FactsBuilder::new(rules);
    if let Some(as_of) = inspect {
        builder = builder.with_self_inspection(skyndsam_domain::checks::Questionnaire::defaults()?, as_of);
    }
    backend.scan(1, &mut |body, hash| {
        builder.push(skyndsam_store::parse_body(body, hash)?);
        Ok(())
    })?;
    Ok(builder.finish())
}

fn report(cli: &Cli, a: &ReportArgs, today: NaiveDate) -> Result<()> {
    use skyndsam_report::documents;
    let rules = rules(cli)?;
    let table = skyndsam_report::IndicatorTable::defaults()?;
    let facts = facts_of(cli, &rules, Some(a.at.unwrap_or(today)))?;
    let r = skyndsam_report::Report::new(&facts, &rules, &table, a.at.unwrap_or(today));
    let mut f = skyndsam_report::Filter::all();
    if let Some(u) = &a.unit {
        f.unit = Some(r.unit(u)?);
    }
    let text: documents::Narratives = match &a.narratives {
        Some(p) => {
            toml::from_str(&std::fs::read_to_string(p).with_context(|| format!("kan inte läsa {}", p.display()))?)?
        }
        None => documents::Narratives::default(),
    };
    let doc = documents::build(&r, &a.kind, a.year, a.part, &f, &text)?;
    let bytes = match a.format.as_str() {
        "html" => skyndsam_report::html::page_html(&doc).into_bytes(),
        "docx" => skyndsam_report::docx::to_docx(&doc)?,
        "pdf" => skyndsam_report::pdf::to_pdf(&doc),
        other => bail!("okänt format {other}: välj html, docx eller pdf"),
    };
    match &a.output {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("kan inte skriva {}", p.display()))?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
    }
    Ok(())
}

fn extract(cli: &Cli, a: &ExtractArgs, today: NaiveDate) -> Result<()> {
    let key = std::env::var("SKYNDSAM_EXPORT_KEY")
        .context("exportnyckeln saknas: sätt miljövariabeln SKYNDSAM_EXPORT_KEY (minst 16 tecken)")?;
    let rules = rules(cli)?;
    let facts = facts_of(cli, &rules, None)?;
    let range = skyndsam_report::Period::parse(&a.period)?.months(a.at.unwrap_or(today));
    let e = skyndsam_report::extract::analysis_extract(&facts, range, key.as_bytes(), a.k)?;
    match (a.format, &a.output) {
        (ExtractFormat::Csv, Some(p)) => std::fs::write(p, skyndsam_report::extract::to_csv(&e))
            .with_context(|| format!("kan inte skriva {}", p.display()))?,
        (ExtractFormat::Csv, None) => print!("{}", skyndsam_report::extract::to_csv(&e)),
        (ExtractFormat::Parquet, Some(p)) => std::fs::write(p, skyndsam_report::parquet_file::to_parquet(&e)?)
            .with_context(|| format!("kan inte skriva {}", p.display()))?,
        (ExtractFormat::Parquet, None) => bail!("Parquet skrivs till en fil: ange -o FIL.parquet"),
    }
    eprintln!(
        "{} rader; undertryckta värden: enhet {}, kön {}, åldersgrupp {}, månad {} (k = {})",
        e.rows.len(),
        e.suppressed[2],
        e.suppressed[3],
        e.suppressed[4],
        e.suppressed[5],
        e.k
    );
    Ok(())
}

fn compare(cli: &Cli, a: &CompareArgs, today: NaiveDate) -> Result<()> {
    let rules = rules(cli)?;
    let table = skyndsam_report::IndicatorTable::defaults()?;
    let dok = a.indicator.trim().to_ascii_uppercase().starts_with("DOK");
    let facts = facts_of(cli, &rules, dok.then(|| a.at.unwrap_or(today)))?;
    let r = skyndsam_report::Report::new(&facts, &rules, &table, a.at.unwrap_or(today));
    let Some(ind) = skyndsam_report::Ind::parse(&a.indicator) else {
        bail!("indikatorn {} finns inte", a.indicator);
    };
    let period = skyndsam_report::Period::parse(&a.period)?;
    let parent = a.unit.as_deref().map(|u| r.unit(u)).transpose()?;
    let index: std::collections::HashMap<String, f64> = match &a.social_index {
        Some(p) => {
            toml::from_str(&std::fs::read_to_string(p).with_context(|| format!("kan inte läsa {}", p.display()))?)?
        }
        None => Default::default(),
    };
    let rows = skyndsam_report::compare::compare(&r, ind, &period, parent, &skyndsam_report::Filter::all(), &index);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let f = |x: Option<f64>| x.map_or_else(|| "–".to_owned(), skyndsam_report::documents::num1);
    println!("{} — {}", a.indicator, period.label_sv(r.as_of));
    println!("{:<32} {:>9} {:>9} {:>9} {:>9} {:>9}", "enhet", "värde", "nämnare", "index", "förväntat", "skillnad");
    for x in rows {
        println!(
            "{:<32} {:>9} {:>9} {:>9} {:>9} {:>9}",
            x.unit_name,
            f(x.value),
            x.denominator.map_or_else(|| "–".to_owned(), |d| d.to_string()),
            f(x.social_index),
            f(x.expected),
            f(x.deviation)
        );
    }
    Ok(())
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn deadlines(store: &Store, unit: Option<&str>, now: DateTime<Utc>, json: bool, quality: bool) -> Result<()> {
    let p = store.projections();
    let units: Vec<UnitId> = match unit {
        Some(u) => {
            let id = UnitId::parse(u)?;
            if p.org.unit(&id).is_none() {
                bail!("enheten {u} finns inte");
            }
            p.org.subtree(&id)
        }
        None => p.org.units.keys().cloned().collect(),
    };
    let rows = p.deadline_book(&units, now);
    // The quality clocks of the units' matters (and, without --unit, the control plans').
    let quality_rows = p.quality_book(|d| d.unit.as_ref().map_or(unit.is_none(), |u| units.contains(u)));
    let today = local_date(now);
    if json && quality {
        let out: Vec<serde_json::Value> = quality_rows
            .iter()
            .map(|d| {
                serde_json::json!({
                    "matter": d.stream,
                    "deadline": d.kind,
                    "name": d.kind.label_sv(),
                    "last_day": d.last_day,
                    "state": d.state(p.rules(), today),
                    "unit": d.unit,
                    "owner": d.owner,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let c = p.case(&r.case);
                serde_json::json!({
                    "case": r.case,
                    "deadline": r.kind,
                    "name": r.kind.label_sv(),
                    "last_day": r.last_day,
                    "due_at": r.due_at,
                    "state": r.state,
                    "unit": c.map(|c| c.unit.as_str()),
                    "handler": c.and_then(|c| c.handler.as_ref().map(|h| h.as_str())),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("Fristbok per {} — {} väntande frister", local_date(now), rows.len());
    println!("{:<10}  {:<18}  {:<30}  {:<22}  {:<20}  ärende", "sista dag", "status", "frist", "enhet", "handläggare");
    for r in &rows {
        let c = p.case(&r.case);
        println!(
            "{:<10}  {:<18}  {:<30}  {:<22}  {:<20}  {}",
            r.last_day,
            r.state.label_sv(),
            r.kind.label_sv(),
            c.map(|c| c.unit.as_str()).unwrap_or("–"),
            c.and_then(|c| c.handler.as_ref().map(|h| h.as_str())).unwrap_or("ej fördelat"),
            r.case
        );
    }
    println!();
    println!("Kvalitetsfrister — {} väntande", quality_rows.len());
    println!("{:<10}  {:<18}  {:<30}  {:<22}  {:<20}  ärende", "sista dag", "status", "frist", "enhet", "ansvarig");
    for d in &quality_rows {
        println!(
            "{:<10}  {:<18}  {:<30}  {:<22}  {:<20}  {}",
            d.last_day,
            d.state(p.rules(), today).label_sv(),
            d.kind.label_sv(),
            d.unit.as_ref().map(|u| u.as_str()).unwrap_or("–"),
            d.owner.as_ref().map(|o| o.as_str()).unwrap_or("ej utsedd"),
            d.stream
        );
    }
    Ok(())
}
