//! Surveys: the question, the answer page, answers and fans.

use kept_domain::Lang;

/// What a survey asks, naming the contact it is about ("Hoe ging uw gesprek met Sanne op
/// 12 maart?"), in the survey's language: the e-mail and the answer page say the same.
pub fn survey_question(survey: &kept_app::records::SurveyView, tz: chrono_tz::Tz, business: &str) -> Vec<String> {
    use kept_domain::{SurveyKind, SurveyTrigger};
    let lang = survey.lang;
    let day = survey.created_at.with_timezone(&tz).date_naive();
    let date = kept_domain::lang::day_and_month(lang, day);
    let who = survey.handler_name.as_deref().map(crate::dto::first_name);
    let about = match (survey.trigger, lang, who) {
        (SurveyTrigger::Callback, Lang::Nl, Some(who)) => format!("uw telefoongesprek met {who} op {date}"),
        (SurveyTrigger::Callback, Lang::En, Some(who)) => format!("your phone call with {who} on {date}"),
        (SurveyTrigger::Appointment, Lang::Nl, Some(who)) => format!("uw afspraak bij {who} op {date}"),
        (SurveyTrigger::Appointment, Lang::En, Some(who)) => format!("your appointment with {who} on {date}"),
        (_, Lang::Nl, Some(who)) => format!("uw gesprek met {who} op {date}"),
        (_, Lang::En, Some(who)) => format!("your conversation with {who} on {date}"),
        (_, Lang::Nl, None) => format!("uw contact met ons op {date}"),
        (_, Lang::En, None) => format!("your contact with us on {date}"),
    };
    match (survey.kind, lang) {
        (SurveyKind::Csat, Lang::Nl) => vec![
            format!("Hoe ging {about}?"),
            "Klik op een cijfer, van 1 (slecht) tot 5 (heel goed). Daarna kunt u, als u wilt, iets toelichten."
                .to_string(),
        ],
        (SurveyKind::Csat, Lang::En) => vec![
            format!("How did {about} go?"),
            "Click a number, from 1 (bad) to 5 (very good). Afterwards you can add a comment if you like.".to_string(),
        ],
        (SurveyKind::Nps, Lang::Nl) => vec![
            format!("Hoe waarschijnlijk is het dat u {business} aanraadt aan een vriend of collega?"),
            "Klik op een cijfer, van 0 (zeker niet) tot 10 (zeker wel).".to_string(),
        ],
        (SurveyKind::Nps, Lang::En) => vec![
            format!("How likely are you to recommend {business} to a friend or colleague?"),
            "Click a number, from 0 (not at all) to 10 (certainly).".to_string(),
        ],
        (SurveyKind::Exit, Lang::Nl) => vec![
            "Jammer dat u weggaat. Wilt u ons vertellen waarom?".to_string(),
            "Het kost u een halve minuut. We lezen elk antwoord zelf en doen er iets mee, ook voor wie na u komt."
                .to_string(),
        ],
        (SurveyKind::Exit, Lang::En) => vec![
            "We are sorry to see you go. Would you tell us why?".to_string(),
            "It takes half a minute. We read every answer ourselves and act on it, also for those after you."
                .to_string(),
        ],
    }
}

/// The customer's survey page.
pub struct SurveyTexts {
    pub title_csat: &'static str,
    pub title_nps: &'static str,
    pub title_exit: &'static str,
    pub scale_csat: &'static str,
    pub scale_nps: &'static str,
    pub reasons: &'static str,
    pub comment: &'static str,
    pub send: &'static str,
    /// Shown once the page sent the score from the link by itself.
    pub saved: &'static str,
    pub thanks_title: &'static str,
    pub thanks: &'static str,
    /// After a low answer: who calls and by when. `{who}` a first name (or `someone`), `{day}`
    /// "morgen" / "op maandag 9 december", `{time}` 16:30.
    pub call_promised: &'static str,
    pub someone: &'static str,
    pub add_more: &'static str,
    pub link_wrong_title: &'static str,
    pub link_wrong: &'static str,
    pub expired_title: &'static str,
    pub expired: &'static str,
    pub choose_score: &'static str,
    pub choose_reason: &'static str,
    // Staff: the answers page.
    pub staff_title: &'static str,
    pub staff_intro: &'static str,
    pub all: &'static str,
    pub low: &'static str,
    pub what: &'static str,
    pub score: &'static str,
    pub comment_short: &'static str,
    pub handled_by: &'static str,
    pub answered_at: &'static str,
    pub recovery: &'static str,
    pub none_yet: &'static str,
    pub settings_link: &'static str,
    pub fans: &'static str,
    pub fans_intro: &'static str,
    pub since: &'static str,
    pub last_contact: &'static str,
    pub thanked: &'static str,
    pub thank: &'static str,
    pub thank_note: &'static str,
    pub no_fans: &'static str,
}

const SURVEY_NL: SurveyTexts = SurveyTexts {
    title_csat: "Hoe ging het?",
    title_nps: "Zou u ons aanraden?",
    title_exit: "Waarom gaat u weg?",
    scale_csat: "1 is slecht, 5 is heel goed",
    scale_nps: "0 is zeker niet, 10 is zeker wel",
    reasons: "Wat is de belangrijkste reden?",
    comment: "Wilt u iets toelichten? (mag leeg blijven)",
    send: "Versturen",
    saved: "Dank u wel, uw cijfer is opgeslagen. Wilt u nog iets toelichten? Dat kan hieronder.",
    thanks_title: "Dank u wel",
    thanks: "Uw antwoord is opgeslagen. We lezen het zelf.",
    call_promised: "Dank u voor uw eerlijke antwoord. {who} belt u uiterlijk {day} om {time} om te horen wat er beter kan.",
    someone: "Iemand van ons",
    add_more: "Nog iets toevoegen of uw antwoord veranderen? Dat kan hieronder.",
    link_wrong_title: "Deze link klopt niet",
    link_wrong: "De link is niet compleet of veranderd. Gebruik de link uit onze e-mail.",
    expired_title: "Deze link werkt niet meer",
    expired: "Deze vraag kon tot 30 dagen na onze e-mail beantwoord worden. Dank u voor de moeite.",
    choose_score: "Kies een cijfer.",
    choose_reason: "Kies een van de redenen.",
    staff_title: "Wat klanten zeggen",
    staff_intro: "Antwoorden op onze vragen na een gesprek, terugbelverzoek of afspraak. Een lage score wordt een belofte om terug te bellen.",
    all: "Alle antwoorden",
    low: "Lage scores",
    what: "Vraag",
    score: "Score",
    comment_short: "Toelichting",
    handled_by: "Geholpen door",
    answered_at: "Beantwoord",
    recovery: "Terugbellen",
    none_yet: "Nog geen antwoorden.",
    settings_link: "Instellingen voor klantvragen",
    fans: "Fans",
    fans_intro: "Klanten die ons de hoogste score gaven en al minstens een jaar klant zijn. Uw fans zijn goud waard: bedank ze.",
    since: "Klant sinds",
    last_contact: "Laatste contact",
    thanked: "Bedankt",
    thank: "Bedankt",
    thank_note: "Hoe? (bijvoorbeeld: kaartje gestuurd)",
    no_fans: "Nog geen fans: wie een 5 (of 9–10) geeft en een jaar klant is, staat hier.",
};

const SURVEY_EN: SurveyTexts = SurveyTexts {
    title_csat: "How did it go?",
    title_nps: "Would you recommend us?",
    title_exit: "Why are you leaving?",
    scale_csat: "1 is bad, 5 is very good",
    scale_nps: "0 is certainly not, 10 is certainly",
    reasons: "What is the main reason?",
    comment: "Anything you would like to add? (optional)",
    send: "Send",
    saved: "Thank you, your score has been saved. Anything to add? You can do so below.",
    thanks_title: "Thank you",
    thanks: "Your answer has been saved. We read it ourselves.",
    call_promised: "Thank you for your honest answer. {who} will call you {day} by {time} to hear what we can do better.",
    someone: "Someone from our team",
    add_more: "Want to add something or change your answer? You can do so below.",
    link_wrong_title: "This link is not right",
    link_wrong: "The link is incomplete or was changed. Please use the link from our e-mail.",
    expired_title: "This link no longer works",
    expired: "This question could be answered up to 30 days after our e-mail. Thank you for taking the trouble.",
    choose_score: "Choose a score.",
    choose_reason: "Choose one of the reasons.",
    staff_title: "What customers say",
    staff_intro: "Answers to our questions after a conversation, callback or appointment. A low score becomes a promise to call back.",
    all: "All answers",
    low: "Low scores",
    what: "Question",
    score: "Score",
    comment_short: "Comment",
    handled_by: "Helped by",
    answered_at: "Answered",
    recovery: "Call back",
    none_yet: "No answers yet.",
    settings_link: "Survey settings",
    fans: "Fans",
    fans_intro: "Customers who gave us the top score and have been customers for a year or more. Your fans are gold: thank them.",
    since: "Customer since",
    last_contact: "Last contact",
    thanked: "Thanked",
    thank: "Thanked",
    thank_note: "How? (for example: sent a card)",
    no_fans: "No fans yet: whoever gives a 5 (or 9–10) and has been a customer for a year shows up here.",
};

pub fn survey_texts(lang: Lang) -> &'static SurveyTexts {
    match lang {
        Lang::Nl => &SURVEY_NL,
        Lang::En => &SURVEY_EN,
    }
}

impl SurveyTexts {
    pub fn title(&self, kind: kept_domain::SurveyKind) -> &'static str {
        match kind {
            kept_domain::SurveyKind::Csat => self.title_csat,
            kept_domain::SurveyKind::Nps => self.title_nps,
            kept_domain::SurveyKind::Exit => self.title_exit,
        }
    }
}
