use super::{ParseError, Timestamp};

/// A product module's name (seed 000): `billing`, `whatsapp_reports`, …
/// 2–50 lower-case letters, digits and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleName(String);

impl ModuleName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        let len = s.chars().count();
        if !(2..=50).contains(&len)
            || !s.starts_with(|c: char| c.is_ascii_lowercase())
            || !s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(ParseError::new(
                "must be 2 to 50 lower-case letters, digits or '_', starting with a letter",
            ));
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

/// An entry of the module catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub name: String,
    pub label: String,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(ModuleName::parse("whatsapp_reports").is_ok());
        assert!(ModuleName::parse(" crm ").is_ok());
        for bad in [
            "",
            "a",
            "Billing",
            "1abc",
            "bill-ing",
            "bill ing",
            &"a".repeat(51),
        ] {
            assert!(ModuleName::parse(bad).is_err(), "{bad}");
        }
    }
}
