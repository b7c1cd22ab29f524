//! The pseudonymised analysis extract: what an analyst receives carries no direct
//! identifier, links a child across cases only under the same export key, and has no
//! combination of indirect identifiers rarer than the threshold.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use skyndsam_domain::rules::RuleTable;
use skyndsam_report::extract::{analysis_extract, combinations, to_csv, COLUMNS, SUPPRESSED};
use skyndsam_report::{FactTable, FactsBuilder, Period};

use crate::fixture::*;

fn facts() -> FactTable {
    let rules = RuleTable::defaults().unwrap();
    let mut b = FactsBuilder::new(&rules);
    for e in journal() {
        b.push(e);
    }
    b.finish()
}

const KEY_A: &[u8] = b"forskningsprojekt-2026-nyckel-a";
const KEY_B: &[u8] = b"forskningsprojekt-2026-nyckel-b";

#[test]
fn no_direct_identifier_and_pseudonyms_stable_only_under_the_same_key() {
    let f = facts();
    let year = Period::Year { year: 2025 }.months(as_of());
    let a = analysis_extract(&f, year, KEY_A, 1).unwrap();
    let a2 = analysis_extract(&f, year, KEY_A, 1).unwrap();
    let b = analysis_extract(&f, year, KEY_B, 1).unwrap();
    assert_eq!(a.rows.len(), f.cases.len());
    assert_eq!(a, a2, "the same key must give the same extract");

    let csv = to_csv(&a);
    for c in &f.cases {
        assert!(!csv.contains(&c.case.to_string()), "a case id in the extract");
        assert!(!csv.contains(&c.child_id.to_string()), "a person id in the extract");
    }
    assert!(!csv.contains("2025-04-30"), "an exact date in the extract");
    assert!(csv.starts_with(&COLUMNS.join(",")));

    // Girl G2 has two cases (D and F): the same child pseudonym, two case pseudonyms.
    let d = f.cases.iter().position(|c| c.case == case(CASE_D)).unwrap();
    let fi = f.cases.iter().position(|c| c.case == case(CASE_F)).unwrap();
    assert_eq!(a.rows[d][0], a.rows[fi][0]);
    assert_ne!(a.rows[d][1], a.rows[fi][1]);
    // Under another key nothing links to the first extract.
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        assert_ne!(ra[0], rb[0]);
        assert_ne!(ra[1], rb[1]);
    }
    assert!(analysis_extract(&f, year, b"kort", 1).is_err(), "a short key is refused");
}

#[test]
fn no_combination_of_indirect_identifiers_is_rarer_than_the_threshold() {
    let f = facts();
    let year = Period::Year { year: 2025 }.months(as_of());
    for k in [2, 3, 5] {
        let e = analysis_extract(&f, year, KEY_A, k).unwrap();
        for (combo, n) in combinations(&e) {
            let all_gone = combo.iter().all(|v| v == SUPPRESSED);
            assert!(n >= k || all_gone, "k={k}: {combo:?} is shared by only {n} rows");
        }
        // With eight cases in different units and months, k=2 already suppresses.
        assert!(e.suppressed.iter().sum::<usize>() > 0, "k={k}: nothing was suppressed");
        // Only the indirect identifiers are ever suppressed; the figures stay.
        for r in &e.rows {
            for (i, v) in r.iter().enumerate() {
                if v == SUPPRESSED {
                    assert!([2, 3, 4, 5].contains(&i), "column {} suppressed", COLUMNS[i]);
                }
            }
        }
    }
    // k = 1 suppresses nothing.
    assert_eq!(analysis_extract(&f, year, KEY_A, 1).unwrap().suppressed, [0; 14]);
}

#[test]
fn the_parquet_file_holds_the_same_rows_as_the_csv_with_typed_figures_and_nulls() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::{Field, RowAccessor};
    let f = facts();
    let year = Period::Year { year: 2025 }.months(as_of());
    let e = analysis_extract(&f, year, KEY_A, 2).unwrap();
    let bytes = skyndsam_report::parquet_file::to_parquet(&e).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uttag.parquet");
    std::fs::write(&path, &bytes).unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.num_rows() as usize, e.rows.len());
    let kv = meta.key_value_metadata().unwrap();
    assert!(kv.iter().any(|k| k.key == "skyndsam.k" && k.value.as_deref() == Some("2")));
    let names: Vec<String> = meta.schema_descr().columns().iter().map(|c| c.name().to_owned()).collect();
    assert_eq!(names, COLUMNS.map(str::to_owned).to_vec());
    let mut nulls = 0;
    for (row, want) in reader.get_row_iter(None).unwrap().zip(&e.rows) {
        let row = row.unwrap();
        for (i, (_, field)) in row.get_column_iter().enumerate() {
            match field {
                Field::Str(s) => assert_eq!(s, &want[i], "column {}", COLUMNS[i]),
                Field::Int(n) => assert_eq!(n.to_string(), want[i], "column {}", COLUMNS[i]),
                Field::Null => {
                    assert!(want[i].is_empty(), "column {} null but {:?} in the CSV", COLUMNS[i], want[i]);
                    nulls += 1;
                }
                other => panic!("column {}: unexpected {other:?}", COLUMNS[i]),
            }
        }
        assert_eq!(row.get_int(12).unwrap().to_string(), want[12], "insatser is an integer");
    }
    assert!(nulls > 0, "the fixture has cases not yet at every step");
    // The suppression marks survive in the string columns.
    assert!(e.suppressed.iter().sum::<usize>() > 0);
}
