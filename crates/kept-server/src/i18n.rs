//! The words of the web pages, in Dutch and English.

mod booking;
pub mod contract_import;
mod contracts;
pub mod customer_export;
pub mod deliveries;
mod errors;
pub mod first_day;
pub mod first_messages;
mod inbox;
mod insights;
mod settings;
mod status_page;
mod surveys;
mod team;

use kept_domain::Lang;

pub use booking::{BookingTexts, booking_texts};
pub use contracts::{ContractTexts, contract_texts};
pub use errors::error_texts;
pub use inbox::{InboxTexts, inbox_texts};
pub use insights::{InsightTexts, insight_texts};
pub use settings::{SettingsTexts, settings_texts};
pub use status_page::{StatusTexts, status_texts};
pub use surveys::{SurveyTexts, survey_question, survey_texts};
pub use team::{TeamTexts, team_texts};

pub struct Texts {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    // Public form.
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub phone: &'static str,
    pub name: &'static str,
    pub optional: &'static str,
    pub window: &'static str,
    pub note: &'static str,
    pub submit: &'static str,
    pub honeypot: &'static str,
    pub thanks_title: &'static str,
    pub thanks_more: &'static str,
    // Staff pages.
    pub login_title: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub login_failed: &'static str,
    /// What the next page says after a call was logged; `{who}` the customer, `{when}` the
    /// new attempt's deadline ("morgen 14:30").
    pub done_reached: &'static str,
    pub done_no_answer: &'static str,
    pub done_wrong_number: &'static str,
    /// After a note, a logged call, an erasure.
    pub done_note: &'static str,
    pub done_call: &'static str,
    pub done_erased: &'static str,
    /// The login page's way back in, and the page it leads to.
    pub forgot_link: &'static str,
    pub forgot_title: &'static str,
    pub forgot_intro: &'static str,
    pub forgot_send: &'static str,
    pub forgot_sent: &'static str,
    pub back_to_login: &'static str,
    pub open_callbacks: &'static str,
    /// The nav link to what customers answered.
    pub surveys: &'static str,
    pub contracts: &'static str,
    pub insights: &'static str,
    pub nothing_open: &'static str,
    pub due: &'static str,
    pub owner: &'static str,
    pub attempts: &'static str,
    /// On a callback request the customer asked for again while it was open; `{time}` when
    /// last, `{n}` how many times in all.
    pub asked_again: &'static str,
    /// How late something is; `{}` is the time ("te laat 30m", "30m overdue").
    pub overdue: &'static str,
    pub outcome: &'static str,
    pub reached: &'static str,
    pub no_answer: &'static str,
    pub wrong_number: &'static str,
    pub customer_history: &'static str,
    pub promise_history: &'static str,
    pub requested: &'static str,
    pub called: &'static str,
    pub status: &'static str,
    pub back: &'static str,
    pub team: &'static str,
    pub settings: &'static str,
    /// The other language, offered in the header.
    pub lang_switch_code: &'static str,
    /// The other language's name, in that language.
    pub lang_switch_name: &'static str,
    pub still_to_call: &'static str,
    pub window_gone: &'static str,
    pub customer_note: &'static str,
    pub outcome_note: &'static str,
    pub cancelled: &'static str,
    /// Before the name of whoever got a promise: "aan Sanne".
    pub to: &'static str,
    pub detail_replied: &'static str,
    pub detail_resolved: &'static str,
    pub detail_erased: &'static str,
    pub detail_withdrawn: &'static str,
    pub detail_answered: &'static str,
    pub away: &'static str,
    pub available: &'static str,
    pub delegate: &'static str,
    pub i_am_away: &'static str,
    pub i_am_back: &'static str,
    pub live: &'static str,
    pub role_owner: &'static str,
    pub role_agent: &'static str,
    pub others_away: &'static str,
    pub who: &'static str,
    pub mark_away: &'static str,
    pub mark_back: &'static str,
    pub inbox: &'static str,
    pub search: &'static str,
    /// The appointments board in the header.
    pub today: &'static str,
}

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

static NL: Texts = Texts {
    lang: "nl",
    other_lang: "en",
    other_lang_name: "English",
    form_title: "Bel mij terug",
    form_intro: "Laat uw nummer achter, dan bellen wij u terug op het moment dat u kiest. Alleen uw telefoonnummer is nodig.",
    phone: "Telefoonnummer",
    name: "Naam",
    optional: "niet verplicht",
    window: "Wanneer mogen we bellen?",
    note: "Waar gaat het over?",
    submit: "Bel mij terug",
    honeypot: "Laat dit veld leeg",
    thanks_title: "Dank u wel",
    thanks_more: "U hoeft niets meer te doen. Lukt het niet, dan proberen we het later nog eens.",
    login_title: "Inloggen",
    email: "E-mailadres",
    password: "Wachtwoord",
    log_in: "Inloggen",
    log_out: "Uitloggen",
    login_failed: "E-mailadres of wachtwoord klopt niet.",
    done_reached: "Vastgelegd: {who} is bereikt. Het verzoek is afgerond.",
    done_no_answer: "Geen gehoor vastgelegd bij {who}. Nieuwe poging uiterlijk {when}.",
    done_wrong_number: "Vastgelegd: verkeerd nummer voor {who}. Het verzoek is gesloten.",
    done_note: "Notitie opgeslagen.",
    done_call: "Gesprek vastgelegd.",
    done_erased: "Alle gegevens van deze klant zijn gewist; in het register staat alleen wie, wanneer en waarom.",
    forgot_link: "Wachtwoord vergeten?",
    forgot_title: "Wachtwoord vergeten",
    forgot_intro: "Vul het e-mailadres in waarmee u inlogt. Hoort het bij een account, dan sturen wij u een link om een nieuw wachtwoord te kiezen.",
    forgot_send: "Stuur mij een link",
    forgot_sent: "Hoort dit adres bij een account, dan is er nu een e-mail met een link onderweg. De link werkt één keer, een uur lang. Niets ontvangen? Kijk ook bij de ongewenste mail, of vraag de eigenaar van uw team om een nieuwe link.",
    back_to_login: "Terug naar inloggen",
    open_callbacks: "Terugbelverzoeken",
    surveys: "Klantvragen",
    contracts: "Contracten",
    insights: "Cijfers",
    nothing_open: "Er staat niemand te wachten.",
    due: "Uiterlijk",
    owner: "Behandelaar",
    attempts: "Pogingen",
    asked_again: "Vroeg opnieuw: {time} ({n}×)",
    overdue: "te laat {}",
    outcome: "Hoe ging het gesprek?",
    reached: "Gesproken",
    no_answer: "Geen gehoor",
    wrong_number: "Verkeerd nummer",
    customer_history: "Eerder contact met deze klant",
    promise_history: "Geschiedenis van deze belofte",
    requested: "Terugbelverzoek",
    called: "Gebeld",
    status: "Status",
    back: "Terug",
    team: "Team",
    settings: "Instellingen",
    lang_switch_code: "en",
    lang_switch_name: "English",
    window_gone: "een keuze die niet meer wordt aangeboden",
    still_to_call: "Nog te bellen",
    customer_note: "Vraag van de klant",
    outcome_note: "Notitie bij dit gesprek",
    cancelled: "Ingetrokken",
    to: "aan",
    detail_replied: "beantwoord",
    detail_resolved: "afgehandeld zonder antwoord",
    detail_erased: "gegevens gewist",
    detail_withdrawn: "niet meer nodig",
    detail_answered: "de klant antwoordde",
    away: "Afwezig",
    available: "Beschikbaar",
    delegate: "Vervanger",
    i_am_away: "Ik ben afwezig",
    i_am_back: "Ik ben terug",
    live: "Deze lijst werkt zichzelf bij.",
    role_owner: "eigenaar",
    role_agent: "medewerker",
    others_away: "Iemand anders afwezig melden",
    who: "Wie",
    mark_away: "Afwezig melden",
    mark_back: "Terug melden:",
    inbox: "Wacht op ons",
    search: "Zoeken",
    today: "Vandaag",
};

static EN: Texts = Texts {
    lang: "en",
    other_lang: "nl",
    other_lang_name: "Nederlands",
    form_title: "Call me back",
    form_intro: "Leave your number and we will call you back at the time you choose. Only your phone number is needed.",
    phone: "Phone number",
    name: "Name",
    optional: "optional",
    window: "When may we call?",
    note: "What is it about?",
    submit: "Call me back",
    honeypot: "Leave this field empty",
    thanks_title: "Thank you",
    thanks_more: "There is nothing else you need to do. If we cannot reach you, we will try again later.",
    login_title: "Log in",
    email: "E-mail address",
    password: "Password",
    log_in: "Log in",
    log_out: "Log out",
    login_failed: "E-mail address or password is not right.",
    done_reached: "Logged: {who} was reached. The request is done.",
    done_no_answer: "No answer logged for {who}. Next attempt by {when}.",
    done_wrong_number: "Logged: wrong number for {who}. The request is closed.",
    done_note: "Note saved.",
    done_call: "Call logged.",
    done_erased: "All data of this customer has been erased; the register keeps only who, when and why.",
    forgot_link: "Forgot your password?",
    forgot_title: "Forgot your password",
    forgot_intro: "Fill in the e-mail address you log in with. If it belongs to an account, we send you a link to choose a new password.",
    forgot_send: "Send me a link",
    forgot_sent: "If this address belongs to an account, an e-mail with a link is on its way. The link works once, for an hour. Nothing arrived? Look in your junk mail too, or ask the owner of your team for a new link.",
    back_to_login: "Back to log in",
    open_callbacks: "Callback requests",
    surveys: "Surveys",
    contracts: "Contracts",
    insights: "Figures",
    nothing_open: "Nobody is waiting.",
    due: "Call by",
    owner: "Assigned to",
    attempts: "Attempts",
    asked_again: "Asked again: {time} ({n}×)",
    overdue: "{} overdue",
    outcome: "How did the call go?",
    reached: "Reached",
    no_answer: "No answer",
    wrong_number: "Wrong number",
    customer_history: "Earlier contact with this customer",
    promise_history: "History of this promise",
    requested: "Callback request",
    called: "Called",
    status: "Status",
    back: "Back",
    team: "Team",
    settings: "Settings",
    lang_switch_code: "nl",
    lang_switch_name: "Nederlands",
    window_gone: "a choice no longer offered",
    still_to_call: "Still to call",
    customer_note: "The customer's question",
    outcome_note: "Note on this call",
    cancelled: "Cancelled",
    to: "to",
    detail_replied: "answered",
    detail_resolved: "resolved without an answer",
    detail_erased: "data erased",
    detail_withdrawn: "no longer needed",
    detail_answered: "the customer answered",
    away: "Away",
    available: "Available",
    delegate: "Stand-in",
    i_am_away: "I am away",
    i_am_back: "I am back",
    live: "This list updates itself.",
    role_owner: "owner",
    role_agent: "agent",
    others_away: "Mark someone else away",
    who: "Who",
    mark_away: "Mark away",
    mark_back: "Mark back:",
    inbox: "Waiting for us",
    search: "Search",
    today: "Today",
};

/// A channel in words: "E-mail", "Telefoon", "WhatsApp". A channel kept has no name for is
/// shown as its code with a capital ("Telegram").
pub fn channel_label(lang: Lang, code: &str) -> String {
    let known = match (code, lang) {
        ("email", _) => "E-mail",
        ("phone", Lang::Nl) => "Telefoon",
        ("phone", Lang::En) => "Phone",
        ("internal", Lang::Nl) => "Intern",
        ("internal", Lang::En) => "Internal",
        ("chat" | "webchat", _) => "Chat",
        ("whatsapp", _) => "WhatsApp",
        ("twitter", _) => "Twitter",
        ("x", _) => "X",
        ("facebook", _) => "Facebook",
        ("instagram", _) => "Instagram",
        ("sms", _) => "SMS",
        ("other", Lang::Nl) => "Overig",
        ("other", Lang::En) => "Other",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let mut letters = code.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

/// "3 berichten" / "3 messages": how many of a customer's records of one kind (a table of
/// the register of customer data) a merge moves; `None` for nothing to count.
pub fn record_count(lang: Lang, table: &str, count: i64) -> Option<String> {
    let (one, many) = match (table, lang) {
        ("customer_handles", Lang::Nl) => ("contactgegeven", "contactgegevens"),
        ("customer_handles", Lang::En) => ("contact", "contacts"),
        ("callback_requests", Lang::Nl) => ("terugbelverzoek", "terugbelverzoeken"),
        ("callback_requests", Lang::En) => ("callback request", "callback requests"),
        ("calls", Lang::Nl) => ("belpoging", "belpogingen"),
        ("calls", Lang::En) => ("call attempt", "call attempts"),
        ("conversations", Lang::Nl) => ("gesprek", "gesprekken"),
        ("conversations", Lang::En) => ("conversation", "conversations"),
        ("messages", Lang::Nl) => ("bericht", "berichten"),
        ("messages", Lang::En) => ("message", "messages"),
        ("notes", Lang::Nl) => ("notitie", "notities"),
        ("notes", Lang::En) => ("note", "notes"),
        ("phone_calls", Lang::Nl) => ("telefoongesprek", "telefoongesprekken"),
        ("phone_calls", Lang::En) => ("phone call", "phone calls"),
        ("follow_ups", Lang::Nl) => ("toezegging", "toezeggingen"),
        ("follow_ups", Lang::En) => ("follow-up", "follow-ups"),
        ("appointments", Lang::Nl) => ("afspraak", "afspraken"),
        ("appointments", Lang::En) => ("appointment", "appointments"),
        ("appointment_answers", Lang::Nl) => ("agenda-antwoord", "agenda-antwoorden"),
        ("appointment_answers", Lang::En) => ("calendar answer", "calendar answers"),
        ("waiting_list", Lang::Nl) => ("plek op de wachtlijst", "plekken op de wachtlijst"),
        ("waiting_list", Lang::En) => ("waiting-list entry", "waiting-list entries"),
        ("promises", Lang::Nl) => ("belofte", "beloftes"),
        ("promises", Lang::En) => ("promise", "promises"),
        ("surveys", Lang::Nl) => ("klantvraag", "klantvragen"),
        ("surveys", Lang::En) => ("survey", "surveys"),
        ("contracts", Lang::Nl) => ("contract", "contracten"),
        ("contracts", Lang::En) => ("contract", "contracts"),
        ("fan_thanks", Lang::Nl) => ("bedankje", "bedankjes"),
        ("fan_thanks", Lang::En) => ("thank-you", "thank-yous"),
        ("status_links", Lang::Nl) => ("link naar de eigen pagina", "links naar de eigen pagina"),
        ("status_links", Lang::En) => ("link to their own page", "links to their own page"),
        ("status_views", Lang::Nl) => ("bezoek aan de eigen pagina", "bezoeken aan de eigen pagina"),
        ("status_views", Lang::En) => ("visit to their own page", "visits to their own page"),
        _ => return None,
    };
    (count > 0).then(|| format!("{count} {}", if count == 1 { one } else { many }))
}

/// A customer's contact in words: "E-mail: jan@example.nl", "WhatsApp: +31 6 …"; a phone
/// number as it is.
/// A phone number is shown as people at the business write it (`region`: its country).
pub fn contact_label(lang: Lang, region: &str, contact: &str) -> String {
    match contact.split_once(':') {
        Some((channel, name)) if kept_domain::conversation::valid_channel(channel) => {
            format!("{}: {name}", channel_label(lang, channel))
        }
        _ => format!(
            "{}: {}",
            channel_label(lang, "phone"),
            kept_domain::display_phone(contact, region)
        ),
    }
}

/// An amount in euros as people write it: "€ 1.200,50" on a Dutch page, "€1,200.50" on an
/// English one.
pub fn money(lang: Lang, cents: i64) -> String {
    let whole = (cents / 100).to_string();
    let (thousands, decimal) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(thousands);
        }
        grouped.push(digit);
    }
    let space = if lang == Lang::Nl { " " } else { "" };
    format!("€{space}{grouped}{decimal}{:02}", cents % 100)
}

#[cfg(test)]
mod channel_tests {
    #[test]
    fn amounts_are_written_as_people_write_them() {
        assert_eq!(super::money(Lang::Nl, 120_050), "€ 1.200,50");
        assert_eq!(super::money(Lang::En, 120_050), "€1,200.50");
        assert_eq!(super::money(Lang::Nl, 99), "€ 0,99");
        assert_eq!(super::money(Lang::En, 100_000_000), "€1,000,000.00");
    }

    #[test]
    fn every_table_a_merge_moves_is_counted_in_words() {
        for holding in kept_app::records::customer_data::REGISTER {
            if matches!(holding.link, kept_app::records::customer_data::Link::Parent { .. })
                || kept_app::records::customer_data::MADE_FROM_RECORDS.contains(&holding.table)
            {
                continue;
            }
            for lang in [Lang::Nl, Lang::En] {
                assert!(
                    super::record_count(lang, holding.table, 2).is_some(),
                    "{} has no words in {lang:?}",
                    holding.table
                );
            }
        }
        assert_eq!(
            super::record_count(Lang::Nl, "messages", 1).as_deref(),
            Some("1 bericht")
        );
        assert_eq!(super::record_count(Lang::En, "messages", 0), None);
    }

    use super::*;

    #[test]
    fn channels_and_contacts_read_as_words() {
        assert_eq!(channel_label(Lang::Nl, "phone"), "Telefoon");
        assert_eq!(channel_label(Lang::En, "telegram"), "Telegram");
        assert_eq!(
            contact_label(Lang::Nl, "NL", "email:jan@example.nl"),
            "E-mail: jan@example.nl"
        );
        assert_eq!(contact_label(Lang::En, "NL", "+31612345678"), "Phone: 06 12345678");
        assert_eq!(
            contact_label(Lang::En, "NL", "+442079460958"),
            "Phone: +44 20 7946 0958"
        );
    }
}
