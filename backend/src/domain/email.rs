use super::ParseError;
use validator::ValidateEmail;

/// An e-mail address, checked by the HTML5/WHATWG rules and folded to lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_lowercase();
        if s.len() > 254 {
            return Err(ParseError::new("must be at most 254 characters long"));
        }
        // A domain needs a dot: `someone@localhost` is not an address we can write to.
        let has_dotted_domain = s
            .rsplit_once('@')
            .is_some_and(|(_, d)| d.contains('.') && !d.starts_with('.') && !d.ends_with('.'));
        if !s.validate_email() || !has_dotted_domain {
            return Err(ParseError::new("must be a valid e-mail address"));
        }
        Ok(Self(s))
    }

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

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_folds() {
        assert_eq!(
            EmailAddress::parse(" ABC@Store.com ").unwrap().as_ref(),
            "abc@store.com"
        );
    }

    #[test]
    fn rejects_non_addresses() {
        for bad in [
            "",
            "abc",
            "abc@",
            "@store.com",
            "a b@store.com",
            "abc@localhost",
            "abc@.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
