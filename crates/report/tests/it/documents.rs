//! The reports as documents: the .docx and the PDF are read back with independent readers
//! (roxmltree on the .docx's XML, lopdf's text extraction on the PDF) and the indicator
//! tables are found in them; the HTML's charts carry their data tables.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;

use skyndsam_domain::rules::RuleTable;
use skyndsam_report::catalogue::IndicatorTable;
use skyndsam_report::compute::Filter;
use skyndsam_report::documents::{self, Block, Narratives};
use skyndsam_report::{FactTable, FactsBuilder, Report};

use crate::fixture::*;

struct Env {
    rules: RuleTable,
    table: IndicatorTable,
    facts: FactTable,
}

fn env() -> Env {
    let rules = RuleTable::defaults().unwrap();
    let mut b = FactsBuilder::new(&rules);
    for e in journal() {
        b.push(e);
    }
    let facts = b.finish();
    Env { rules, table: IndicatorTable::defaults().unwrap(), facts }
}

/// The text runs of a .docx, paragraph by paragraph (table cells are paragraphs).
fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for part in ["[Content_Types].xml", "_rels/.rels", "word/styles.xml"] {
        let mut s = String::new();
        z.by_name(part).unwrap().read_to_string(&mut s).unwrap();
        roxmltree::Document::parse(&s).unwrap_or_else(|e| panic!("{part} is not well-formed XML: {e}"));
    }
    let mut xml = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "p")
        .map(|p| p.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|t| t.text()).collect::<String>())
        .collect()
}

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    doc.extract_text(&pages).unwrap()
}

#[test]
fn the_annual_statistics_read_back_from_docx_and_pdf_hold_the_indicator_table() {
    let e = env();
    let r = Report::new(&e.facts, &e.rules, &e.table, as_of());
    let doc = documents::annual_report(&r, 2025, &Filter::all());

    // The fixture's FB14 for 2025 (fixture.rs): 4 of 6 decided within 14 days = 66,7 %.
    let fb14 = r.value(skyndsam_report::Ind::Fb14, &skyndsam_report::Period::Year { year: 2025 }, &Filter::all());
    let fb14_text = skyndsam_report::render::value_sv(&fb14);
    let (num, den) = (fb14.numerator.unwrap().to_string(), fb14.denominator.unwrap().to_string());

    let paragraphs = docx_paragraphs(&documents_docx(&doc));
    assert!(paragraphs.iter().any(|p| p == "Verksamhetsberättelse 2025 — statistik"));
    // The table: header cells, then the FB14 row's cells in order.
    let at = paragraphs.iter().position(|p| p.starts_with("FB14 ")).expect("no FB14 row in the .docx");
    assert_eq!(&paragraphs[at + 1..at + 4], &[fb14_text.clone(), num.clone(), den.clone()]);
    for h in ["Indikator", "Värde", "Täljare", "Nämnare", "Etappmål", "Lagkrav"] {
        assert!(paragraphs.iter().any(|p| p == h), "header {h} missing");
    }

    let text = pdf_text(&skyndsam_report::pdf::to_pdf(&doc));
    assert!(text.contains("Verksamhetsberättelse 2025"), "{text}");
    assert!(text.contains("Andel förhandsbedömningar inom 14 dagar"));
    assert!(text.contains(&fb14_text), "FB14's value {fb14_text} not in the PDF");
    assert!(text.contains("Täljare") && text.contains("Nämnare"));
}

fn documents_docx(d: &documents::Doc) -> Vec<u8> {
    skyndsam_report::docx::to_docx(d).unwrap()
}

#[test]
fn the_ivo_list_has_the_late_foster_home_and_the_contact_person_never_started() {
    let e = env();
    let r = Report::new(&e.facts, &e.rules, &e.table, as_of());
    // Case D: both granted 2025-07-01; the foster home started 10-10 (after three months),
    // the contact person never started (fixture.rs).
    let rows = documents::unenforced(&r, 2025, 4, &Filter::all());
    let got: Vec<(&str, &str)> = rows.iter().map(|x| (x.intervention.as_str(), x.status)).collect();
    assert_eq!(got, vec![("kontaktperson", "ej verkställt"), ("familjehem", "verkställt efter tre månader")]);
    assert_eq!(rows[1].days, 101);
    assert!(rows.iter().all(|x| x.sex == "flicka" && x.age_band == "13–17"));
    // In the third quarter neither was past three months yet.
    assert!(documents::unenforced(&r, 2025, 3, &Filter::all()).is_empty());

    let doc = documents::ivo_report(&r, 2025, 4, &Filter::all());
    let paragraphs = docx_paragraphs(&documents_docx(&doc));
    let at = paragraphs.iter().position(|p| p == "Avslutade beslut").unwrap();
    assert_eq!(&paragraphs[at + 1..at + 4], &["1".to_owned(), "1".to_owned(), "0".to_owned()]);
    let text = pdf_text(&skyndsam_report::pdf::to_pdf(&doc));
    assert!(text.contains("kontaktperson") && text.contains("familjehem"));
}

#[test]
fn the_quality_report_says_plainly_what_is_not_there_yet() {
    let e = env();
    let r = Report::new(&e.facts, &e.rules, &e.table, as_of());
    let text =
        Narratives { introduction: Some("Året präglades av ett nytt ärendesystem.".into()), ..Default::default() };
    let doc = documents::quality_report(&r, 2025, &Filter::all(), &text);
    let headings: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    for h in [
        "Inledning",
        "Myndighetsutövning inom barn och unga",
        "Rapporterade avvikelser",
        "Lex Sarah",
        "Utvecklingsområden",
    ] {
        assert!(headings.contains(&h), "no section {h}");
    }
    let paragraphs = docx_paragraphs(&documents_docx(&doc));
    assert!(paragraphs.iter().any(|p| p == "Året präglades av ett nytt ärendesystem."));
    // The fixture holds no deviation: the section says so instead of showing a table of zeros.
    let dev = paragraphs.iter().position(|p| p == "Rapporterade avvikelser").unwrap();
    assert_eq!(paragraphs[dev + 1], "Inga avvikelser är registrerade i Skyndsam.");
    // Self-inspection answers were not asked for with these facts: said plainly.
    assert!(paragraphs.iter().any(|p| p.starts_with("Uppgifter saknas: Egenkontrollens svar (DOK-*)")));
    // A narrative not written is marked as such.
    assert!(paragraphs.iter().any(|p| p.contains("Bedömningen av kvalitet är inte skrivet ännu")));
}

#[test]
fn every_chart_in_the_html_has_a_title_and_its_data_table() {
    let e = env();
    let r = Report::new(&e.facts, &e.rules, &e.table, as_of());
    let doc = documents::annual_report(&r, 2025, &Filter::all());
    let charts = doc.blocks.iter().filter(|b| matches!(b, Block::Chart(_))).count();
    assert!(charts >= 2);
    let html = skyndsam_report::html::page_html(&doc);
    assert_eq!(html.matches("<svg").count(), charts);
    assert_eq!(html.matches("role=\"img\"").count(), charts);
    assert_eq!(html.matches("<caption>Data i diagrammet").count(), charts);
    assert!(
        !html.contains("http://")
            || html.matches("http://").count() == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "an external resource in the page"
    );
    // Well-formed enough for an XML parser: the SVG fragments parse on their own.
    for svg in html.split("<svg").skip(1) {
        let frag = format!("<svg{}", &svg[..svg.find("</svg>").unwrap() + 6]);
        roxmltree::Document::parse(&frag).unwrap();
    }
}
