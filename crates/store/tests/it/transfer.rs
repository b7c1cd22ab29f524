use crate::fixture::*;
use skyndsam_store::StoreError;

fn export(store: &skyndsam_store::Store) -> String {
    let mut out = Vec::new();
    store.export(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn export_then_import_into_an_empty_database_reproduces_the_same_journal() {
    let sources = backends();
    for src in &sources {
        let store = open(src);
        seed(&store);
        let text = export(&store);
        let head = store.verify().unwrap().head;
        // Into every backend, including across backends.
        for dst in backends() {
            let target = open(&dst);
            let report = target.import(text.as_bytes()).unwrap();
            assert_eq!(report.events as usize, text.lines().count());
            assert_eq!(export(&target), text, "{} → {}", src.label, dst.label);
            let v = target.verify().unwrap();
            assert!(v.broken.is_none());
            assert_eq!(v.head, head, "same hashes");
            let units: Vec<_> = store.projections().org.units.keys().cloned().collect();
            let now = at(2026, 3, 10, 12);
            assert_eq!(target.projections().deadline_book(&units, now), store.projections().deadline_book(&units, now));
        }
    }
}

#[test]
fn an_import_with_a_bad_line_names_the_line_and_writes_nothing() {
    for db in backends() {
        let store = open(&db);
        seed(&store);
        let text = export(&store);
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        // Line 4: an unknown field.
        lines[3] = lines[3].replacen("{\"seq\"", "{\"extra\":1,\"seq\"", 1);
        for dst in backends() {
            let target = open(&dst);
            let err = target.import(lines.join("\n").as_bytes()).unwrap_err();
            assert!(matches!(err, StoreError::Import { line: 4, .. }), "{err:?}");
            assert!(err.to_string().starts_with("Rad 4:"));
            assert_eq!(target.count().unwrap(), 0, "{}: all or nothing", dst.label);
        }
        // A changed value with the old hash: refused at that line.
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let idx = lines.iter().position(|l| l.contains("Våld mot barn.")).unwrap();
        let last = idx + 1;
        lines[idx] = lines[idx].replace("Våld mot barn.", "Ingen oro.");
        let target = open(&backends().remove(0));
        let err = target.import(lines.join("\n").as_bytes()).unwrap_err();
        assert!(matches!(err, StoreError::Import { line, .. } if line == last), "{err:?}");
        assert_eq!(target.count().unwrap(), 0);
    }
}

#[test]
fn a_conversion_without_hashes_is_sealed_on_import_and_never_echoes_record_content_in_errors() {
    let db = backends().remove(0);
    let store = open(&db);
    seed(&store);
    // Strip the chain fields: what a conversion from another case system looks like.
    let converted: Vec<String> = export(&store)
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            for k in ["seq", "version", "schema", "prev_hash", "hash"] {
                o.remove(k);
            }
            v.to_string()
        })
        .collect();
    let target = open(&backends().remove(0));
    target.import(converted.join("\n").as_bytes()).unwrap();
    assert!(target.verify().unwrap().broken.is_none());
    assert_eq!(target.projections().case_count(), 2);
    // A wrong type whose value is secret text: the error names the field, not the value.
    let idx = converted.iter().position(|l| l.contains("\"motivation\":\"Våld mot barn.\"")).unwrap();
    let bad = converted[idx].replace(
        "\"motivation\":\"Våld mot barn.\"",
        "\"motivation\":\"Våld mot barn.\",\"decided_on\":\"Elsa Exempelsson\"",
    );
    let fresh = open(&backends().remove(0));
    let mut lines = converted.clone();
    assert_ne!(bad, lines[idx]);
    lines[idx] = bad;
    let err = fresh.import(lines.join("\n").as_bytes()).unwrap_err().to_string();
    assert!(!err.contains("Elsa"), "{err}");
    // An event in the wrong stream is refused.
    let wrong = converted[0].replace("\"stream\":\"org\"", "\"stream\":\"case/00000000-0000-0000-0000-000000000064\"");
    let err = open(&backends().remove(0)).import(wrong.as_bytes()).unwrap_err();
    assert!(matches!(err, StoreError::Import { line: 1, .. }), "{err:?}");
}
