//! One-sheet .xlsx (SpreadsheetML, ECMA-376) written by hand and read back — the
//! municipalities run the file audit in Excel today, so a unit's sheet goes out to the area
//! meeting and comes back with corrections. The writer uses inline strings and a bold,
//! frozen header row; the reader understands what Excel and LibreOffice write back (shared
//! strings, inline strings, numbers, deflated parts).

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

use crate::html::esc;
use crate::ReportError;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf></cellXfs></styleSheet>"#;

fn fail(e: impl std::fmt::Display) -> ReportError {
    ReportError::Table(format!("Excelfilen: {e}"))
}

/// "A", "B" … "Z", "AA" … for a 0-based column.
pub fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + u8::try_from(i % 26).unwrap_or(0));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// 0-based column of a cell reference ("C12" → 2).
fn column_of(r: &str) -> Option<usize> {
    let letters: Vec<u8> = r.bytes().take_while(u8::is_ascii_alphabetic).collect();
    if letters.is_empty() {
        return None;
    }
    let mut n = 0usize;
    for b in letters {
        n = n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    Some(n - 1)
}

/// A one-sheet workbook: the first row is the header (bold, frozen). `widths` are column
/// widths in characters.
pub fn write(sheet_name: &str, rows: &[Vec<String>], widths: &[u16]) -> Result<Vec<u8>, ReportError> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#,
    );
    if !widths.is_empty() {
        sheet.push_str("<cols>");
        for (i, w) in widths.iter().enumerate() {
            sheet.push_str(&format!(r#"<col min="{n}" max="{n}" width="{w}" customWidth="1"/>"#, n = i + 1));
        }
        sheet.push_str("</cols>");
    }
    sheet.push_str("<sheetData>");
    for (ri, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, ri + 1));
        let style = if ri == 0 { 1 } else { 2 };
        for (ci, v) in row.iter().enumerate() {
            sheet.push_str(&format!(
                r#"<c r="{}{}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                column_name(ci),
                ri + 1,
                esc(v)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        esc(&sheet_name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect::<String>())
    );
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", RELS.to_owned()),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_owned()),
        ("xl/styles.xml", STYLES.to_owned()),
        ("xl/worksheets/sheet1.xml", sheet),
    ] {
        z.start_file(name, opts).map_err(fail)?;
        z.write_all(text.as_bytes()).map_err(fail)?;
    }
    Ok(z.finish().map_err(fail)?.into_inner())
}

fn part(z: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, ReportError> {
    let Ok(mut f) = z.by_name(name) else { return Ok(None) };
    if f.size() > 64 * 1024 * 1024 {
        return Err(fail("delen är för stor"));
    }
    let mut s = String::new();
    f.read_to_string(&mut s).map_err(fail)?;
    Ok(Some(s))
}

fn text_of(n: roxmltree::Node) -> String {
    // Rich text: the concatenation of every <t> below (phonetic runs <rPh> left out).
    n.descendants()
        .filter(|d| d.has_tag_name("t") && !d.ancestors().any(|a| a.has_tag_name("rPh")))
        .filter_map(|d| d.text())
        .collect()
}

/// The first sheet's cells as text, row by row (missing cells are empty strings; trailing
/// empty rows dropped).
pub fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReportError> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| fail("filen är inte en .xlsx-fil"))?;
    let workbook = part(&mut z, "xl/workbook.xml")?.ok_or_else(|| fail("arbetsboken saknas"))?;
    let wb = roxmltree::Document::parse(&workbook).map_err(fail)?;
    let first = wb.descendants().find(|n| n.has_tag_name("sheet")).ok_or_else(|| fail("inget blad"))?;
    let rid = first
        .attributes()
        .find(|a| a.name() == "id")
        .map(|a| a.value().to_owned())
        .ok_or_else(|| fail("bladet saknar id"))?;
    let rels = part(&mut z, "xl/_rels/workbook.xml.rels")?.ok_or_else(|| fail("relationerna saknas"))?;
    let rels = roxmltree::Document::parse(&rels).map_err(fail)?;
    let target = rels
        .descendants()
        .find(|n| n.has_tag_name("Relationship") && n.attribute("Id") == Some(rid.as_str()))
        .and_then(|n| n.attribute("Target"))
        .ok_or_else(|| fail("bladet hittas inte"))?;
    let path = match target.strip_prefix('/') {
        Some(abs) => abs.to_owned(),
        None => format!("xl/{target}"),
    };
    let shared: Vec<String> = match part(&mut z, "xl/sharedStrings.xml")? {
        Some(s) => {
            let d = roxmltree::Document::parse(&s).map_err(fail)?;
            d.root_element().children().filter(|n| n.has_tag_name("si")).map(text_of).collect()
        }
        None => Vec::new(),
    };
    let sheet = part(&mut z, &path)?.ok_or_else(|| fail("bladet saknas"))?;
    let d = roxmltree::Document::parse(&sheet).map_err(fail)?;
    let mut rows: HashMap<usize, Vec<String>> = HashMap::new();
    let mut last_row = 0usize;
    for (i, row) in d.descendants().filter(|n| n.has_tag_name("row")).enumerate() {
        let rn = row.attribute("r").and_then(|r| r.parse::<usize>().ok()).unwrap_or(i + 1);
        let mut cells: Vec<String> = Vec::new();
        for (j, c) in row.children().filter(|n| n.has_tag_name("c")).enumerate() {
            let col = c.attribute("r").and_then(column_of).unwrap_or(j);
            let v = c.children().find(|n| n.has_tag_name("v")).and_then(|n| n.text()).unwrap_or("");
            let value = match c.attribute("t") {
                Some("s") => v.parse::<usize>().ok().and_then(|k| shared.get(k).cloned()).unwrap_or_default(),
                Some("inlineStr") => c.children().find(|n| n.has_tag_name("is")).map(text_of).unwrap_or_default(),
                Some("b") => if v == "1" { "TRUE" } else { "FALSE" }.to_owned(),
                _ => v.to_owned(),
            };
            if col >= cells.len() {
                cells.resize(col + 1, String::new());
            }
            cells[col] = value;
        }
        if cells.iter().any(|c| !c.trim().is_empty()) {
            last_row = last_row.max(rn);
        }
        rows.insert(rn, cells);
    }
    Ok((1..=last_row).map(|r| rows.remove(&r).unwrap_or_default()).collect())
}
