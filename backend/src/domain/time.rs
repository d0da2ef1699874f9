use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

/// A point in time, kept to the millisecond. Stored as epoch milliseconds so both
/// databases sort and compare it the same way (see docs/decisions/0002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Self(self.0.saturating_add(s.saturating_mul(1000)))
    }

    pub fn plus(self, d: std::time::Duration) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The text of [`DateTime::to_rfc3339`] (`2026-11-29T08:05:03.250+00:00`),
    /// without allocating: exports write three a row, and chrono's formatter
    /// was a twentieth of the server's CPU in an export of clients.
    pub fn rfc3339(self) -> Rfc3339 {
        let t = self.to_datetime();
        Rfc3339::new(&t, "+00:00").unwrap_or_else(|| Rfc3339::copy(&t.to_rfc3339()))
    }
}

/// A time's RFC 3339 text, written on the stack as chrono writes it (the
/// fraction only when there is one, in 3, 6 or 9 digits): chrono goes through
/// `fmt::Display` field by field. The default is empty: no time.
pub struct Rfc3339 {
    /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+00:00` at most: 35 bytes.
    buf: [u8; 36],
    len: usize,
}

impl Rfc3339 {
    /// `t` with `zone` (`Z`, as chrono's serde writes it, or `+00:00`, as its
    /// `to_rfc3339` does); `None` for years outside 0–9999 and for leap
    /// seconds, which are left to chrono, and for a zone of more than 6 bytes.
    pub fn new(t: &DateTime<Utc>, zone: &str) -> Option<Self> {
        let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
        // A leap second's nanoseconds run past 1e9.
        let nanos = t.nanosecond();
        if nanos >= 1_000_000_000 || zone.len() > 6 {
            return None;
        }
        let mut out = Self::default();
        out.digits(year, 4);
        out.byte(b'-');
        out.digits(t.month(), 2);
        out.byte(b'-');
        out.digits(t.day(), 2);
        out.byte(b'T');
        out.digits(t.hour(), 2);
        out.byte(b':');
        out.digits(t.minute(), 2);
        out.byte(b':');
        out.digits(t.second(), 2);
        if nanos != 0 {
            out.byte(b'.');
            if nanos.is_multiple_of(1_000_000) {
                out.digits(nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                out.digits(nanos / 1_000, 6);
            } else {
                out.digits(nanos, 9);
            }
        }
        for b in zone.bytes() {
            out.byte(b);
        }
        Some(out)
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators, or chrono's own text, are written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    /// chrono's text: at most 32 bytes (`-262143-01-01T00:00:00.001+00:00`,
    /// its earliest year to the millisecond).
    fn copy(text: &str) -> Self {
        let mut out = Self::default();
        out.len = text.len().min(out.buf.len());
        out.buf[..out.len].copy_from_slice(&text.as_bytes()[..out.len]);
        out
    }

    fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// `n` in exactly `width` digits, zeros first.
    fn digits(&mut self, mut n: u32, width: usize) {
        for i in (0..width).rev() {
            self.buf[self.len + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.len += width;
    }
}

impl Default for Rfc3339 {
    fn default() -> Self {
        Self {
            buf: [0; 36],
            len: 0,
        }
    }
}

impl From<i64> for Timestamp {
    fn from(ms: i64) -> Self {
        Self(ms)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Self(t.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_chronos_text() {
        let mut cases = vec![
            0,
            1,
            999,
            1_000,
            -1,
            -1_000,
            1_764_403_503_250,
            1_764_403_503_000,
            253_402_300_799_999, // 9999-12-31T23:59:59.999
            253_402_300_800_000, // the year 10000
            -62_167_219_200_000, // 0000-01-01
            -62_167_219_200_001, // the year -1
            i64::MIN,
            i64::MAX,
        ];
        // A spread of instants across and beyond four-digit years.
        let mut x: i64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(x % 400_000_000_000_000);
        }
        for ms in cases {
            let t = Timestamp::from_millis(ms);
            assert_eq!(t.rfc3339().as_str(), t.to_datetime().to_rfc3339(), "{ms}");
        }
    }
}
