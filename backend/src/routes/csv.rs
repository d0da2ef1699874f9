//! CSV for exports, safe to open in a spreadsheet: written by the `csv` crate,
//! with one rule of our own, the formula guard.

use std::borrow::Cow;

/// A cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, tab or carriage return) gets a leading `'` (OWASP's advice).
fn guarded(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Lines of CSV (each ending in `\r\n`), every cell guarded, quoted where it
/// holds a separator, a quote or a line break.
pub struct Lines {
    writer: csv::Writer<Vec<u8>>,
}

impl Lines {
    /// Room for about `bytes` of lines without growing.
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::with_capacity(bytes)),
        }
    }

    pub fn push<S: AsRef<str>>(&mut self, cells: &[S]) {
        // Field by field, so a cell is copied only when guarded; writing into
        // memory cannot fail.
        for cell in cells {
            let _ = self.writer.write_field(guarded(cell.as_ref()).as_bytes());
        }
        let _ = self.writer.write_record(None::<&[u8]>);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.writer.into_inner().unwrap_or_default()
    }
}

/// One line (a header's).
pub fn line<S: AsRef<str>>(cells: &[S]) -> Vec<u8> {
    let mut lines = Lines::with_capacity(256);
    lines.push(cells);
    lines.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cells: &[&str]) -> String {
        String::from_utf8(line(cells)).unwrap()
    }

    #[test]
    fn neutralises_formulas_and_quotes() {
        assert_eq!(text(&["a", "b"]), "a,b\r\n");
        assert_eq!(text(&["a", "", "c"]), "a,,c\r\n");
        assert_eq!(
            text(&["=1+1", "+91", "-2", "@x", "\tt"]),
            "'=1+1,'+91,'-2,'@x,'\tt\r\n"
        );
        assert_eq!(
            text(&["a,b", "say \"hi\"", "two\nlines"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(
            text(&["=HYPERLINK(\"x\",\"y\")"]),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n"
        );
    }
}
