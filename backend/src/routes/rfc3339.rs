//! Serialises a `DateTime<Utc>` as chrono's serde does (RFC 3339, `Z`, the
//! fraction only when there is one, in 3, 6 or 9 digits), written directly:
//! chrono goes through `fmt::Display` field by field, which was 7% of the
//! server's instructions for a page of 50 users (three times a user).
//! Years outside 0–9999 and leap seconds are left to chrono.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let year = t.year();
    // A leap second's nanoseconds run past 1e9: chrono's own way, as for
    // years of other than four digits.
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return serde::Serialize::serialize(t, s);
    }
    let mut text = Text::default();
    text.digits(year as u32, 4);
    text.byte(b'-');
    text.digits(t.month(), 2);
    text.byte(b'-');
    text.digits(t.day(), 2);
    text.byte(b'T');
    text.digits(t.hour(), 2);
    text.byte(b':');
    text.digits(t.minute(), 2);
    text.byte(b':');
    text.digits(t.second(), 2);
    if nanos != 0 {
        text.byte(b'.');
        if nanos.is_multiple_of(1_000_000) {
            text.digits(nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            text.digits(nanos / 1_000, 6);
        } else {
            text.digits(nanos, 9);
        }
    }
    text.byte(b'Z');
    s.serialize_str(text.as_str().map_err(serde::ser::Error::custom)?)
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` at most: 30 bytes.
#[derive(Default)]
struct Text {
    buf: [u8; 30],
    len: usize,
}

impl Text {
    fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// `value` in `width` decimal digits, zero-padded.
    fn digits(&mut self, value: u32, width: u32) {
        for i in (0..width).rev() {
            self.byte(b'0' + (value / 10u32.pow(i) % 10) as u8);
        }
    }

    /// Only ASCII digits and separators are written, so this never fails;
    /// were it to, the answer is an error, not a panic.
    fn as_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.buf[..self.len])
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
