//! Validated Swedish identity numbers: personnummer, samordningsnummer and
//! municipal reservnummer.
//!
//! The number is secret personal data. `Debug` never prints it and errors
//! never contain it; `Display` prints it and must only be used deliberately.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// Which kind of identity number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Personnummer (folkbokförd person).
    Personnummer,
    /// Samordningsnummer: day of birth + 60.
    Samordningsnummer,
    /// Municipal reservnummer: no national format, no checksum.
    Reservnummer,
}

/// Legal sex as encoded in the identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// Swedish label for a child: "flicka" / "pojke".
    pub fn label_sv(self) -> &'static str {
        match self {
            Sex::Female => "flicka",
            Sex::Male => "pojke",
        }
    }
}

/// Why an identity number was refused. Never contains the number itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("{}", self.message_sv())]
    Format,
    #[error("{}", self.message_sv())]
    Date,
    #[error("{}", self.message_sv())]
    Checksum,
    #[error("{}", self.message_sv())]
    InFuture,
}

impl IdNumberError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Format => "PNR_FORMAT",
            IdNumberError::Date => "PNR_DATE",
            IdNumberError::Checksum => "PNR_CHECKSUM",
            IdNumberError::InFuture => "PNR_IN_FUTURE",
        }
    }

    /// Message for the caseworker, in Swedish.
    pub fn message_sv(&self) -> &'static str {
        match self {
            IdNumberError::Format => {
                "Personnumret ska skrivas ÅÅÅÅMMDD-NNNN (tolv siffror, med århundradet). \
                 Reservnummer skrivs med R först."
            }
            IdNumberError::Date => "Personnumret innehåller inget giltigt datum.",
            IdNumberError::Checksum => "Personnumret har fel kontrollsiffra. Kontrollera siffrorna.",
            IdNumberError::InFuture => "Födelsedatumet ligger i framtiden.",
        }
    }
}

/// Offset added to the day of birth in a samordningsnummer.
const COORDINATION_DAY_OFFSET: u32 = 60;
/// Length limits of the part after "R" in a reservnummer.
const RESERVE_MIN: usize = 4;
const RESERVE_MAX: usize = 20;

/// A validated personnummer, samordningsnummer or reservnummer, stored in
/// canonical form: "YYYYMMDD-NNNC" (13 characters) or "R…" (uppercased).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalIdentityNumber {
    canonical: String,
    kind: IdKind,
}

/// Luhn check digit over the nine digits YYMMDDNNN.
fn luhn_check_digit(digits: &[u8; 9]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    // (10 - sum % 10) % 10 is in 0..=9.
    ((10 - sum % 10) % 10) as u8
}

/// Numeric value of ASCII digits.
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d))
}

impl PersonalIdentityNumber {
    /// Parses "YYYYMMDD-NNNC", "YYYYMMDDNNNC", "YYYYMMDD+NNNC" (surrounding
    /// whitespace ignored) or a reservnummer "R" + 4–20 characters A–Z, 0–9
    /// or '-'. Ten-digit forms are refused: the century would be a guess.
    pub fn parse(s: &str) -> Result<Self, IdNumberError> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix(['R', 'r']) {
            return Self::parse_reserve(rest);
        }
        let bytes = s.as_bytes();
        let digits: Vec<u8> = match bytes.len() {
            12 => bytes.to_vec(),
            13 if matches!(bytes[8], b'-' | b'+') => bytes[..8].iter().chain(&bytes[9..]).copied().collect(),
            _ => return Err(IdNumberError::Format),
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(IdNumberError::Format);
        }
        let digits: Vec<u8> = digits.iter().map(|d| d - b'0').collect();
        let year = number(&digits[0..4]);
        let month = number(&digits[4..6]);
        let day_field = number(&digits[6..8]);
        let (kind, day) = if day_field > COORDINATION_DAY_OFFSET {
            (IdKind::Samordningsnummer, day_field - COORDINATION_DAY_OFFSET)
        } else {
            (IdKind::Personnummer, day_field)
        };
        let year = i32::try_from(year).map_err(|_| IdNumberError::Format)?;
        let birth = NaiveDate::from_ymd_opt(year, month, day).ok_or(IdNumberError::Date)?;
        let serial = u16::try_from(number(&digits[8..11])).map_err(|_| IdNumberError::Format)?;
        let built = Self::from_parts(birth, serial, kind)?;
        // from_parts recomputes the check digit; compare with the given one.
        if built.canonical.as_bytes().get(12).map(|c| c - b'0') != digits.get(11).copied() {
            return Err(IdNumberError::Checksum);
        }
        Ok(built)
    }

    fn parse_reserve(rest: &str) -> Result<Self, IdNumberError> {
        let valid_chars = rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid_chars || !(RESERVE_MIN..=RESERVE_MAX).contains(&rest.len()) {
            return Err(IdNumberError::Format);
        }
        Ok(PersonalIdentityNumber { canonical: format!("R{}", rest.to_ascii_uppercase()), kind: IdKind::Reservnummer })
    }

    /// Like [`parse`](Self::parse), but also refuses a birth date after
    /// `today` (the caller supplies the date; this module has no clock).
    pub fn parse_on(s: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let id = Self::parse(s)?;
        match id.birth_date() {
            Some(birth) if birth > today => Err(IdNumberError::InFuture),
            _ => Ok(id),
        }
    }

    /// Builds a number from its parts and computes the check digit (for test
    /// and demo data). `serial` must be 0..=999; samordningsnummer get 60
    /// added to the day. Reservnummer cannot be built this way (`Format`).
    pub fn from_parts(birth: NaiveDate, serial: u16, kind: IdKind) -> Result<Self, IdNumberError> {
        if serial > 999 || kind == IdKind::Reservnummer {
            return Err(IdNumberError::Format);
        }
        let year = u32::try_from(birth.year()).map_err(|_| IdNumberError::Date)?;
        if year > 9999 {
            return Err(IdNumberError::Date);
        }
        let day = match kind {
            IdKind::Samordningsnummer => birth.day() + COORDINATION_DAY_OFFSET,
            _ => birth.day(),
        };
        let serial = u32::from(serial);
        let yy = year % 100;
        let month = birth.month();
        let nine =
            [yy / 10, yy % 10, month / 10, month % 10, day / 10, day % 10, serial / 100, serial / 10 % 10, serial % 10]
                // Every element is a single decimal digit.
                .map(|d| d as u8);
        let check = luhn_check_digit(&nine);
        Ok(PersonalIdentityNumber { canonical: format!("{year:04}{month:02}{day:02}-{serial:03}{check}"), kind })
    }

    /// Canonical form: "YYYYMMDD-NNNC", or "R…" for a reservnummer.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// Date of birth (the day with 60 subtracted for samordningsnummer).
    /// None for reservnummer.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        if self.kind == IdKind::Reservnummer {
            return None;
        }
        let b = self.canonical.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(r)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0')))
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = digits(4..6)?;
        let mut day = digits(6..8)?;
        if self.kind == IdKind::Samordningsnummer {
            day = day.checked_sub(COORDINATION_DAY_OFFSET)?;
        }
        NaiveDate::from_ymd_opt(year, month, day)
    }

    /// Second-to-last digit odd = male, even = female. None for reservnummer.
    pub fn sex(&self) -> Option<Sex> {
        if self.kind == IdKind::Reservnummer {
            return None;
        }
        let d = self.canonical.as_bytes().get(11).filter(|c| c.is_ascii_digit())?;
        Some(if (d - b'0') % 2 == 1 { Sex::Male } else { Sex::Female })
    }

    /// Completed years of age on `on`. None for reservnummer or when `on` is
    /// before the birth date. Someone born on 29 February becomes a year
    /// older on 1 March in non-leap years.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        let birth = self.birth_date()?;
        if on < birth {
            return None;
        }
        let mut years = on.year() - birth.year();
        if (on.month(), on.day()) < (birth.month(), birth.day()) {
            years -= 1;
        }
        u32::try_from(years).ok()
    }

    /// "YYYYMMDD-****" (or "R****" for reservnummer), for logs and lists.
    pub fn masked(&self) -> String {
        match self.kind {
            IdKind::Reservnummer => "R****".to_owned(),
            _ => format!("{}-****", self.canonical.get(0..8).unwrap_or("********")),
        }
    }
}

impl fmt::Debug for PersonalIdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonalIdentityNumber(****)")
    }
}

impl fmt::Display for PersonalIdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl FromStr for PersonalIdentityNumber {
    type Err = IdNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for PersonalIdentityNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical)
    }
}

impl<'de> serde::Deserialize<'de> for PersonalIdentityNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Pattern of the canonical (serialized) form.
const CANONICAL_PATTERN: &str = r"^([0-9]{8}-[0-9]{4}|R[0-9A-Z-]{4,20})$";

impl schemars::JsonSchema for PersonalIdentityNumber {
    fn schema_name() -> String {
        "PersonalIdentityNumber".to_owned()
    }

    fn json_schema(_gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, Metadata, SchemaObject, StringValidation};
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "Personnummer eller samordningsnummer (dag + 60) som ÅÅÅÅMMDD-NNNN med \
                     giltig kontrollsiffra, eller reservnummer som börjar med R. \
                     Canonical form; input may also omit the dash or use '+'."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            string: Some(Box::new(StringValidation {
                min_length: Some(5),
                max_length: Some(21),
                pattern: Some(CANONICAL_PATTERN.to_owned()),
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Independent Luhn check over all ten digits YYMMDDNNNC (sum % 10 == 0).
    fn luhn_valid_10(s: &str) -> bool {
        let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
        let ten = &d[2..12];
        ten.iter()
            .enumerate()
            .map(|(i, &x)| {
                let v = if i % 2 == 0 { x * 2 } else { x };
                if v > 9 {
                    v - 9
                } else {
                    v
                }
            })
            .sum::<u32>()
            % 10
            == 0
    }

    #[test]
    fn known_valid_numbers() {
        // Hand-computed: 1212121212 -> Luhn sum 18 + 2 = 20.
        let p = PersonalIdentityNumber::parse("19121212-1212").unwrap();
        assert_eq!(p.as_str(), "19121212-1212");
        assert_eq!(p.kind(), IdKind::Personnummer);
        assert_eq!(p.birth_date(), Some(date(1912, 12, 12)));
        assert_eq!(p.sex(), Some(Sex::Male));
        // 811218-987 -> weighted digit sum 44 -> check digit 6.
        let p = PersonalIdentityNumber::parse("198112189876").unwrap();
        assert_eq!(p.as_str(), "19811218-9876");
        assert_eq!(p.sex(), Some(Sex::Male));
        // 100101-000 -> weighted digit sum 4 -> check digit 6 (so -0008 is wrong).
        let p = PersonalIdentityNumber::parse(" 20100101-0006\n").unwrap();
        assert_eq!(p.sex(), Some(Sex::Female));
        assert_eq!(p.birth_date(), Some(date(2010, 1, 1)));
        assert_eq!(PersonalIdentityNumber::parse("20100101-0008"), Err(IdNumberError::Checksum));
        // '+' separator is accepted and canonicalised.
        let p = PersonalIdentityNumber::parse("19121212+1212").unwrap();
        assert_eq!(p.as_str(), "19121212-1212");
        for s in ["19121212-1212", "19811218-9876", "20100101-0006", "19701063-2391"] {
            assert!(luhn_valid_10(s), "{s}");
        }
    }

    #[test]
    fn invalid_checksum_and_date_and_format() {
        assert_eq!(PersonalIdentityNumber::parse("19121212-1213"), Err(IdNumberError::Checksum));
        assert_eq!(PersonalIdentityNumber::parse("19990230-1234"), Err(IdNumberError::Date));
        assert_eq!(PersonalIdentityNumber::parse("19991301-1234"), Err(IdNumberError::Date));
        assert_eq!(PersonalIdentityNumber::parse("19990100-1234"), Err(IdNumberError::Date));
        for bad in [
            "121212-1212",
            "1212121212",
            "121212+1212",
            "",
            "19121212-121",
            "19121212_1212",
            "1912121a-1212",
            "19121212--212",
            "١٩١٢١٢١٢١٢١٢",
            "R123",
            "R12345678901234567890X",
            "R12 34",
            "RÅÄÖ12",
        ] {
            assert_eq!(PersonalIdentityNumber::parse(bad), Err(IdNumberError::Format), "{bad:?}");
        }
    }

    #[test]
    fn coordination_numbers() {
        // 701063-239 -> weighted digit sum 29 -> check digit 1.
        let p = PersonalIdentityNumber::parse("19701063-2391").unwrap();
        assert_eq!(p.kind(), IdKind::Samordningsnummer);
        assert_eq!(p.birth_date(), Some(date(1970, 10, 3)));
        assert_eq!(p.sex(), Some(Sex::Male));
        assert_eq!(p.masked(), "19701063-****");
        assert_eq!(PersonalIdentityNumber::parse("19701063-2392"), Err(IdNumberError::Checksum));
        // 30 Feb + 60 = 90: not a date.
        assert_eq!(PersonalIdentityNumber::parse("19990290-1234"), Err(IdNumberError::Date));
        // Day 92 and day 60 (= day 0) are invalid.
        assert_eq!(PersonalIdentityNumber::parse("19990192-1234"), Err(IdNumberError::Date));
        assert_eq!(PersonalIdentityNumber::parse("19990160-1234"), Err(IdNumberError::Date));
        let built = PersonalIdentityNumber::from_parts(date(1970, 10, 3), 239, IdKind::Samordningsnummer).unwrap();
        assert_eq!(built.as_str(), "19701063-2391");
    }

    #[test]
    fn reserve_numbers() {
        let p = PersonalIdentityNumber::parse(" r2026-ab12 ").unwrap();
        assert_eq!(p.as_str(), "R2026-AB12");
        assert_eq!(p.kind(), IdKind::Reservnummer);
        assert_eq!(p.birth_date(), None);
        assert_eq!(p.sex(), None);
        assert_eq!(p.age_on(date(2026, 1, 1)), None);
        assert_eq!(p.masked(), "R****");
        assert_eq!(
            PersonalIdentityNumber::from_parts(date(2000, 1, 1), 1, IdKind::Reservnummer),
            Err(IdNumberError::Format)
        );
    }

    #[test]
    fn from_parts_rejects_bad_serial() {
        assert_eq!(
            PersonalIdentityNumber::from_parts(date(2000, 1, 1), 1000, IdKind::Personnummer),
            Err(IdNumberError::Format)
        );
        assert_eq!(
            PersonalIdentityNumber::from_parts(date(1912, 12, 12), 121, IdKind::Personnummer).unwrap().as_str(),
            "19121212-1212"
        );
    }

    #[test]
    fn parse_on_refuses_future() {
        let today = date(2026, 3, 1);
        let tomorrow = PersonalIdentityNumber::from_parts(date(2026, 3, 2), 5, IdKind::Personnummer).unwrap();
        assert_eq!(PersonalIdentityNumber::parse_on(tomorrow.as_str(), today), Err(IdNumberError::InFuture));
        let born_today = PersonalIdentityNumber::from_parts(today, 5, IdKind::Samordningsnummer).unwrap();
        assert!(PersonalIdentityNumber::parse_on(born_today.as_str(), today).is_ok());
        assert!(PersonalIdentityNumber::parse_on("R12345", today).is_ok());
    }

    #[test]
    fn debug_and_errors_never_leak() {
        let p = PersonalIdentityNumber::parse("19811218-9876").unwrap();
        let dbg = format!("{p:?} {:?} {:#?}", Some(&p), vec![p.clone()]);
        assert!(!dbg.chars().any(|c| c.is_ascii_digit()), "{dbg}");
        assert_eq!(format!("{p:?}"), "PersonalIdentityNumber(****)");
        assert_eq!(p.to_string(), "19811218-9876");
        assert_eq!(p.masked(), "19811218-****");
        for e in [IdNumberError::Format, IdNumberError::Date, IdNumberError::Checksum, IdNumberError::InFuture] {
            assert_eq!(e.to_string(), e.message_sv());
            assert!(!e.to_string().chars().any(|c| c.is_ascii_digit()));
            assert!(e.code().starts_with("PNR_"));
        }
        let err = serde_json::from_str::<PersonalIdentityNumber>("\"19811218-9877\"").unwrap_err().to_string();
        assert!(!err.contains("9877") && !err.contains("811218"), "{err}");
    }

    #[test]
    fn serde_roundtrip_and_invalid() {
        let p = PersonalIdentityNumber::parse("198112189876").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"19811218-9876\"");
        let back: PersonalIdentityNumber = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let lenient: PersonalIdentityNumber = serde_json::from_str("\"198112189876\"").unwrap();
        assert_eq!(lenient, p);
        assert!(serde_json::from_str::<PersonalIdentityNumber>("\"19990230-1234\"").is_err());
        assert!(serde_json::from_str::<PersonalIdentityNumber>("\"811218-9876\"").is_err());
        assert!(serde_json::from_str::<PersonalIdentityNumber>("198112189876").is_err());
        assert_eq!(serde_json::to_string(&IdKind::Samordningsnummer).unwrap(), "\"samordningsnummer\"");
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"female\"");
        assert_eq!("19121212-1212".parse::<PersonalIdentityNumber>().unwrap().kind(), IdKind::Personnummer);
    }

    #[test]
    fn json_schema_is_string_with_pattern() {
        let schema = schemars::schema_for!(PersonalIdentityNumber);
        let v = serde_json::to_value(&schema).unwrap();
        assert_eq!(v["type"], "string");
        assert_eq!(v["pattern"], CANONICAL_PATTERN);
        assert!(v["description"].as_str().unwrap().contains("ÅÅÅÅMMDD"));
    }

    #[test]
    fn sex_labels_and_age() {
        assert_eq!(Sex::Female.label_sv(), "flicka");
        assert_eq!(Sex::Male.label_sv(), "pojke");
        let p = PersonalIdentityNumber::from_parts(date(2012, 6, 15), 481, IdKind::Personnummer).unwrap();
        assert_eq!(p.sex(), Some(Sex::Male));
        assert_eq!(p.age_on(date(2012, 6, 15)), Some(0));
        assert_eq!(p.age_on(date(2026, 6, 14)), Some(13));
        assert_eq!(p.age_on(date(2026, 6, 15)), Some(14));
        assert_eq!(p.age_on(date(2012, 6, 14)), None);
        // Born 29 February 2008.
        let leap = PersonalIdentityNumber::from_parts(date(2008, 2, 29), 120, IdKind::Personnummer).unwrap();
        assert_eq!(leap.sex(), Some(Sex::Female));
        assert_eq!(leap.age_on(date(2026, 2, 28)), Some(17));
        assert_eq!(leap.age_on(date(2026, 3, 1)), Some(18));
        assert_eq!(leap.age_on(date(2028, 2, 28)), Some(19));
        assert_eq!(leap.age_on(date(2028, 2, 29)), Some(20));
    }

    fn arb_birth() -> impl Strategy<Value = NaiveDate> {
        let start = date(1900, 1, 1);
        let span = (date(2030, 12, 31) - start).num_days() as u64;
        (0..=span).prop_map(move |n| start + chrono::Days::new(n))
    }

    fn arb_kind() -> impl Strategy<Value = IdKind> {
        prop_oneof![Just(IdKind::Personnummer), Just(IdKind::Samordningsnummer)]
    }

    proptest! {
        #[test]
        fn prop_roundtrip(birth in arb_birth(), serial in 0u16..=999, kind in arb_kind()) {
            let p = PersonalIdentityNumber::from_parts(birth, serial, kind).unwrap();
            prop_assert_eq!(p.as_str().len(), 13);
            prop_assert!(luhn_valid_10(p.as_str()));
            let q = PersonalIdentityNumber::parse(p.as_str()).unwrap();
            prop_assert_eq!(&q, &p);
            prop_assert_eq!(q.kind(), kind);
            prop_assert_eq!(q.birth_date(), Some(birth));
            let expected_sex = if serial % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(q.sex(), Some(expected_sex));
            let compact: String = p.as_str().chars().filter(|c| *c != '-').collect();
            prop_assert_eq!(PersonalIdentityNumber::parse(&compact).unwrap(), p.clone());
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<PersonalIdentityNumber>(&json).unwrap(), p);
        }

        #[test]
        fn prop_single_digit_change(
            birth in arb_birth(),
            serial in 0u16..=999,
            kind in arb_kind(),
            pos in 0usize..12,
            delta in 1u8..=9,
        ) {
            let p = PersonalIdentityNumber::from_parts(birth, serial, kind).unwrap();
            let mut bytes = p.as_str().as_bytes().to_vec();
            let idx = if pos < 8 { pos } else { pos + 1 }; // skip the '-'
            bytes[idx] = b'0' + (bytes[idx] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            let result = PersonalIdentityNumber::parse(&changed);
            if pos == 11 {
                prop_assert_eq!(result, Err(IdNumberError::Checksum));
            } else if pos >= 2 {
                // Luhn detects every single-digit error in YYMMDDNNNC.
                prop_assert!(result.is_err());
            } else {
                // The century digits are outside the checksum.
                if let Ok(q) = result {
                    prop_assert_ne!(q, p);
                }
            }
        }
    }
}
