//! CSV files as spreadsheets really save them. Dutch Excel writes "CSV (gescheiden door
//! lijstscheidingsteken)" with semicolons, in Windows-1252, with dates as 31-12-2026 and
//! amounts as 1.200,50; "CSV UTF-8" starts with a byte-order mark; Google Sheets and
//! LibreOffice write commas and UTF-8. Fields in quotes may hold line breaks.

use chrono::NaiveDate;

/// The file as text: UTF-8 (its byte-order mark dropped), or else Windows-1252, which is what
/// a spreadsheet on Windows saves when it is not told otherwise (and a superset of Latin-1).
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The separator the header row uses: the most frequent of `;`, `,` and tab outside quotes
/// (a comma when there is none).
pub fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut counts = [(b';', 0), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in header.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(count) = counts.iter_mut().find(|(d, _)| *d == byte) {
            count.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

/// A reader for `text` with its own separator, fields trimmed.
pub fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// A date as spreadsheets write it: 2026-12-31, 31-12-2026, 1-2-2027, 31/12/2026 or 31.12.2026
/// (day first, as in the Netherlands; never month first).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
        // Two-digit years are refused: 31-12-26 could be any century.
        .filter(|date| (1900..=2200).contains(&chrono::Datelike::year(date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_files_are_read_in_their_encoding_and_with_their_separator() {
        assert_eq!(decode(b"\xEF\xBB\xBFcaf\xC3\xA9"), "café");
        assert_eq!(decode(b"caf\xE9 \x80 99"), "café € 99");
        assert_eq!(delimiter("external_id;customer_name;\"a,b\";end_date\n1;2;3;4"), b';');
        assert_eq!(delimiter("external_id,customer_name\n"), b',');
        assert_eq!(delimiter("external_id\tproduct\n"), b'\t');
        assert_eq!(delimiter("external_id\n"), b',');
    }

    #[test]
    fn dates_are_read_day_first_in_every_usual_form() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("2026-12-31"), date(2026, 12, 31));
        assert_eq!(parse_date("31-12-2026"), date(2026, 12, 31));
        assert_eq!(parse_date("1-2-2027"), date(2027, 2, 1));
        assert_eq!(parse_date("01/02/2027"), date(2027, 2, 1));
        assert_eq!(parse_date("1.2.2027"), date(2027, 2, 1));
        assert_eq!(parse_date("31-12-26"), None);
        assert_eq!(parse_date("12/31/2026"), None, "month first is not a Dutch date");
        assert_eq!(parse_date("morgen"), None);
    }
}
