//! Contracts and subscriptions: reading them from a CSV file (all rows checked before any is
//! taken, a bad one named by its line), when the outreach before the end date is due, and what
//! an outreach call can end in.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::booking_form::is_email;
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

/// Why a row was refused: its line in the file (1 is the header) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    pub line: u64,
    pub message: String,
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
    pub fn check(&self, default_region: &str) -> Result<ContractInput, String> {
        let required = |value: &str, field: &str| match value.trim() {
            "" => Err(format!("{field} is empty")),
            text if text.chars().count() > 200 => Err(format!("{field} is longer than 200 characters")),
            text => Ok(text.to_string()),
        };
        let date = |text: &str, field: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| format!("{field} is not a date like 2027-03-31"))
        };
        let email = match given(&self.customer_email) {
            Some(email) if is_email(email) => Some(email.to_lowercase()),
            Some(_) => return Err("customer_email is not an e-mail address".into()),
            None => None,
        };
        let phone = given(&self.customer_phone)
            .map(|p| normalise_phone(p, default_region).map_err(|e| format!("customer_phone: {e}")))
            .transpose()?;
        if email.is_none() && phone.is_none() {
            return Err("customer_email or customer_phone is needed to know the customer".into());
        }
        let start_date = given(&self.start_date).map(|d| date(d, "start_date")).transpose()?;
        let end_date = date(&self.end_date, "end_date")?;
        if start_date.is_some_and(|start| start > end_date) {
            return Err("start_date is after end_date".into());
        }
        Ok(ContractInput {
            external_id: required(&self.external_id, "external_id")?,
            customer_name: given(&self.customer_name).map(|n| n.chars().take(100).collect()),
            customer_email: email,
            customer_phone: phone,
            product: required(&self.product, "product")?,
            start_date,
            end_date,
            value_cents: given(&self.value_per_year).map(parse_money).transpose()?,
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

/// Reads a whole contracts file; the first bad row stops it (nothing of a file is half taken).
pub fn read_csv(text: &str, default_region: &str) -> Result<Vec<ContractInput>, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| RowError {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    for column in ["external_id", "product", "end_date"] {
        if !headers.iter().any(|h| h == column) {
            return Err(RowError {
                line: 1,
                message: format!(
                    "the header row has no column {column} (columns: {})",
                    CSV_COLUMNS.join(",")
                ),
            });
        }
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let refused = |message: String| RowError { line, message };
        let record = record.map_err(|e| refused(e.to_string()))?;
        let fields: ContractFields = record.deserialize(Some(&headers)).map_err(|e| refused(e.to_string()))?;
        rows.push(fields.check(default_region).map_err(refused)?);
        if rows.len() > MAX_ROWS {
            return Err(refused(format!("more than {MAX_ROWS} rows; split the file")));
        }
    }
    Ok(rows)
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

    #[test]
    fn a_file_is_read_with_its_amounts_and_phone_numbers() {
        let rows = read_csv(FILE, "NL").unwrap();
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
    fn a_bad_row_is_named_by_its_line() {
        let bad = format!("{FILE}A-3,Piet,piet@example.nl,,Onderhoud,,31-03-2027,10\n");
        let error = read_csv(&bad, "NL").unwrap_err();
        assert_eq!(error.line, 4);
        assert!(error.message.contains("end_date"), "{}", error.message);
        let nobody = "external_id,product,end_date\nB-1,Onderhoud,2027-01-01\n";
        assert_eq!(read_csv(nobody, "NL").unwrap_err().line, 2);
        let no_column = "id,product\n1,x\n";
        assert_eq!(read_csv(no_column, "NL").unwrap_err().line, 1);
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
