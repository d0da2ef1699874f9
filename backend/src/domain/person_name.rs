use super::ParseError;

/// A person's display name: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("must not be empty"));
        }
        if s.chars().count() > 100 {
            return Err(ParseError::new("must be at most 100 characters long"));
        }
        if s.chars().any(char::is_control) {
            return Err(ParseError::new("must not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    /// A value read back from the store, which only holds parsed names.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl AsRef<str> for PersonName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_checks() {
        assert_eq!(PersonName::parse("  Ada  ").unwrap().as_ref(), "Ada");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }
}
