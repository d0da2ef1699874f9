use super::ParseError;

/// A login name: 3–64 characters of lower-case letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Input is folded to lower case, which makes
/// usernames unique case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_lowercase();
        let len = s.chars().count();
        if !(3..=64).contains(&len) {
            return Err(ParseError::new("must be 3 to 64 characters long"));
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(ParseError::new("must start with a letter or a digit"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(ParseError::new(
                "may hold only letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(Self(s))
    }

    /// A value read back from the store, which only ever holds parsed usernames.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The part of an address before the `@`, made into a valid username
    /// (`x@example.com` → `x-admin`); not yet checked or folded.
    pub fn from_email(email: &str) -> String {
        let local: String = email
            .split('@')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .skip_while(|c| !c.is_ascii_alphanumeric())
            .take(58)
            .collect();
        if local.len() < 3 {
            format!(
                "{}admin",
                if local.is_empty() {
                    String::new()
                } else {
                    format!("{local}-")
                }
            )
        } else {
            local
        }
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_trims() {
        assert_eq!(Username::parse("  John.Doe ").unwrap().as_ref(), "john.doe");
    }

    #[test]
    fn rejects_bad_shapes() {
        for bad in [
            "",
            "ab",
            ".abc",
            "-abc",
            "a b c",
            "abc!",
            "ünï",
            &"a".repeat(65),
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn accepts_seed_examples() {
        for good in ["abcstore123", "john.doe", "admin", "a_b-c"] {
            assert!(Username::parse(good).is_ok(), "{good:?} should be accepted");
        }
    }
}
