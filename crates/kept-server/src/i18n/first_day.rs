//! The first-day checklist on an owner's home page, in Dutch and English.

use kept_domain::Lang;

pub struct FirstDayTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub done: &'static str,
    pub business: &'static str,
    pub mail_out: &'static str,
    pub mail_in: &'static str,
    pub team: &'static str,
    pub first_request: &'static str,
    pub open_settings: &'static str,
    pub open_team: &'static str,
    pub open_form: &'static str,
}

pub fn first_day_texts(lang: Lang) -> &'static FirstDayTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

static NL: FirstDayTexts = FirstDayTexts {
    title: "Uw eerste dag met kept",
    intro: "Nog een paar stappen, dan houdt kept elke belofte bij. Deze lijst verdwijnt als alles klaar is.",
    done: "Klaar",
    business: "Vul de naam van uw bedrijf, de openingstijden en de terugbeltijden in.",
    mail_out: "Laat kept e-mail versturen: zet smtp_url in kept.toml (zie docs/first-day.md).",
    mail_in: "Laat klantmail binnenkomen: een mailbox (imap_url in kept.toml) of doorsturen naar kept.",
    team: "Nodig uw collega's uit, zodat werk verdeeld wordt en iemand kan invallen.",
    first_request: "Zet het terugbelformulier op uw website en doe zelf een testverzoek.",
    open_settings: "Naar de instellingen",
    open_team: "Naar het team",
    open_form: "Het formulier",
};

static EN: FirstDayTexts = FirstDayTexts {
    title: "Your first day with kept",
    intro: "A few more steps and kept keeps track of every promise. This list disappears once all is done.",
    done: "Done",
    business: "Fill in your business's name, opening hours and callback times.",
    mail_out: "Let kept send e-mail: set smtp_url in kept.toml (see docs/first-day.md).",
    mail_in: "Let customer e-mail come in: a mailbox (imap_url in kept.toml) or forwarding to kept.",
    team: "Invite your colleagues, so that work is shared and someone can stand in.",
    first_request: "Put the callback form on your website and send a test request yourself.",
    open_settings: "To the settings",
    open_team: "To the team",
    open_form: "The form",
};
