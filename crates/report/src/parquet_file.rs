//! The analysis extract as Apache Parquet, for the analysts' tools (R, Python, DuckDB):
//! the same rows and suppression as the CSV, with the durations and counts as typed
//! integers (null where the step has not happened) and the suppression threshold `k` in
//! the file's key-value metadata.

use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::extract::{Extract, COLUMNS};
use crate::ReportError;

/// Columns written as 32-bit integers (durations in hours or days, counts).
const INTEGER: [usize; 4] = [7, 8, 10, 12];
/// Columns that are empty when the step has not happened (null in Parquet).
const OPTIONAL: [usize; 5] = [7, 8, 9, 10, 11];

fn fail(e: impl std::fmt::Display) -> ReportError {
    ReportError::Table(format!("Parquet-filen kunde inte skrivas: {e}"))
}

fn schema() -> Result<Type, ReportError> {
    let mut fields = Vec::with_capacity(COLUMNS.len());
    for (i, name) in COLUMNS.iter().enumerate() {
        let rep = if OPTIONAL.contains(&i) { Repetition::OPTIONAL } else { Repetition::REQUIRED };
        let t = if INTEGER.contains(&i) {
            Type::primitive_type_builder(name, Physical::INT32).with_repetition(rep).build()
        } else {
            Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                .with_repetition(rep)
                .with_logical_type(Some(LogicalType::String))
                .with_converted_type(ConvertedType::UTF8)
                .build()
        }
        .map_err(fail)?;
        fields.push(Arc::new(t));
    }
    Type::group_type_builder("skyndsam_analysuttag").with_fields(fields).build().map_err(fail)
}

/// The extract as a Parquet file (one row group).
pub fn to_parquet(e: &Extract) -> Result<Vec<u8>, ReportError> {
    let props = WriterProperties::builder()
        .set_created_by("skyndsam".to_owned())
        .set_key_value_metadata(Some(vec![KeyValue::new("skyndsam.k".to_owned(), e.k.to_string())]))
        .build();
    let mut out = Vec::new();
    {
        let mut w = SerializedFileWriter::new(&mut out, Arc::new(schema()?), Arc::new(props)).map_err(fail)?;
        let mut rg = w.next_row_group().map_err(fail)?;
        let mut col = 0usize;
        while let Some(mut c) = rg.next_column().map_err(fail)? {
            let cells = e.rows.iter().map(|r| r[col].as_str());
            let optional = OPTIONAL.contains(&col);
            let defs: Vec<i16> = e.rows.iter().map(|r| i16::from(!r[col].is_empty())).collect();
            let defs = optional.then_some(defs.as_slice());
            if INTEGER.contains(&col) {
                let mut values = Vec::with_capacity(e.rows.len());
                for v in cells.filter(|v| !v.is_empty()) {
                    values.push(
                        v.parse::<i32>().map_err(|_| fail(format!("kolumn {} är inte ett heltal", COLUMNS[col])))?,
                    );
                }
                c.typed::<Int32Type>().write_batch(&values, defs, None).map_err(fail)?;
            } else {
                let values: Vec<ByteArray> = cells
                    .filter(|v| !optional || !v.is_empty())
                    .map(|v| ByteArray::from(v.as_bytes().to_vec()))
                    .collect();
                c.typed::<ByteArrayType>().write_batch(&values, defs, None).map_err(fail)?;
            }
            c.close().map_err(fail)?;
            col += 1;
        }
        rg.close().map_err(fail)?;
        w.close().map_err(fail)?;
    }
    Ok(out)
}
