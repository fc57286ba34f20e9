//! Every CSV file the app writes goes through this writer, which neutralises spreadsheet
//! formulas (OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`, `@`, a tab or
//! a carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
//! running it. A team name such as `=HYPERLINK(…)` arrives as the text it is.

/// A CSV writer into memory whose cells cannot be formulas.
pub struct CsvOut(csv::Writer<Vec<u8>>);

impl CsvOut {
    pub fn with_capacity(bytes: usize) -> CsvOut {
        CsvOut(csv::Writer::from_writer(Vec::with_capacity(bytes)))
    }

    pub fn record<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> csv::Result<()> {
        self.0
            .write_record(cells.into_iter().map(|c| neutralise(c).into_owned()))
    }

    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        self.0
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// The cell as text a spreadsheet will not evaluate.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() -> Result<(), Box<dyn std::error::Error>> {
        let mut out = CsvOut::with_capacity(64);
        out.record([
            "=1+2", "+45", "-x", "@SUM(A1)", "\tx", "\rx", "plain", "<10", "a=b",
        ])?;
        let text = String::from_utf8(out.into_bytes()?)?;
        assert_eq!(
            text,
            "'=1+2,'+45,'-x,'@SUM(A1),'\tx,\"'\rx\",plain,<10,a=b\n"
        );
        Ok(())
    }
}
