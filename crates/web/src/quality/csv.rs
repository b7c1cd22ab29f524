//! Survey responses imported from CSV. The format: a header row `enhet;kön;fråga 1;…;fråga N`
//! (`,` also accepted as separator), then one row per response: the unit's code, the
//! respondent's sex (`K`, `M` or empty) and one answer per question (a whole number on the
//! survey's scale, or empty when not answered). Every row is checked before anything is
//! written; the errors name their row (the header is row 1) in Swedish.

use skyndsam_domain::ids::UnitId;
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::quality::model::SurveyResponse;
use skyndsam_domain::quality::SurveyState;

use crate::error::ApiError;

/// Most errors listed; the rest are counted.
const MAX_ERRORS: usize = 50;
/// Most rows in one file (the domain's bound for one batch).
pub const MAX_ROWS: usize = skyndsam_domain::quality::commands::MAX_ITEMS;

fn cells(line: &str, sep: char) -> Vec<String> {
    line.split(sep).map(|c| c.trim().trim_matches('"').trim().to_owned()).collect()
}

fn sex(v: &str) -> Result<Option<Sex>, ()> {
    match v.to_lowercase().as_str() {
        "" => Ok(None),
        "k" | "kvinna" | "flicka" | "f" => Ok(Some(Sex::Female)),
        "m" | "man" | "pojke" | "p" => Ok(Some(Sex::Male)),
        _ => Err(()),
    }
}

/// The responses of a CSV file, or every error found (row-numbered, Swedish). `allowed`
/// says which units the importer may enter responses for.
pub fn parse_responses(
    text: &str,
    s: &SurveyState,
    allowed: impl Fn(&UnitId) -> bool,
) -> Result<Vec<SurveyResponse>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let n = s.questions.len();
    let expected = format!("enhet;kön;fråga 1;…;fråga {n}");
    let Some((hi, header)) = lines.next() else {
        return Err(vec!["Filen är tom. Den ska börja med rubrikraden ".to_owned() + &expected + "."]);
    };
    let sep = if header.contains(';') { ';' } else { ',' };
    let head = cells(header, sep);
    let first = head.first().map(|c| c.to_lowercase()).unwrap_or_default();
    let second = head.get(1).map(|c| c.to_lowercase()).unwrap_or_default();
    if first != "enhet" || !(second == "kön" || second == "kon") || head.len() != n + 2 {
        return Err(vec![format!(
            "Rad {}: rubrikraden ska vara {expected} ({} kolumner: enhet, kön och en kolumn per fråga).",
            hi + 1,
            n + 2
        )]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut more = 0usize;
    let mut add = |errors: &mut Vec<String>, e: String| {
        if errors.len() < MAX_ERRORS {
            errors.push(e);
        } else {
            more += 1;
        }
    };
    for (i, line) in lines {
        let row = i + 1;
        let c = cells(line, sep);
        if c.len() != n + 2 {
            add(
                &mut errors,
                format!("Rad {row}: {} kolumner, men {} väntades (enhet, kön och {n} frågor).", c.len(), n + 2),
            );
            continue;
        }
        let unit = match UnitId::parse(&c[0]) {
            Ok(u) if s.units.contains(&u) && allowed(&u) => Some(u),
            Ok(u) if s.units.contains(&u) => {
                add(&mut errors, format!("Rad {row}: du kan inte föra in svar för enheten {u}."));
                None
            }
            _ => {
                let list = s.units.iter().map(|u| u.as_str()).collect::<Vec<_>>().join(", ");
                add(&mut errors, format!("Rad {row}: enheten ingår inte i undersökningen (ange en av: {list})."));
                None
            }
        };
        let sex = match sex(&c[1]) {
            Ok(x) => Some(x),
            Err(()) => {
                add(&mut errors, format!("Rad {row}: kön anges K, M eller lämnas tomt."));
                None
            }
        };
        let mut answers = Vec::with_capacity(n);
        let mut ok = true;
        for (q, v) in c[2..].iter().enumerate() {
            if v.is_empty() {
                answers.push(None);
                continue;
            }
            match v.parse::<u8>() {
                Ok(a) if (1..=s.scale_max).contains(&a) => answers.push(Some(a)),
                _ => {
                    ok = false;
                    add(
                        &mut errors,
                        format!("Rad {row}, fråga {}: svaret ska vara ett heltal 1–{} eller tomt.", q + 1, s.scale_max),
                    );
                }
            }
        }
        if let (Some(unit), Some(sex), true) = (unit, sex, ok) {
            out.push(SurveyResponse { unit, sex, answers });
        }
        if out.len() + errors.len() > MAX_ROWS {
            add(&mut errors, format!("Filen har fler än {MAX_ROWS} rader. Dela upp den."));
            break;
        }
    }
    if more > 0 {
        errors.push(format!("… och {more} fel till."));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec!["Filen innehåller inga svar, bara rubrikraden.".to_owned()]);
    }
    Ok(out)
}

/// The API's answer to a file with errors: 422, every error in the message, nothing written.
pub fn api_error(errors: &[String]) -> ApiError {
    ApiError::bad_input("csv", format!("Filen har fel och inget har förts in. {}", errors.join(" ")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use skyndsam_domain::ids::SurveyId;
    use skyndsam_domain::quality::model::SurveyQuestion;

    fn survey() -> SurveyState {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        SurveyState {
            id: SurveyId::from_u128(1),
            version: 1,
            name: "Enkät".into(),
            units: vec![UnitId::parse("a").unwrap(), UnitId::parse("b").unwrap()],
            from: d,
            to: d,
            scale_max: 10,
            questions: vec![
                SurveyQuestion { text: "x".into(), nki: true },
                SurveyQuestion { text: "y".into(), nki: false },
            ],
            invited: vec![],
            responses: vec![],
        }
    }

    #[test]
    fn a_good_file_gives_one_response_per_row() {
        let r = parse_responses("enhet;kön;f1;f2\na;K;10;\nb;;1;5\n", &survey(), |_| true).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].sex, Some(Sex::Female));
        assert_eq!(r[0].answers, vec![Some(10), None]);
        assert_eq!(r[1].sex, None);
        let comma = parse_responses("enhet,kon,f1,f2\na,M,3,4\n", &survey(), |_| true).unwrap();
        assert_eq!(comma[0].sex, Some(Sex::Male));
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_returned() {
        let e = parse_responses("enhet;kön;f1;f2\na;K;11;\nc;K;1;1\na;X;1;1\na;K;1\na;M;2;2\n", &survey(), |_| true)
            .unwrap_err();
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].starts_with("Rad 2, fråga 1:"), "{e:?}");
        assert!(e[1].starts_with("Rad 3: enheten ingår inte"), "{e:?}");
        assert!(e[2].starts_with("Rad 4: kön"), "{e:?}");
        assert!(e[3].starts_with("Rad 5: 3 kolumner"), "{e:?}");
    }

    #[test]
    fn the_header_and_the_importers_units_are_checked() {
        let e = parse_responses("unit;sex;f1;f2\na;K;1;1\n", &survey(), |_| true).unwrap_err();
        assert!(e[0].starts_with("Rad 1: rubrikraden"), "{e:?}");
        let e = parse_responses("enhet;kön;f1;f2\nb;K;1;1\n", &survey(), |u| u.as_str() == "a").unwrap_err();
        assert!(e[0].contains("du kan inte föra in svar för enheten b"), "{e:?}");
        let e = parse_responses("enhet;kön;f1;f2\n", &survey(), |_| true).unwrap_err();
        assert!(e[0].contains("inga svar"), "{e:?}");
    }
}
