//! A [`Doc`] as an HTML fragment (for a page and for print), with each chart as an inline
//! SVG that is legible in print and to screen readers: `role="img"`, a title and a
//! description, and the chart's data as a table right after it.

use crate::documents::{Block, Chart, Doc, Table};

/// Escapes text for HTML and XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn table_html(t: &Table) -> String {
    let mut h = String::from("<table>\n");
    h.push_str(&format!("<caption>{}</caption>\n<thead><tr>", esc(&t.caption)));
    for c in &t.header {
        h.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        h.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                h.push_str(&format!("<th scope=\"row\">{}</th>", esc(c)));
            } else {
                h.push_str(&format!("<td>{}</td>", esc(c)));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// Patterns as well as colours tell the series apart (colour-blind readers, black-and-white print).
const FILLS: [(&str, &str); 4] =
    [("#1f4e79", "none"), ("#c55a11", "url(#p1)"), ("#548235", "url(#p2)"), ("#7f6000", "none")];

/// A grouped bar chart as SVG (values 0–max, a reference line, a legend).
pub fn chart_svg(c: &Chart) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 300.0_f64, 48.0_f64, 40.0_f64, 24.0_f64);
    let plot_h = h - bottom - top;
    let max = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .chain(c.reference.as_ref().map(|r| r.0))
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let y = |v: f64| top + plot_h * (1.0 - v / max);
    let groups = c.labels.len().max(1) as f64;
    let group_w = (w - left - 8.0) / groups;
    let bar_w = (group_w * 0.8) / (c.series.len().max(1) as f64);
    let id = format!("c{:x}", fxhash(&c.title));
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}t {id}d\" \
         class=\"chart\">\n<title id=\"{id}t\">{}</title>\n<desc id=\"{id}d\">Stapeldiagram. Värdena finns i tabellen under diagrammet.</desc>\n\
         <defs><pattern id=\"p1\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#c55a11\"/><path d=\"M0 6L6 0\" stroke=\"#fff\" stroke-width=\"1.5\"/></pattern>\
         <pattern id=\"p2\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#548235\"/><circle cx=\"3\" cy=\"3\" r=\"1.2\" fill=\"#fff\"/></pattern></defs>\n",
        esc(&c.title)
    );
    // Axis and gridlines at 0, 50 % and 100 % of max.
    for f in [0.0, 0.5, 1.0] {
        let v = max * f;
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#bbb\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
            w - 4.0,
            left - 4.0,
            y(v) + 4.0,
            esc(&format!("{} {}", crate::documents::num1(v), c.unit)),
            y = y(v)
        ));
    }
    for (gi, label) in c.labels.iter().enumerate() {
        let gx = left + group_w * gi as f64 + group_w * 0.1;
        for (si, series) in c.series.iter().enumerate() {
            let (colour, pattern) = FILLS[si % FILLS.len()];
            let fill = if pattern == "none" { colour } else { pattern };
            if let Some(v) = series.values.get(gi).copied().flatten() {
                let x = gx + bar_w * si as f64;
                s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"{colour}\"><title>{}: {} {}</title></rect>\n",
                    y(v),
                    (bar_w - 2.0).max(1.0),
                    (top + plot_h - y(v)).max(0.0),
                    esc(&series.name),
                    esc(label),
                    esc(&format!("{} {}", crate::documents::num1(v), c.unit))
                ));
            }
        }
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n",
            gx + group_w * 0.4,
            h - bottom + 16.0,
            esc(label)
        ));
    }
    if let Some((v, label)) = &c.reference {
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#000\" stroke-dasharray=\"6 3\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
            w - 4.0,
            w - 6.0,
            y(*v) - 4.0,
            esc(label),
            y = y(*v)
        ));
    }
    // Legend.
    for (si, series) in c.series.iter().enumerate() {
        let (colour, pattern) = FILLS[si % FILLS.len()];
        let fill = if pattern == "none" { colour } else { pattern };
        let x = left + 110.0 * si as f64;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{fill}\" stroke=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>\n",
            h - 16.0,
            x + 16.0,
            h - 6.0,
            esc(&series.name)
        ));
    }
    s.push_str("</svg>\n");
    s
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The document as an HTML fragment (an `<article>`), for a page or for print.
pub fn doc_html(d: &Doc) -> String {
    let mut h = format!(
        "<article class=\"report\">\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n",
        esc(&d.title),
        esc(&d.subtitle)
    );
    for b in &d.blocks {
        match b {
            Block::Heading { text } => h.push_str(&format!("<h2>{}</h2>\n", esc(text))),
            Block::Paragraph { text } => h.push_str(&format!("<p>{}</p>\n", esc(text))),
            Block::Missing { text } => {
                h.push_str(&format!("<p class=\"missing\"><strong>Uppgifter saknas:</strong> {}</p>\n", esc(text)))
            }
            Block::Table(t) => h.push_str(&table_html(t)),
            Block::Chart(c) => {
                h.push_str("<figure>\n");
                h.push_str(&chart_svg(c));
                h.push_str(&table_html(&c.data_table()));
                h.push_str("</figure>\n");
            }
        }
    }
    h.push_str("</article>\n");
    h
}

/// A whole printable HTML page (no scripts, no external resources).
pub fn page_html(d: &Doc) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
         body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}}\n\
         table{{border-collapse:collapse;margin:1rem 0;width:100%}}caption{{text-align:left;font-weight:600;padding:.25rem 0}}\n\
         th,td{{border:1px solid #888;padding:.25rem .5rem;text-align:left}}td{{font-variant-numeric:tabular-nums}}\n\
         .missing{{border-left:4px solid #7f6000;padding-left:.5rem}}svg.chart{{max-width:100%;height:auto}}\n\
         @media print{{figure,table{{break-inside:avoid}}}}\n</style>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
        esc(&d.title),
        doc_html(d)
    )
}
