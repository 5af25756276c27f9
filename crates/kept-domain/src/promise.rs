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
    /// Something a staff member told a customer they would do, in their own words
    /// ("I will send you the quote on Thursday").
    FollowUp,
    /// A technician calls the customer before a field visit ("on my way").
    CallAhead,
    /// Call a customer who gave a low score (or left) and put it right.
    Recovery,
    /// Talk to a customer before their contract or subscription ends.
    Retention,
    /// Get in touch with a customer who declined their appointment's calendar invitation
    /// (about the appointment): keep it, move it or cancel it together.
    Rebook,
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
            /// Every code, in declaration order (for documents that list the allowed values).
            pub const CODES: &'static [&'static str] = &[$($text),+];
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            /// The code as a quoted SQL literal (`'open'`): the store builds its query texts
            /// from these at compile time, so a status in SQL is the enum's, never a typo.
            pub const fn sql(self) -> &'static str {
                match self { $(Self::$variant => concat!("'", $text, "'")),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(PromiseKind {
    Callback => "callback", CallbackRetry => "callback_retry", Reply => "reply", FollowUp => "follow_up",
    CallAhead => "call_ahead", Recovery => "recovery", Retention => "retention", Rebook => "rebook",
});
str_enum!(PromiseStatus { Open => "open", Kept => "kept", Broken => "broken", Cancelled => "cancelled" });
str_enum!(PromiseEvent {
    Created => "created", Reminded => "reminded", Escalated => "escalated", Reassigned => "reassigned",
    Kept => "kept", Broken => "broken", Cancelled => "cancelled",
});

impl PromiseKind {
    /// The kinds with lists of their own (the callback requests, the inbox): nearly all
    /// promises. The home page lists the other kinds' open ones together.
    pub const WITH_OWN_LIST: [PromiseKind; 3] = [PromiseKind::Reply, PromiseKind::Callback, PromiseKind::CallbackRetry];
}

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

/// How an open promise ends. Each ending happens once: a closed promise never changes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// Done: kept when on time, broken when late.
    Fulfilled,
    /// No longer owed, with the reason recorded in its history.
    Cancelled(CancelReason),
    /// Given up on without being done: broken whatever the time.
    GivenUp,
}

/// Why a promise stopped being owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// Staff resolved the conversation without answering (before the answer was due; after,
    /// the promise is broken).
    Resolved,
    /// The customer's data was erased at their request.
    Erased,
    /// The staff member withdrew it (a follow-up that is no longer needed), or its appointment
    /// was cancelled or moved (a call-ahead).
    Withdrawn,
    /// The customer answered a message that waited for their answer: nobody needs to ask.
    Answered,
}

str_enum!(CancelReason { Resolved => "resolved", Erased => "erased", Withdrawn => "withdrawn", Answered => "answered" });

/// Refused by the promise state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("this promise is already closed ({})", .0.as_str())]
    AlreadyClosed(PromiseStatus),
    #[error("a {} promise cannot end that way", .0.as_str())]
    NotAllowed(PromiseKind),
}

impl PromiseKind {
    /// The kinds any contact with the customer fulfils — a call made or answered, a reply
    /// written: a recovery call after a low score, and getting in touch about a declined
    /// appointment. The others have their own subject (a callback request, a conversation …).
    pub const FULFILLED_BY_ANY_CONTACT: [PromiseKind; 2] = [PromiseKind::Recovery, PromiseKind::Rebook];

    /// Which endings a kind allows. A callback is fulfilled by an attempt to call (even one
    /// nobody answers); it is only cancelled when the customer's data is erased.
    pub fn allows(self, closing: Closing) -> bool {
        matches!(
            (self, closing),
            (
                _,
                Closing::Fulfilled | Closing::GivenUp | Closing::Cancelled(CancelReason::Erased)
            ) | (PromiseKind::Reply, Closing::Cancelled(CancelReason::Resolved))
                | (
                    PromiseKind::FollowUp
                        | PromiseKind::CallAhead
                        | PromiseKind::Recovery
                        | PromiseKind::Retention
                        | PromiseKind::Rebook,
                    Closing::Cancelled(CancelReason::Withdrawn)
                )
        )
    }

    /// The channel a promise of this kind is kept on, when its subject does not say: calls
    /// for callbacks and the calls staff make, "other" for what staff said they would do. A
    /// reply is on its conversation's channel, which the conversation says.
    pub fn usual_channel(self) -> &'static str {
        match self {
            PromiseKind::FollowUp | PromiseKind::Reply => "other",
            PromiseKind::Callback
            | PromiseKind::CallbackRetry
            | PromiseKind::CallAhead
            | PromiseKind::Recovery
            | PromiseKind::Retention
            | PromiseKind::Rebook => "phone",
        }
    }

    /// Every kind, for lists and tests that must cover them all.
    pub const ALL: [PromiseKind; 8] = [
        PromiseKind::Callback,
        PromiseKind::CallbackRetry,
        PromiseKind::Reply,
        PromiseKind::FollowUp,
        PromiseKind::CallAhead,
        PromiseKind::Recovery,
        PromiseKind::Retention,
        PromiseKind::Rebook,
    ];
}

/// The one state machine for promises: the status an open promise of `kind`, due at `due_at`,
/// takes when it ends with `closing` at `now`.
pub fn close(
    kind: PromiseKind,
    current: PromiseStatus,
    due_at: DateTime<Utc>,
    closing: Closing,
    now: DateTime<Utc>,
) -> Result<PromiseStatus, TransitionError> {
    if current != PromiseStatus::Open {
        return Err(TransitionError::AlreadyClosed(current));
    }
    if !kind.allows(closing) {
        return Err(TransitionError::NotAllowed(kind));
    }
    Ok(match closing {
        Closing::Fulfilled => PromiseStatus::on_fulfilment(due_at, now),
        // Resolving a conversation nobody answered in time does not make the late answer
        // disappear: the promise was broken. Only before it is due is it no longer owed.
        Closing::Cancelled(CancelReason::Resolved) if now > due_at => PromiseStatus::Broken,
        Closing::Cancelled(_) => PromiseStatus::Cancelled,
        Closing::GivenUp => PromiseStatus::Broken,
    })
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
    fn resolving_without_an_answer_is_cancelled_before_the_due_time_and_broken_after() {
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let resolved = Closing::Cancelled(CancelReason::Resolved);
        let close_at = |now| close(PromiseKind::Reply, PromiseStatus::Open, due, resolved, now);
        assert_eq!(close_at(due - Duration::minutes(1)), Ok(PromiseStatus::Cancelled));
        assert_eq!(close_at(due + Duration::minutes(1)), Ok(PromiseStatus::Broken));
    }

    #[test]
    fn an_open_promise_closes_once() {
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let late = due + Duration::minutes(5);
        let reply = PromiseKind::Reply;
        assert_eq!(
            close(reply, PromiseStatus::Open, due, Closing::Fulfilled, late),
            Ok(PromiseStatus::Broken)
        );
        assert_eq!(
            close(reply, PromiseStatus::Open, due, Closing::GivenUp, due),
            Ok(PromiseStatus::Broken)
        );
        let resolved = Closing::Cancelled(CancelReason::Resolved);
        assert_eq!(
            close(reply, PromiseStatus::Open, due, resolved, due),
            Ok(PromiseStatus::Cancelled)
        );
        for closed in [PromiseStatus::Kept, PromiseStatus::Broken, PromiseStatus::Cancelled] {
            assert_eq!(
                close(reply, closed, due, Closing::Fulfilled, due),
                Err(TransitionError::AlreadyClosed(closed))
            );
        }
    }

    #[test]
    fn kinds_allow_their_own_endings() {
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let resolved = Closing::Cancelled(CancelReason::Resolved);
        assert_eq!(
            close(PromiseKind::Callback, PromiseStatus::Open, due, resolved, due),
            Err(TransitionError::NotAllowed(PromiseKind::Callback))
        );
        for kind in PromiseKind::ALL {
            assert!(kind.allows(Closing::Cancelled(CancelReason::Erased)), "{kind:?}");
        }
        assert!(PromiseKind::FollowUp.allows(Closing::Cancelled(CancelReason::Withdrawn)));
    }

    #[test]
    fn names_round_trip() {
        for kind in PromiseKind::ALL {
            assert_eq!(PromiseKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(PromiseStatus::parse("nonsense"), None);
    }
}
