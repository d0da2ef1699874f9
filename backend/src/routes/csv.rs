//! CSV lines for exports, safe to open in a spreadsheet.

/// One CSV line (with `\r\n`). A cell that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`
/// (OWASP's advice); cells with separators, quotes or line breaks are quoted.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    push_line(&mut out, cells);
    out
}

/// [`line`], appended to `out` without allocating per cell.
pub fn push_line<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = cell.as_ref();
        let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
        // Bytes, not chars: each of these is one byte in UTF-8, and never part
        // of another character's bytes.
        if cell
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            out.push('"');
            if formula {
                out.push('\'');
            }
            for (i, part) in cell.split('"').enumerate() {
                if i > 0 {
                    out.push_str("\"\"");
                }
                out.push_str(part);
            }
            out.push('"');
        } else {
            if formula {
                out.push('\'');
            }
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formulas_and_quotes() {
        assert_eq!(line(&["a", "b"]), "a,b\r\n");
        assert_eq!(
            line(&["=1+1", "+91", "-2", "@x", "\tt"]),
            "'=1+1,'+91,'-2,'@x,'\tt\r\n"
        );
        assert_eq!(
            line(&["a,b", "say \"hi\"", "two\nlines"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(
            line(&["=HYPERLINK(\"x\",\"y\")"]),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n"
        );
    }
}
