//! Serialises a `DateTime<Utc>` as chrono's serde does (RFC 3339, `Z`, the
//! fraction only when there is one, in 3, 6 or 9 digits), written directly
//! ([`Rfc3339`]): chrono goes through `fmt::Display` field by field, which was
//! 7% of the server's instructions for a page of 50 users (three times a user).
//! Years outside 0–9999 and leap seconds are left to chrono.

use crate::domain::Rfc3339;
use chrono::{DateTime, Utc};
use serde::Serializer;

pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    match Rfc3339::new(t, "Z") {
        Some(text) => s.serialize_str(text.as_str()),
        // Years of other than four digits, and leap seconds: chrono's own way.
        None => serde::Serialize::serialize(t, s),
    }
}

/// The same for an optional time (`null` when absent; written for JSON,
/// where a present value needs no `serialize_some`).
pub mod option {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::serialize(t, s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;
    use chrono::TimeZone;

    #[derive(serde::Serialize)]
    struct Fast {
        #[serde(with = "super")]
        t: DateTime<Utc>,
        #[serde(with = "super::option")]
        o: Option<DateTime<Utc>>,
    }

    #[derive(serde::Serialize)]
    struct Chrono {
        t: DateTime<Utc>,
        o: Option<DateTime<Utc>>,
    }

    fn both(t: DateTime<Utc>, o: Option<DateTime<Utc>>) -> (String, String) {
        (
            serde_json::to_string(&Fast { t, o }).expect("serialises"),
            serde_json::to_string(&Chrono { t, o }).expect("serialises"),
        )
    }

    #[test]
    fn rfc3339_writes_what_chrono_writes() {
        let mut cases: Vec<DateTime<Utc>> = [
            0i64,
            1,
            999,
            1_000,
            -1,
            -62_167_219_200_000, // 0000-01-01T00:00:00Z
            253_402_300_799_999, // 9999-12-31T23:59:59.999Z
            253_402_300_800_000, // 10000-01-01: chrono's own way
            -62_167_219_200_001, // before year 0: chrono's own way
            951_782_400_000,     // 2000-02-29
            1_795_996_799_123,
        ]
        .iter()
        .map(|&ms| Timestamp::from_millis(ms).to_datetime())
        .collect();
        cases.push(DateTime::<Utc>::MIN_UTC);
        cases.push(DateTime::<Utc>::MAX_UTC);
        // Micro- and nanosecond fractions, which the store never makes.
        cases.push(
            Utc.timestamp_opt(1_700_000_000, 123_456_000)
                .single()
                .expect("valid"),
        );
        cases.push(
            Utc.timestamp_opt(1_700_000_000, 123_456_789)
                .single()
                .expect("valid"),
        );
        cases.push(
            Utc.timestamp_opt(1_483_228_799, 1_500_000_000)
                .single()
                .expect("leap"),
        );
        // A spread of milliseconds over four centuries, every field moving.
        let mut x: i64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(
                Timestamp::from_millis(x.rem_euclid(12_622_780_800_000) - 946_684_800_000)
                    .to_datetime(),
            );
        }
        for t in cases {
            let (fast, chrono) = both(t, Some(t));
            assert_eq!(fast, chrono, "{t:?}");
        }
        let (fast, chrono) = both(Timestamp::from_millis(0).to_datetime(), None);
        assert_eq!(fast, chrono);
    }
}
