//! Contracts and subscriptions: reading them from a CSV file (all rows checked before any is
//! taken, a bad one named by its line), when the outreach before the end date is due, and what
//! an outreach call can end in.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::booking_form::is_email;
use crate::csv_file::{self, parse_date};
use crate::hours::BusinessHours;
use crate::phone::normalise_phone;
use crate::promise::str_enum;

/// The columns a contracts file has, in its header row (any order; more columns are ignored).
pub const CSV_COLUMNS: [&str; 8] = [
    "external_id",
    "customer_name",
    "customer_email",
    "customer_phone",
    "product",
    "start_date",
    "end_date",
    "value_per_year",
];

/// Outreach starts this many days before the end date unless the owner chose otherwise.
pub const DEFAULT_OUTREACH_DAYS: i64 = 45;
/// "Undecided": ask again this many days later.
pub const UNDECIDED_AGAIN_DAYS: i64 = 14;
/// Files larger than this many rows are refused (split them).
pub const MAX_ROWS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    Renewed,
    Left,
    /// Spoken to, not decided yet: asked again later.
    Undecided,
}

str_enum!(ContractStatus { Active => "active", Renewed => "renewed", Left => "left", Undecided => "undecided" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractOutcome {
    Renewed,
    Left,
    Undecided,
}

str_enum!(ContractOutcome { Renewed => "renewed", Left => "left", Undecided => "undecided" });

impl ContractOutcome {
    pub fn status(self) -> ContractStatus {
        match self {
            ContractOutcome::Renewed => ContractStatus::Renewed,
            ContractOutcome::Left => ContractStatus::Left,
            ContractOutcome::Undecided => ContractStatus::Undecided,
        }
    }
}

impl ContractStatus {
    /// Still running: an outreach may be due.
    pub fn is_running(self) -> bool {
        matches!(self, ContractStatus::Active | ContractStatus::Undecided)
    }
}

/// One contract as a file or the API gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractInput {
    pub external_id: String,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// E.164.
    pub customer_phone: Option<String>,
    pub product: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: NaiveDate,
    /// Per year, in cents.
    pub value_cents: Option<i64>,
}

/// What is wrong with a field, a row or the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The header row lacks a required column.
    MissingColumn,
    Empty,
    TooLong,
    NotADate,
    NotAnEmail,
    NotAPhone,
    /// Neither an e-mail address nor a phone number: kept cannot know the customer.
    NoContact,
    NotAnAmount,
    TooManyRows,
    /// Not CSV as far as this row goes (what the reader said).
    Unreadable(String),
}

/// A problem and the column it is in, when it is in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub column: Option<&'static str>,
    pub problem: Problem,
}

impl FieldProblem {
    fn new(column: &'static str, problem: Problem) -> FieldProblem {
        FieldProblem {
            column: Some(column),
            problem,
        }
    }
}

impl std::fmt::Display for FieldProblem {
    /// In English, for the API; the pages say it in their own language.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let column = self.column.unwrap_or("the row");
        match &self.problem {
            Problem::MissingColumn => write!(
                f,
                "the header row has no column {column} (columns: {})",
                CSV_COLUMNS.join(",")
            ),
            Problem::Empty => write!(f, "{column} is empty"),
            Problem::TooLong => write!(f, "{column} is longer than 200 characters"),
            Problem::NotADate => write!(f, "{column} is not a date like 2027-03-31 or 31-03-2027"),
            Problem::NotAnEmail => write!(f, "{column} is not an e-mail address"),
            Problem::NotAPhone => write!(f, "{column} is not a phone number"),
            Problem::NoContact => write!(f, "customer_email or customer_phone is needed to know the customer"),
            Problem::NotAnAmount => write!(f, "{column} is not an amount like 1200.50 or 1.200,50"),
            Problem::TooManyRows => write!(f, "more than {MAX_ROWS} rows; split the file"),
            Problem::Unreadable(detail) => write!(f, "this line cannot be read: {detail}"),
        }
    }
}

/// Why a row was refused: its line in the file (1 is the header), the column, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field}")]
pub struct RowError {
    pub line: u64,
    pub field: FieldProblem,
}

/// The fields of one contract as text, before checking (a CSV row, or the API's JSON).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContractFields {
    pub external_id: String,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_phone: Option<String>,
    pub product: String,
    #[serde(default)]
    pub start_date: Option<String>,
    pub end_date: String,
    #[serde(default)]
    pub value_per_year: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ContractFields {
    /// Checks one contract; the error says which field and why.
    pub fn check(&self, default_region: &str) -> Result<ContractInput, FieldProblem> {
        let required = |value: &str, field: &'static str| match value.trim() {
            "" => Err(FieldProblem::new(field, Problem::Empty)),
            text if text.chars().count() > 200 => Err(FieldProblem::new(field, Problem::TooLong)),
            text => Ok(text.to_string()),
        };
        let date = |text: &str, field: &'static str| {
            parse_date(text).ok_or_else(|| FieldProblem::new(field, Problem::NotADate))
        };
        let email = match given(&self.customer_email) {
            Some(email) if is_email(email) => Some(email.to_lowercase()),
            Some(_) => return Err(FieldProblem::new("customer_email", Problem::NotAnEmail)),
            None => None,
        };
        let phone = given(&self.customer_phone)
            .map(|p| {
                normalise_phone(p, default_region).map_err(|_| FieldProblem::new("customer_phone", Problem::NotAPhone))
            })
            .transpose()?;
        if email.is_none() && phone.is_none() {
            return Err(FieldProblem {
                column: None,
                problem: Problem::NoContact,
            });
        }
        let start_date = given(&self.start_date).map(|d| date(d, "start_date")).transpose()?;
        let end_date = date(&self.end_date, "end_date")?;
        // The two dates the wrong way round are two columns swapped, not two contracts.
        let (start_date, end_date) = match start_date {
            Some(start) if start > end_date => (Some(end_date), start),
            other => (other, end_date),
        };
        Ok(ContractInput {
            external_id: required(&self.external_id, "external_id")?,
            customer_name: given(&self.customer_name).map(|n| n.chars().take(100).collect()),
            customer_email: email,
            customer_phone: phone,
            product: required(&self.product, "product")?,
            start_date,
            end_date,
            value_cents: given(&self.value_per_year)
                .map(parse_money)
                .transpose()
                .map_err(|_| FieldProblem::new("value_per_year", Problem::NotAnAmount))?,
        })
    }
}

/// "1200", "1200.50", "1.200,50" or "€ 99,95" → cents.
fn parse_money(text: &str) -> Result<i64, String> {
    let refused = || format!("value_per_year '{text}' is not an amount like 1200.50");
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace() && *c != '€').collect();
    // The last separator followed by one or two digits is the decimal one.
    let (whole, cents) = match cleaned.rfind([',', '.']) {
        Some(at) if cleaned.len() - at - 1 <= 2 => (&cleaned[..at], &cleaned[at + 1..]),
        _ => (cleaned.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| *c != '.' && *c != ',').collect();
    let whole: i64 = whole.parse().map_err(|_| refused())?;
    let cents: i64 = match cents.len() {
        0 => 0,
        1 => cents.parse::<i64>().map_err(|_| refused())? * 10,
        _ => cents.parse().map_err(|_| refused())?,
    };
    if whole < 0 {
        return Err(refused());
    }
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(refused)
}

/// One row of a file: its line, and the contract or why it does not hold.
pub type CsvRow = (u64, Result<ContractInput, RowError>);

/// A contracts file, every row checked: the good ones, and each bad one with why. `Err` when
/// the file as a whole cannot be read (no header row, a required column missing).
pub fn read_csv(file: &[u8], default_region: &str) -> Result<Vec<CsvRow>, RowError> {
    let text = csv_file::decode(file);
    let mut reader = csv_file::reader(&text);
    let header_error = |problem| RowError {
        line: 1,
        field: FieldProblem { column: None, problem },
    };
    // Column names as people type them: any case, stray spaces.
    let headers: csv::StringRecord = reader
        .headers()
        .map_err(|e| header_error(Problem::Unreadable(e.to_string())))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    for column in ["external_id", "product", "end_date"] {
        if !headers.iter().any(|h| h == column) {
            return Err(RowError {
                line: 1,
                field: FieldProblem::new(column, Problem::MissingColumn),
            });
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let position = match &record {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        };
        let line = position.map_or(0, |p| line_at(&text, p.byte()));
        let refused = |field| RowError { line, field };
        let unreadable = |e: &dyn std::fmt::Display| FieldProblem {
            column: None,
            problem: Problem::Unreadable(e.to_string()),
        };
        let row = record
            .map_err(|e| unreadable(&e))
            .and_then(|r| {
                r.deserialize::<ContractFields>(Some(&headers))
                    .map_err(|e| unreadable(&e))
            })
            .and_then(|fields| fields.check(default_region))
            .map_err(refused);
        rows.push((line, row));
        if rows.len() > MAX_ROWS {
            return Err(RowError {
                line,
                field: FieldProblem {
                    column: None,
                    problem: Problem::TooManyRows,
                },
            });
        }
    }
    Ok(rows)
}

/// The line a record starts on. csv's own line count is one short after a CRLF (Excel's line
/// end): it takes the "\n" as the next record's first byte. Counting the "\n"s up to and
/// including that byte is right for both line ends.
fn line_at(text: &str, byte: u64) -> u64 {
    let end = usize::try_from(byte).map_or(text.len(), |b| (b + 1).min(text.len()));
    1 + text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

/// When the outreach before `end_date` appears: at opening time, `days_before` days before
/// the end (the next opening when that day is closed), never before `now`.
pub fn outreach_at(hours: &BusinessHours, end_date: NaiveDate, days_before: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    let day = end_date
        .checked_sub_days(Days::new(days_before.max(0) as u64))
        .unwrap_or(end_date);
    let midnight = hours.instant(day, NaiveTime::MIN);
    hours.next_open(midnight).unwrap_or(midnight).max(now)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const FILE: &str = "external_id,customer_name,customer_email,customer_phone,product,start_date,end_date,value_per_year\n\
                        A-1,Jan Jansen,Jan@Example.nl,,Onderhoud,2023-04-01,2027-03-31,\"1.200,50\"\n\
                        A-2,Els,,06 12345678,Lease,,2027-05-15,99\n";

    fn good(file: &str) -> Vec<ContractInput> {
        read_csv(file.as_bytes(), "NL")
            .unwrap()
            .into_iter()
            .map(|(_, row)| row)
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_file_is_read_with_its_amounts_and_phone_numbers() {
        let rows = good(FILE);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].customer_email.as_deref(), Some("jan@example.nl"));
        assert_eq!(rows[0].value_cents, Some(120_050));
        assert_eq!(rows[1].customer_phone.as_deref(), Some("+31612345678"));
        assert_eq!(rows[1].value_cents, Some(9_900));
        assert_eq!(parse_money("1200.5"), Ok(120_050));
        assert_eq!(parse_money("€ 99,95"), Ok(9_995));
        assert!(parse_money("veel").is_err());
    }

    #[test]
    fn dutch_excel_files_are_read_as_excel_writes_them() {
        // Semicolons, a byte-order mark's absence and Windows-1252 (é, €), day-first dates,
        // decimal commas, capitalised headers and a quoted field with a line break.
        let mut file =
            b"External_ID;Customer_Name;customer_email;customer_phone;product;start_date;end_date;value_per_year\r\n"
                .to_vec();
        file.extend_from_slice(
            b"A-1;Ren\xE9e de Vries;renee@example.nl;;\"Onderhoud\r\nplus\";1-4-2023;31-03-2027;\x80 1.200,50\r\n",
        );
        file.extend_from_slice(b"A-2;Els;;06 12345678;Lease;;15-5-2027;99\r\n");
        let rows: Vec<_> = read_csv(&file, "NL").unwrap();
        let first = rows[0].1.as_ref().unwrap();
        assert_eq!(first.customer_name.as_deref(), Some("Renée de Vries"));
        assert_eq!(first.product, "Onderhoud\r\nplus");
        assert_eq!(first.start_date, NaiveDate::from_ymd_opt(2023, 4, 1));
        assert_eq!(first.end_date, NaiveDate::from_ymd_opt(2027, 3, 31).unwrap());
        assert_eq!(first.value_cents, Some(120_050));
        // The row after the one with a line break is named by its own line.
        assert_eq!(rows[1].0, 4);
        assert_eq!(
            rows[1].1.as_ref().unwrap().end_date,
            NaiveDate::from_ymd_opt(2027, 5, 15).unwrap()
        );
        let bad = [file.clone(), b"A-3;Piet;piet@;;Onderhoud;;31-03-2027;\r\n".to_vec()].concat();
        let error = read_csv(&bad, "NL").unwrap()[2].1.clone().unwrap_err();
        assert_eq!((error.line, error.field.column), (5, Some("customer_email")));
    }

    #[test]
    fn a_bad_row_is_named_by_its_line_and_column() {
        let bad = format!("{FILE}A-3,Piet,piet@example.nl,,Onderhoud,,31-13-2027,10\n");
        let rows = read_csv(bad.as_bytes(), "NL").unwrap();
        let error = rows[2].1.clone().unwrap_err();
        assert_eq!(error.line, 4);
        assert_eq!(error.field.column, Some("end_date"));
        assert_eq!(error.field.problem, Problem::NotADate);
        assert!(error.to_string().contains("end_date"), "{error}");
        let nobody = "external_id,product,end_date\nB-1,Onderhoud,2027-01-01\n";
        let error = read_csv(nobody.as_bytes(), "NL").unwrap()[0].1.clone().unwrap_err();
        assert_eq!((error.line, error.field.problem), (2, Problem::NoContact));
        let no_column = "id,product\n1,x\n";
        let error = read_csv(no_column.as_bytes(), "NL").unwrap_err();
        assert_eq!((error.line, error.field.column), (1, Some("external_id")));
    }

    #[test]
    fn outreach_appears_at_opening_time_weeks_before_the_end_also_across_a_clock_change() {
        let hours = BusinessHours::default();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        // Ends Monday 10 May 2027; 45 days before is Friday 26 March, winter time: 09:00 = 08:00 UTC.
        let end = NaiveDate::from_ymd_opt(2027, 5, 10).unwrap();
        assert_eq!(
            outreach_at(&hours, end, 45, now),
            Utc.with_ymd_and_hms(2027, 3, 26, 8, 0, 0).unwrap()
        );
        // 43 days before is Sunday 28 March (the clocks go forward): the next opening is
        // Monday 29 March 09:00 summer time = 07:00 UTC.
        assert_eq!(
            outreach_at(&hours, end, 43, now),
            Utc.with_ymd_and_hms(2027, 3, 29, 7, 0, 0).unwrap()
        );
        // Already within the window: at once.
        let soon = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        assert_eq!(outreach_at(&hours, soon, 45, now), now);
    }
}
