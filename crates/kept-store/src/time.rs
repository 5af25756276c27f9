//! Times are stored as milliseconds since the epoch: one representation both databases
//! compare and index the same way.

use chrono::{DateTime, Utc};

pub fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
