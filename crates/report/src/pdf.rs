//! A [`Doc`] as a PDF (1.4), written by hand: A4, Helvetica in WinAnsiEncoding (which holds
//! å, ä, ö and the en dash), headings, wrapped paragraphs, and tables whose header row is
//! repeated on every page. A chart is given as its data table. The PDF is for printing and
//! filing; it is not a tagged PDF (the HTML page is the accessible version).

use crate::documents::{Block, Doc, Table};

const PAGE_W: f64 = 595.28;
const PAGE_H: f64 = 841.89;
const MARGIN: f64 = 50.0;
const BODY: f64 = 10.0;

/// Helvetica's advance widths (per 1000 em) for the characters that matter; others ≈ 556.
fn width_of(c: char) -> f64 {
    let w = match c {
        ' ' | ',' | '.' | '/' | ':' | ';' | '!' | 'i' | 'j' | 'l' | '|' | '\'' => 278,
        'f' | 't' | 'I' | '(' | ')' | '[' | ']' | '-' | 'r' => 333,
        'm' => 833,
        'w' | '%' | 'M' => 889,
        'W' => 944,
        'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' | 'Å' | 'Ä' => 667,
        'C' | 'D' | 'H' | 'N' | 'R' | 'U' => 722,
        'G' | 'O' | 'Q' | 'Ö' => 778,
        'F' | 'T' | 'Z' => 611,
        'J' | 'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' => 500,
        'L' | '–' => 556,
        _ => 556,
    };
    f64::from(w) / 1000.0
}

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(width_of).sum::<f64>() * size
}

/// The string in WinAnsiEncoding as a PDF literal (escaped; bytes ≥ 128 as octal).
fn literal(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        let b: Vec<u8> = match c {
            '(' | ')' | '\\' => vec![b'\\', c as u8],
            ' '..='~' => vec![c as u8],
            '\u{a0}'..='\u{ff}' => vec![c as u32 as u8],
            '–' => vec![0x96],
            '—' => vec![0x97],
            '’' => vec![0x92],
            '“' => vec![0x93],
            '”' => vec![0x94],
            '…' => vec![0x85],
            '•' => vec![0x95],
            '€' => vec![0x80],
            '↑' => b"upp".to_vec(),
            '↓' => b"ned".to_vec(),
            '≤' => b"<=".to_vec(),
            '≥' => b">=".to_vec(),
            _ => vec![b'?'],
        };
        for byte in b {
            if byte >= 0x80 {
                out.push_str(&format!("\\{byte:03o}"));
            } else {
                out.push(char::from(byte));
            }
        }
    }
    out.push(')');
    out
}

/// Splits `s` into lines no wider than `width` at `size`.
fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() { word.to_owned() } else { format!("{cur} {word}") };
        if text_width(&candidate, size) <= width || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_owned();
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

struct Pages {
    done: Vec<String>,
    cur: String,
    y: f64,
}

impl Pages {
    fn new() -> Self {
        Self { done: Vec::new(), cur: String::new(), y: PAGE_H - MARGIN }
    }
    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.cur));
        self.y = PAGE_H - MARGIN;
    }
    /// Makes room for `h` points, starting a page when needed; true if it did.
    fn room(&mut self, h: f64) -> bool {
        if self.y - h < MARGIN && !self.cur.is_empty() {
            self.new_page();
            return true;
        }
        false
    }
    fn text_at(&mut self, x: f64, y: f64, s: &str, size: f64, bold: bool) {
        let font = if bold { "F2" } else { "F1" };
        self.cur.push_str(&format!("BT /{font} {size} Tf {x:.2} {y:.2} Td {} Tj ET\n", literal(s)));
    }
    fn rule(&mut self, y: f64) {
        self.cur.push_str(&format!("0.5 w 0.55 G {MARGIN:.2} {y:.2} m {:.2} {y:.2} l S\n", PAGE_W - MARGIN));
    }
    fn lines(&mut self, text: &str, size: f64, bold: bool, gap_after: f64) {
        let leading = size * 1.3;
        for l in wrap(text, size, PAGE_W - 2.0 * MARGIN) {
            self.room(leading);
            self.y -= leading;
            self.text_at(MARGIN, self.y, &l, size, bold);
        }
        self.y -= gap_after;
    }
    fn table(&mut self, t: &Table) {
        let size = 8.5;
        let leading = size * 1.25;
        let usable = PAGE_W - 2.0 * MARGIN;
        let cols = t.header.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        // Column widths from content, scaled to the page.
        let mut want = vec![20.0_f64; cols];
        for r in std::iter::once(&t.header).chain(&t.rows) {
            for (i, c) in r.iter().enumerate().take(cols) {
                want[i] = want[i].max(text_width(c, size).min(usable * 0.45) + 6.0);
            }
        }
        let total: f64 = want.iter().sum();
        let widths: Vec<f64> = want.iter().map(|w| w * usable / total.max(usable)).collect();
        self.room(40.0);
        self.lines(&t.caption, 9.5, true, 2.0);
        let measure = |row: &[String]| -> (Vec<Vec<String>>, f64) {
            let cells: Vec<Vec<String>> =
                (0..cols).map(|i| wrap(row.get(i).map_or("", String::as_str), size, widths[i] - 6.0)).collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f64 * leading + 4.0;
            (cells, h)
        };
        let (head, head_h) = measure(&t.header);
        self.room(head_h);
        self.put_row(&head, &widths, head_h, leading, size, true);
        for r in &t.rows {
            let (cells, h) = measure(r);
            if self.room(h) {
                // A new page repeats the header row.
                self.put_row(&head, &widths, head_h, leading, size, true);
            }
            self.put_row(&cells, &widths, h, leading, size, false);
        }
        self.y -= 10.0;
    }
    fn put_row(&mut self, cells: &[Vec<String>], widths: &[f64], h: f64, leading: f64, size: f64, bold: bool) {
        let top = self.y;
        let mut x = MARGIN;
        for (i, lines) in cells.iter().enumerate() {
            for (k, l) in lines.iter().enumerate() {
                self.text_at(x + 3.0, top - 2.0 - leading * (k as f64 + 1.0) + 2.0, l, size, bold);
            }
            x += widths.get(i).copied().unwrap_or(0.0);
        }
        self.y = top - h;
        self.rule(self.y);
    }
    fn finish(mut self) -> Vec<String> {
        if !self.cur.is_empty() || self.done.is_empty() {
            self.done.push(self.cur);
        }
        self.done
    }
}

/// The page content streams of `d`.
fn layout(d: &Doc) -> Vec<String> {
    let mut p = Pages::new();
    p.lines(&d.title, 20.0, true, 4.0);
    p.lines(&d.subtitle, 11.0, false, 10.0);
    for b in &d.blocks {
        match b {
            Block::Heading { text } => {
                p.room(60.0);
                p.y -= 6.0;
                p.lines(text, 14.0, true, 4.0);
            }
            Block::Paragraph { text } => p.lines(text, BODY, false, 6.0),
            Block::Missing { text } => p.lines(&format!("Uppgifter saknas: {text}"), BODY, false, 6.0),
            Block::Table(t) => p.table(t),
            Block::Chart(c) => p.table(&c.data_table()),
        }
    }
    p.finish()
}

/// The PDF file.
pub fn to_pdf(d: &Doc) -> Vec<u8> {
    let pages = layout(d);
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then (page, content) per page.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R /Lang (sv-SE) >>".into());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into());
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".into());
    objects.push(format!("<< /Title {} /Producer (Skyndsam) >>", literal(&d.title)));
    for (i, content) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            7 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_are_winansi_and_brackets_are_escaped() {
        assert_eq!(literal("Åäö (x)"), "(\\305\\344\\366 \\(x\\))");
        assert_eq!(literal("1–2"), "(1\\2262)");
    }

    #[test]
    fn long_text_wraps_within_the_width() {
        let s = "Andel förhandsbedömningar inom 14 dagar ".repeat(10);
        for l in wrap(&s, 10.0, 200.0) {
            assert!(text_width(&l, 10.0) <= 200.0, "{l}");
        }
    }
}
