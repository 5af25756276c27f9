//! The promise: something we told a customer we would do, with an owner and a deadline.
//!
//! Every kind of follow-up (a callback now; replies, call-aheads and survey follow-ups later)
//! is a promise of some kind, so reminders, escalation and the dashboard work for all of them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseKind {
    /// Call a customer back who asked for it.
    Callback,
    /// Try again after nobody answered.
    CallbackRetry,
    /// Answer a customer's message.
    Reply,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseStatus {
    Open,
    /// Done on time.
    Kept,
    /// Done late, or given up.
    Broken,
    Cancelled,
}

/// Things that happen to a promise, kept as its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseEvent {
    Created,
    Reminded,
    Escalated,
    Reassigned,
    Kept,
    Broken,
    Cancelled,
}

macro_rules! str_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(PromiseKind { Callback => "callback", CallbackRetry => "callback_retry", Reply => "reply" });
str_enum!(PromiseStatus { Open => "open", Kept => "kept", Broken => "broken", Cancelled => "cancelled" });
str_enum!(PromiseEvent {
    Created => "created", Reminded => "reminded", Escalated => "escalated", Reassigned => "reassigned",
    Kept => "kept", Broken => "broken", Cancelled => "cancelled",
});

impl PromiseStatus {
    /// A promise fulfilled at `now` was kept if that is no later than its due time.
    pub fn on_fulfilment(due_at: DateTime<Utc>, now: DateTime<Utc>) -> PromiseStatus {
        if now <= due_at {
            PromiseStatus::Kept
        } else {
            PromiseStatus::Broken
        }
    }

    pub fn event(self) -> PromiseEvent {
        match self {
            PromiseStatus::Open => PromiseEvent::Created,
            PromiseStatus::Kept => PromiseEvent::Kept,
            PromiseStatus::Broken => PromiseEvent::Broken,
            PromiseStatus::Cancelled => PromiseEvent::Cancelled,
        }
    }
}

/// When the owner of a promise due at `due_at` is reminded.
pub fn reminder_at(due_at: DateTime<Utc>, lead: Duration) -> DateTime<Utc> {
    due_at - lead
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn fulfilment_on_or_before_due_is_kept_after_is_broken() {
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        assert_eq!(PromiseStatus::on_fulfilment(due, due), PromiseStatus::Kept);
        assert_eq!(
            PromiseStatus::on_fulfilment(due, due + Duration::seconds(1)),
            PromiseStatus::Broken
        );
    }

    #[test]
    fn names_round_trip() {
        for kind in [PromiseKind::Callback, PromiseKind::CallbackRetry] {
            assert_eq!(PromiseKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(PromiseStatus::parse("nonsense"), None);
    }
}
