//! Cells of the CSV files kept hands out, made safe to open in a spreadsheet: a cell that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
//! LibreOffice (a customer named `=HYPERLINK("http://…","klik")` would become a live link in
//! the owner's spreadsheet), so it gets a leading `'`, which spreadsheets show as text and do
//! not display. Numbers ("-5", "-12,5") are left as they are: they are not formulas.

use std::borrow::Cow;

pub fn safe_cell(text: &str) -> Cow<'_, str> {
    let starts_formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = text.replace(',', ".").parse::<f64>().is_ok();
    if starts_formula && !number {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(
            safe_cell("=HYPERLINK(\"http://evil.example/\",\"klik\")"),
            "'=HYPERLINK(\"http://evil.example/\",\"klik\")"
        );
        for formula in ["+31 6 1234", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(formula).starts_with('\''), "{formula}");
        }
        for plain in ["Jan", "-5", "-12,5", "3", ""] {
            assert_eq!(safe_cell(plain), plain);
        }
    }
}
