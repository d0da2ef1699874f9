use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The 10,000 most common passwords (Django's list, itself from Royce Williams'
/// frequency-ordered list), one a line.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_PASSWORDS.lines().map(str::trim).collect())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("must be at least {MIN_LEN} characters long")]
    TooShort,
    #[error("must be at most {MAX_LEN} characters long")]
    TooLong,
    #[error("is one of the most common passwords; choose another")]
    TooCommon,
}

/// A new password that meets the policy: 8–128 characters and not among the most
/// common passwords. It is checked before any hashing, so a huge input costs nothing.
#[derive(Debug, Clone)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(input: SecretString) -> Result<Self, PasswordPolicyError> {
        let s = input.expose_secret();
        // Count characters, but stop early: a megabyte costs no more than 129 steps.
        let len = s.chars().take(MAX_LEN + 1).count();
        if len < MIN_LEN {
            return Err(PasswordPolicyError::TooShort);
        }
        if len > MAX_LEN {
            return Err(PasswordPolicyError::TooLong);
        }
        if common_passwords().contains(s.to_lowercase().as_str()) {
            return Err(PasswordPolicyError::TooCommon);
        }
        Ok(Self(input))
    }

    /// A password the service generated itself (already random and long).
    pub fn generated(s: String) -> Self {
        Self(SecretString::from(s))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Password, PasswordPolicyError> {
        Password::parse(SecretString::from(s.to_owned()))
    }

    #[test]
    fn length_bounds() {
        assert_eq!(p("short").unwrap_err(), PasswordPolicyError::TooShort);
        assert_eq!(
            p(&"x7Q".repeat(43)).unwrap_err(),
            PasswordPolicyError::TooLong
        );
        assert!(p(&"x7Qa".repeat(32)).is_ok());
        assert!(p("Tr0ub4dor&3x").is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Eight characters, sixteen bytes; seven are too few, 128 are allowed
        // and 129 are too many, whatever their bytes.
        assert!(p("éééééééé").is_ok());
        assert_eq!(p("ééééééé").unwrap_err(), PasswordPolicyError::TooShort);
        assert!(p(&"é".repeat(MAX_LEN)).is_ok());
        assert_eq!(
            p(&"é".repeat(MAX_LEN + 1)).unwrap_err(),
            PasswordPolicyError::TooLong
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert_eq!(p("password").unwrap_err(), PasswordPolicyError::TooCommon);
        assert_eq!(p("PassWord1").unwrap_err(), PasswordPolicyError::TooCommon);
        assert_eq!(p("12345678").unwrap_err(), PasswordPolicyError::TooCommon);
        assert!(common_passwords().len() >= 9_900);
    }

    #[test]
    fn debug_hides_the_secret() {
        let pw = p("Tr0ub4dor&3x").unwrap();
        assert!(!format!("{pw:?}").contains("Tr0ub4dor"));
    }
}

/// Characters for generated passwords: no look-alikes (0/O, 1/l/I, 5/S, 2/Z, 8/B).
const GENERATED_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679!@#%*-_=+";

impl Password {
    /// A fresh random password of `len` characters (at least 12).
    pub fn generate(len: usize) -> Self {
        use rand::Rng;
        let mut rng = rand::rngs::OsRng;
        let s: String = (0..len.max(12))
            .map(|_| GENERATED_ALPHABET[rng.gen_range(0..GENERATED_ALPHABET.len())] as char)
            .collect();
        Self::generated(s)
    }
}

#[cfg(test)]
mod generate_tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_distinct_and_unambiguous() {
        let a = Password::generate(16);
        let b = Password::generate(4);
        assert_eq!(a.expose().len(), 16);
        assert_eq!(b.expose().len(), 12, "never shorter than 12");
        assert_ne!(a.expose(), Password::generate(16).expose());
        assert!(!a.expose().contains(['0', 'O', '1', 'l', 'I']));
    }
}
