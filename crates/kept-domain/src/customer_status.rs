//! What the customer's own page of their request says (`/p/<token>`): the state of what we
//! promised them, in plain words and in their language — honest when we are late, never a
//! time in the past.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::callback::CallbackStatus;
use crate::conversation::ConversationStatus;
use crate::lang::Lang;
use crate::promise::{PromiseStatus, str_enum};

/// What a page is about: a conversation (we answer) or a callback request (we call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusSubject {
    Conversation,
    Callback,
}

str_enum!(StatusSubject { Conversation => "conversation", Callback => "callback" });

/// The state of what we promised, as the customer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerSees {
    /// We will answer (or call) by `due`; `who` is the first name of the one who will.
    Promised { who: Option<String>, due: DateTime<Utc> },
    /// Past the time we gave and not done: said so, with who has it now.
    Late { who: Option<String> },
    /// We answered; they may write back (kept's "waiting on the customer").
    Answered,
    /// The conversation is closed, or we called them.
    Done,
    /// We called and the number was wrong.
    WrongNumber,
    /// The promise was withdrawn: no longer needed.
    Withdrawn,
}

/// Where a request stands: the status of its conversation or callback request, and of the
/// promise to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Conversation(ConversationStatus),
    Callback(CallbackStatus),
}

impl CustomerSees {
    /// What the customer sees, at `now`, of a request standing so, whose promise has `promise`
    /// (status, due) and is owned by `owner` (a full name; the page shows the first).
    pub fn of(
        standing: Standing,
        promise: Option<(PromiseStatus, DateTime<Utc>)>,
        owner: Option<&str>,
        now: DateTime<Utc>,
    ) -> CustomerSees {
        let who = owner.and_then(first_name);
        let open_promise = match promise {
            Some((PromiseStatus::Open, due)) => Some(due),
            _ => None,
        };
        match (standing, open_promise) {
            (Standing::Conversation(ConversationStatus::Resolved), _) => CustomerSees::Done,
            (Standing::Callback(CallbackStatus::Reached), _) => CustomerSees::Done,
            (Standing::Callback(CallbackStatus::WrongNumber), _) => CustomerSees::WrongNumber,
            (Standing::Callback(CallbackStatus::Cancelled), _) => CustomerSees::Withdrawn,
            (_, Some(due)) if due > now => CustomerSees::Promised { who, due },
            (_, Some(_)) => CustomerSees::Late { who },
            (_, None) => match promise {
                Some((PromiseStatus::Cancelled, _)) => CustomerSees::Withdrawn,
                _ => CustomerSees::Answered,
            },
        }
    }

    /// The sentence the page leads with: "Sanne antwoordt u uiterlijk vandaag om 16:30."
    pub fn sentence(&self, subject: StatusSubject, lang: Lang, now: DateTime<Utc>, tz: Tz) -> String {
        let call = subject == StatusSubject::Callback;
        match self {
            CustomerSees::Promised { who, due } => promised(who.as_deref(), *due, call, lang, now, tz),
            CustomerSees::Late { who } => late(who.as_deref(), call, lang),
            CustomerSees::Answered => match lang {
                Lang::Nl => "We hebben u geantwoord. Schrijf gerust terug als er nog iets is.".into(),
                Lang::En => "We have answered you. Do write back if there is anything else.".into(),
            },
            CustomerSees::Done => match (call, lang) {
                (true, Lang::Nl) => "We hebben u gebeld.".into(),
                (true, Lang::En) => "We have called you.".into(),
                (false, Lang::Nl) => "Uw vraag is afgehandeld.".into(),
                (false, Lang::En) => "Your question has been dealt with.".into(),
            },
            CustomerSees::WrongNumber => match lang {
                Lang::Nl => "We konden u op dit nummer niet bereiken. Vraag gerust opnieuw om terugbellen.".into(),
                Lang::En => "We could not reach you on this number. Do ask again to be called back.".into(),
            },
            CustomerSees::Withdrawn => match lang {
                Lang::Nl => "Dit verzoek is ingetrokken: het is niet meer nodig.".into(),
                Lang::En => "This request was withdrawn: it is no longer needed.".into(),
            },
        }
    }
}

fn promised(who: Option<&str>, due: DateTime<Utc>, call: bool, lang: Lang, now: DateTime<Utc>, tz: Tz) -> String {
    let due = due.with_timezone(&tz);
    let day = lang.day_phrase(due, now.with_timezone(&tz));
    let time = due.format("%H:%M");
    match (lang, call, who) {
        (Lang::Nl, true, Some(who)) => format!("{who} belt u uiterlijk {day} om {time}."),
        (Lang::Nl, true, None) => format!("We bellen u uiterlijk {day} om {time}."),
        (Lang::Nl, false, Some(who)) => format!("{who} antwoordt u uiterlijk {day} om {time}."),
        (Lang::Nl, false, None) => format!("We antwoorden u uiterlijk {day} om {time}."),
        (Lang::En, true, Some(who)) => format!("{who} will call you {day} by {time}."),
        (Lang::En, true, None) => format!("We will call you {day} by {time}."),
        (Lang::En, false, Some(who)) => format!("{who} will answer you {day} by {time}."),
        (Lang::En, false, None) => format!("We will answer you {day} by {time}."),
    }
}

fn late(who: Option<&str>, call: bool, lang: Lang) -> String {
    let action = match (lang, call) {
        (Lang::Nl, true) => "belt u zo snel mogelijk",
        (Lang::Nl, false) => "antwoordt u zo snel mogelijk",
        (Lang::En, true) => "will call you as soon as possible",
        (Lang::En, false) => "will answer you as soon as possible",
    };
    match (lang, who) {
        (Lang::Nl, Some(who)) => {
            format!("Dit duurt langer dan we beloofden. Excuses. {who} heeft uw vraag en {action}.")
        }
        (Lang::Nl, None) => format!("Dit duurt langer dan we beloofden. Excuses. We {}.", plural_nl(action)),
        (Lang::En, Some(who)) => {
            format!("This is taking longer than we promised. We are sorry. {who} has your question and {action}.")
        }
        (Lang::En, None) => format!("This is taking longer than we promised. We are sorry. We {action}."),
    }
}

/// "belt u" → "bellen u", "antwoordt u" → "antwoorden u": the verb after "we".
fn plural_nl(action: &str) -> String {
    action
        .replacen("belt", "bellen", 1)
        .replacen("antwoordt", "antwoorden", 1)
}

/// "Sanne" of "Sanne de Vries": the page names staff by first name only.
pub fn first_name(full: &str) -> Option<String> {
    full.split_whitespace().next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // Tuesday 8 December 2026; Amsterdam is UTC+1.
        Utc.with_ymd_and_hms(2026, 12, 8, h, m, 0).unwrap()
    }

    const OPEN: Standing = Standing::Conversation(ConversationStatus::Open);

    #[test]
    fn an_open_promise_names_the_first_name_and_the_time_in_the_business_time_zone() {
        let sees = CustomerSees::of(
            OPEN,
            Some((PromiseStatus::Open, at(15, 30))),
            Some("Sanne de Vries"),
            at(9, 0),
        );
        let tz = chrono_tz::Europe::Amsterdam;
        assert_eq!(
            sees.sentence(StatusSubject::Conversation, Lang::Nl, at(9, 0), tz),
            "Sanne antwoordt u uiterlijk vandaag om 16:30."
        );
        assert_eq!(
            sees.sentence(StatusSubject::Callback, Lang::En, at(9, 0), tz),
            "Sanne will call you today by 16:30."
        );
        let nobody = CustomerSees::of(OPEN, Some((PromiseStatus::Open, at(15, 30))), None, at(9, 0));
        assert_eq!(
            nobody.sentence(StatusSubject::Callback, Lang::Nl, at(9, 0), tz),
            "We bellen u uiterlijk vandaag om 16:30."
        );
    }

    #[test]
    fn past_the_time_it_apologises_and_gives_no_time_in_the_past() {
        let sees = CustomerSees::of(OPEN, Some((PromiseStatus::Open, at(9, 0))), Some("Olga"), at(10, 0));
        assert_eq!(
            sees,
            CustomerSees::Late {
                who: Some("Olga".into())
            }
        );
        let tz = chrono_tz::Europe::Amsterdam;
        let nl = sees.sentence(StatusSubject::Callback, Lang::Nl, at(10, 0), tz);
        assert_eq!(
            nl,
            "Dit duurt langer dan we beloofden. Excuses. Olga heeft uw vraag en belt u zo snel mogelijk."
        );
        assert!(!nl.contains("10:00"), "{nl}");
        let nobody = CustomerSees::of(OPEN, Some((PromiseStatus::Open, at(9, 0))), None, at(10, 0));
        assert_eq!(
            nobody.sentence(StatusSubject::Conversation, Lang::Nl, at(10, 0), tz),
            "Dit duurt langer dan we beloofden. Excuses. We antwoorden u zo snel mogelijk."
        );
    }

    #[test]
    fn answered_waiting_done_and_withdrawn() {
        let now = at(10, 0);
        let kept = Some((PromiseStatus::Kept, at(9, 0)));
        assert_eq!(CustomerSees::of(OPEN, kept, None, now), CustomerSees::Answered);
        let waiting = Standing::Conversation(ConversationStatus::WaitingOnCustomer);
        assert_eq!(CustomerSees::of(waiting, kept, None, now), CustomerSees::Answered);
        let resolved = Standing::Conversation(ConversationStatus::Resolved);
        assert_eq!(CustomerSees::of(resolved, kept, None, now), CustomerSees::Done);
        let reached = Standing::Callback(CallbackStatus::Reached);
        assert_eq!(CustomerSees::of(reached, kept, None, now), CustomerSees::Done);
        let cancelled = Standing::Callback(CallbackStatus::Cancelled);
        let withdrawn = Some((PromiseStatus::Cancelled, at(9, 0)));
        assert_eq!(
            CustomerSees::of(cancelled, withdrawn, None, now),
            CustomerSees::Withdrawn
        );
        let wrong = Standing::Callback(CallbackStatus::WrongNumber);
        assert_eq!(CustomerSees::of(wrong, None, None, now), CustomerSees::WrongNumber);
    }

    #[test]
    fn a_first_name_is_the_first_word() {
        assert_eq!(first_name("  Sanne de Vries "), Some("Sanne".into()));
        assert_eq!(first_name(" "), None);
    }
}
