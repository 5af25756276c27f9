//! What a use case can answer instead of a result. It knows nothing of HTTP: `http::errors`
//! turns it into a status and a JSON body or a page, in one place. People get a plain message;
//! the log gets the details.

use kept_domain::FieldError;
use kept_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("log in or send a valid API token")]
    Unauthorized,
    #[error("the form expired; reload the page and try again")]
    Forbidden,
    #[error("only the business owner may do this; ask an owner")]
    OwnerOnly,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Gone(String),
    #[error("too many requests; please wait a minute and try again")]
    TooManyRequests,
    /// The time asked for was booked a moment ago; the next free times (start, end) instead.
    #[error("that time was just booked; choose another")]
    SlotTaken(Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>),
    /// A row of an imported file does not hold (its line, column and what is wrong); nothing
    /// of the file was taken.
    #[error("{0}")]
    InvalidRow(kept_domain::contract::RowError),
    #[error("something went wrong on our side; nothing you sent was lost")]
    Internal(String),
}

impl AppError {
    /// One refused field: which, a stable code, and what to do about it.
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError {
            field,
            code,
            message: message.into(),
        }])
    }

    /// A stable code for programs: invalid, bad_request, unauthorized, forbidden, owner_only,
    /// not_found, conflict, rate_limited, internal …
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(fields) if refers_to(fields, STATE_CONFLICTS) => "conflict",
            AppError::Invalid(_) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::OwnerOnly => "owner_only",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Gone(_) => "gone",
            AppError::TooManyRequests => "rate_limited",
            AppError::SlotTaken(_) => "slot_taken",
            AppError::InvalidRow(_) => "invalid_row",
            AppError::Internal(_) => "internal",
        }
    }

    /// What a person may be shown (internal details stay in the log).
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "something went wrong on our side; nothing you sent was lost".into(),
            other => other.to_string(),
        }
    }
}

/// Refused fields that conflict with what is stored or with the clock, answered `conflict`
/// (409) with the fields listed. A request that fits the API's description may still name what
/// was never made or was removed (a location, a service, someone on the team, a callback
/// window), or ask for a time that is not free (any more) or already past, an address already
/// on the team, the team's last owner, taking oneself off the team. 404 is kept for the thing
/// the address names: a client (and schemathesis's stateful check) reads a 404 after creating
/// something as "what I just made is gone".
const STATE_CONFLICTS: &[&str] = &[
    "unknown_location",
    "unknown_service",
    "unknown_staff",
    "unknown_window",
    "unknown_id",
    "not_offered",
    "in_the_past",
    "email_taken",
    "last_owner",
    "own_account",
    "address_required",
    "needs_webhook_secret",
    "cannot_send",
    "no_address",
    "not_started",
];

/// Whether every refused field is of this kind (a request also wrong in itself stays 422).
fn refers_to(fields: &[FieldError], codes: &[&str]) -> bool {
    !fields.is_empty() && fields.iter().all(|f| codes.contains(&f.code))
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Duplicate => AppError::Conflict("this already exists".into()),
            StoreError::Taken => AppError::SlotTaken(Vec::new()),
            StoreError::Busy => AppError::Conflict("someone changed this at the same moment; try again".into()),
            StoreError::LastOwner => AppError::invalid("role", "last_owner", "the team needs at least one owner"),
            other => AppError::Internal(other.to_string()),
        }
    }
}
