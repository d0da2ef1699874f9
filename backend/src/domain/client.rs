//! A client company and the values that describe it.

use super::{EmailAddress, ParseError, Timestamp, Username};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A client company (a tenant).
#[derive(Debug, Clone)]
pub struct Client {
    pub id: i64,
    pub account_number: AccountNumber,
    pub company_name: String,
    pub contact_email: EmailAddress,
    pub contact_name: Option<String>,
    pub phone_number: Option<PhoneNumber>,
    pub whatsapp_number: Option<PhoneNumber>,
    pub business_address: Option<String>,
    pub business_type: Option<BusinessType>,
    pub gst_number: Option<Gstin>,
    pub website: Option<WebAddress>,
    pub lead_status: LeadStatus,
    pub notes: Option<String>,
    pub credits: i64,
    pub is_active: bool,
    pub last_login: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The client-admin user created with the client.
    pub owner_id: Option<i64>,
    pub owner_username: Option<Username>,
}

/// A client to insert with its owner. Every field is already parsed and checked.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub company_name: String,
    pub contact_email: EmailAddress,
    pub contact_name: Option<String>,
    pub phone_number: Option<PhoneNumber>,
    pub whatsapp_number: Option<PhoneNumber>,
    pub business_address: Option<String>,
    pub business_type: Option<BusinessType>,
    pub gst_number: Option<Gstin>,
    pub website: Option<WebAddress>,
    pub lead_status: LeadStatus,
    pub notes: Option<String>,
    pub now: Timestamp,
}

/// Changes to a client: `None` leaves a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct ClientChanges {
    pub company_name: Option<String>,
    pub contact_email: Option<EmailAddress>,
    pub contact_name: Option<Option<String>>,
    pub phone_number: Option<Option<PhoneNumber>>,
    pub whatsapp_number: Option<Option<PhoneNumber>>,
    pub business_address: Option<Option<String>>,
    pub business_type: Option<Option<BusinessType>>,
    pub gst_number: Option<Option<Gstin>>,
    pub website: Option<Option<WebAddress>>,
    pub lead_status: Option<LeadStatus>,
    pub notes: Option<Option<String>>,
}

/// One entry of a client's credits ledger.
#[derive(Debug, Clone)]
pub struct CreditEntry {
    pub id: i64,
    pub client_id: i64,
    pub delta: i64,
    pub balance_after: i64,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub created_at: Timestamp,
}

/// What an adjustment of a client's credits did.
#[derive(Debug, Clone)]
pub enum CreditOutcome {
    Applied(CreditEntry),
    /// The balance would go below zero; nothing changed.
    Insufficient {
        balance: i64,
    },
    NotFound,
}

/// A text value a newtype holds, read back as it was written.
macro_rules! text_value {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// A value read back from the store, which only holds parsed ones.
            pub fn from_trusted(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_value!(
    /// `ACC001`, `ACC002`, … from the client's never-reused id.
    AccountNumber
);
text_value!(
    /// A phone number in E.164 (`+917093635305`).
    PhoneNumber
);
text_value!(
    /// An Indian GSTIN (`27AAPFU0939F1ZV`), upper case, its check character right.
    Gstin
);
text_value!(
    /// An http(s) URL with a host and no credentials; never fetched.
    WebAddress
);

impl AccountNumber {
    pub fn of(id: i64) -> Self {
        Self(format!("ACC{id:03}"))
    }

    /// The client id an account number (`ACC001`, any case) stands for.
    pub fn client_id(text: &str) -> Option<i64> {
        let digits = text
            .get(..3)?
            .eq_ignore_ascii_case("ACC")
            .then(|| &text[3..])?;
        let id: i64 = digits.parse().ok().filter(|id| *id > 0)?;
        (Self::of(id).0[3..] == *digits).then_some(id)
    }
}

impl PhoneNumber {
    /// A number without `+` is read in `default_region` (ISO 3166 code, e.g. `IN`).
    pub fn parse(input: &str, default_region: &str) -> Result<Self, ParseError> {
        phone_number(input, default_region).map(Self)
    }

    /// The digits `wa.me` links take: the number without its `+`.
    pub fn digits(&self) -> &str {
        self.0.trim_start_matches('+')
    }
}

impl Gstin {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        gstin(input).map(Self)
    }
}

impl WebAddress {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        website(input).map(Self)
    }
}

#[cfg(test)]
mod account_tests {
    use super::AccountNumber;

    #[test]
    fn account_numbers_name_their_client() {
        assert_eq!(AccountNumber::client_id("ACC001"), Some(1));
        assert_eq!(AccountNumber::client_id("acc1234"), Some(1234));
        assert_eq!(AccountNumber::client_id("ACC1"), None);
        assert_eq!(AccountNumber::client_id("ACC000"), None);
        assert_eq!(AccountNumber::client_id("ACC-01"), None);
        assert_eq!(AccountNumber::client_id("XYZ001"), None);
        assert_eq!(AccountNumber::client_id("AC"), None);
    }
}

/// `ACC001`, `ACC002`, … from the client's never-reused id.
pub fn account_number(id: i64) -> String {
    AccountNumber::of(id).0
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Result<Self, ParseError> {
                match s {
                    $($text => Ok(Self::$variant),)*
                    _ => Err(ParseError::new(format!("must be one of {}", Self::ALL.join(", ")))),
                }
            }
        }
    };
}

string_enum!(
    /// What the client does (seed 001).
    BusinessType {
        Retail = "retail",
        Wholesale = "wholesale",
        Restaurant = "restaurant",
        Hotel = "hotel",
        Services = "services",
        Other = "other",
    }
);

string_enum!(
    /// Where the client stands in the sales pipeline.
    LeadStatus {
        Lead = "lead",
        Qualified = "qualified",
        Customer = "customer",
        Closed = "closed",
    }
);

/// Trimmed text of `min..=max` characters without control characters (newlines
/// allowed when `multiline`).
pub fn text(input: &str, min: usize, max: usize, multiline: bool) -> Result<String, ParseError> {
    let s = input.trim();
    let len = s.chars().count();
    if len < min {
        return Err(ParseError::new(if min == 1 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters long")
        }));
    }
    if len > max {
        return Err(ParseError::new(format!(
            "must be at most {max} characters long"
        )));
    }
    if s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(ParseError::new("must not contain control characters"));
    }
    Ok(s.to_owned())
}

/// A phone number in E.164 (`+917093635305`). A number without `+` is read in
/// `default_region` (ISO 3166 code, e.g. `IN`).
fn phone_number(input: &str, default_region: &str) -> Result<String, ParseError> {
    use phonenumber::{country, Mode};
    let bad = || ParseError::new("must be a valid phone number, e.g. +917093635305");
    let s = input.trim();
    if s.is_empty() || s.len() > 32 {
        return Err(bad());
    }
    let region: Option<country::Id> = default_region.parse().ok();
    let number = phonenumber::parse(region, s).map_err(|_| bad())?;
    if !phonenumber::is_valid(&number) {
        return Err(bad());
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

const GSTIN_CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The check character of the first 14 characters of a GSTIN (Luhn mod 36).
fn gstin_check_char(first14: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in first14.iter().enumerate() {
        let value = GSTIN_CHARS.iter().position(|x| x == c)? as u32;
        let product = value * if i % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    Some(GSTIN_CHARS[((36 - sum % 36) % 36) as usize] as char)
}

/// An Indian GSTIN: state code (2 digits), PAN (5 letters, 4 digits, 1 letter),
/// entity number, `Z` by convention, and a check character.
fn gstin(input: &str) -> Result<String, ParseError> {
    let s = input.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    let shape = b.len() == 15
        && b[0..2].iter().all(u8::is_ascii_digit)
        && b[2..7].iter().all(u8::is_ascii_uppercase)
        && b[7..11].iter().all(u8::is_ascii_digit)
        && b[11].is_ascii_uppercase()
        && b[12].is_ascii_alphanumeric()
        && b[12] != b'0'
        && b[13].is_ascii_alphanumeric()
        && b[14].is_ascii_alphanumeric();
    if !shape {
        return Err(ParseError::new(
            "must be a 15-character GSTIN like 27AAPFU0939F1ZV",
        ));
    }
    let state: u32 = s[0..2].parse().unwrap_or(0);
    if !(1..=38).contains(&state) && state != 97 && state != 99 {
        return Err(ParseError::new(
            "must start with a valid state code (01–38, 97, 99)",
        ));
    }
    if gstin_check_char(&b[..14]) != Some(b[14] as char) {
        return Err(ParseError::new("has a wrong check character"));
    }
    Ok(s)
}

/// An http(s) URL with a host, at most 2,048 characters. Clientele never fetches it.
fn website(input: &str) -> Result<String, ParseError> {
    let s = input.trim();
    let bad = || ParseError::new("must be an http:// or https:// URL");
    if s.len() > 2048 {
        return Err(ParseError::new("must be at most 2048 characters long"));
    }
    let url = url::Url::parse(s).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ParseError::new("must not contain credentials"));
    }
    Ok(url.to_string())
}

/// A login name derived from a company name: its letters and digits, lower case,
/// at most 20, then `digits` random digits (seed 001's `abcstore123`).
pub fn derived_username(company_name: &str, digits: u32) -> String {
    let mut base: String = company_name
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .take(20)
        .collect();
    if base.len() < 3 || !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("client{base}").chars().take(20).collect();
    }
    format!("{base}{}", random_digits(digits))
}

/// `digits` random decimal digits, zero-padded.
pub fn random_digits(digits: u32) -> String {
    use rand::Rng;
    let n = rand::thread_rng().gen_range(0..10u64.pow(digits));
    format!("{n:0width$}", width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstin_checks_shape_state_and_check_character() {
        assert_eq!(gstin("27aapfu0939f1zv").unwrap(), "27AAPFU0939F1ZV");
        assert!(gstin("29ABCDE1234F1ZW").is_ok(), "another valid GSTIN");
        assert!(gstin("27AAPFU0939F1ZA").is_err(), "wrong check character");
        assert!(gstin("27AAPFU0939F1Z").is_err(), "too short");
        assert!(gstin("00AAPFU0939F1ZV").is_err(), "no such state");
        assert!(gstin("27AAPF10939F1ZV").is_err(), "bad PAN");
    }

    #[test]
    fn phone_numbers_become_e164() {
        assert_eq!(phone_number("7093635305", "IN").unwrap(), "+917093635305");
        assert_eq!(
            phone_number("+91 70936 35305", "US").unwrap(),
            "+917093635305"
        );
        assert_eq!(
            phone_number("(415) 555-2671", "US").unwrap(),
            "+14155552671"
        );
        assert!(phone_number("12345", "IN").is_err());
        assert!(phone_number("not a number", "IN").is_err());
        assert!(phone_number("", "IN").is_err());
    }

    #[test]
    fn websites_are_http_urls() {
        assert_eq!(website("https://abc.store").unwrap(), "https://abc.store/");
        for bad in [
            "ftp://x.com",
            "javascript:alert(1)",
            "abc.store",
            "http://",
            "https://u:p@x.com",
        ] {
            assert!(website(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn derived_usernames_look_like_the_seed() {
        let u = derived_username("ABC Store", 3);
        assert!(u.starts_with("abcstore") && u.len() == 11, "{u}");
        assert!(super::super::Username::parse(&u).is_ok());
        let u = derived_username("Ω 1", 3);
        assert!(u.starts_with("client1"), "{u}");
        let long = derived_username(&"x".repeat(100), 4);
        assert_eq!(long.len(), 24);
    }

    #[test]
    fn enums_and_account_numbers() {
        assert_eq!(BusinessType::parse("retail").unwrap(), BusinessType::Retail);
        assert!(BusinessType::parse("Retail").is_err());
        assert_eq!(
            LeadStatus::parse("qualified").unwrap().as_str(),
            "qualified"
        );
        assert_eq!(account_number(1), "ACC001");
        assert_eq!(account_number(1234), "ACC1234");
    }

    #[test]
    fn text_bounds() {
        assert_eq!(text("  ABC  ", 1, 200, false).unwrap(), "ABC");
        assert!(text("", 1, 200, false).is_err());
        assert!(text(&"x".repeat(201), 1, 200, false).is_err());
        assert!(text("a\nb", 1, 10, false).is_err());
        assert!(text("a\nb", 1, 10, true).is_ok());
    }
}
