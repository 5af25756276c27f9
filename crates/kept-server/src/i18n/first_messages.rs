//! The texts of writing to a customer first, from their page: the form, what went wrong, and
//! the follow-up that waits for their answer, in Dutch and English.

use kept_domain::Lang;

pub struct FirstMessageTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub channel: &'static str,
    pub subject: &'static str,
    pub text: &'static str,
    pub expect_answer: &'static str,
    pub expect_answer_hint: &'static str,
    pub send: &'static str,
    /// Why the form is not there: no address on any channel kept can send on.
    pub no_channel: &'static str,
    /// The follow-up's words: "{this} “{subject}”".
    pub awaiting_answer: &'static str,
    /// After sending: "Bericht verstuurd naar {name}."
    pub sent: &'static str,
    pub waiting_until: &'static str,
    pub unusable_subject: &'static str,
    pub no_address: &'static str,
    pub in_the_past: &'static str,
    pub cannot_send: &'static str,
    pub unusable_text: &'static str,
    /// After the moment in the notice: "? Dan herinnert kept u eraan."
    pub then_reminded: &'static str,
    pub unusable_time: &'static str,
}

pub fn first_message_texts(lang: Lang) -> &'static FirstMessageTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

impl FirstMessageTexts {
    /// A refusal's code in words (`None`: the server's own message is shown).
    pub fn problem(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "unusable_subject" => self.unusable_subject,
            "no_address" => self.no_address,
            "in_the_past" => self.in_the_past,
            "cannot_send" => self.cannot_send,
            "unusable_text" => self.unusable_text,
            _ => return None,
        })
    }
}

static NL: FirstMessageTexts = FirstMessageTexts {
    title: "Schrijf de klant",
    intro: "Begin zelf een gesprek, bijvoorbeeld “Uw fiets is klaar”. Een antwoord van de klant komt in hetzelfde gesprek.",
    channel: "Via",
    subject: "Onderwerp (anders de eerste regel)",
    text: "Bericht",
    expect_answer: "Antwoord verwacht vóór (niet verplicht)",
    expect_answer_hint: "Komt er tot dan geen antwoord, dan herinnert kept u eraan om na te vragen.",
    send: "Versturen",
    no_channel: "Schrijven kan zodra de klant een e-mailadres heeft (of een kanaal met een koppeling) en kept mail kan versturen.",
    awaiting_answer: "Nog geen antwoord op",
    sent: "Bericht verstuurd naar",
    waiting_until: "Nog geen antwoord",
    then_reminded: "? Dan herinnert kept u eraan.",
    unusable_text: "Schrijf een bericht (hoogstens 100 kB tekst).",
    unusable_subject: "Het onderwerp is één regel van hoogstens 200 tekens.",
    no_address: "kept heeft voor deze klant geen adres op dat kanaal. Voeg het eerst toe bij de contactgegevens.",
    in_the_past: "Kies een moment in de toekomst voor het verwachte antwoord.",
    cannot_send: "kept kan op dat kanaal niet versturen. Stel het in bij Instellingen.",
    unusable_time: "Het verwachte antwoord is geen datum met tijd (zoals 2026-12-09 12:00).",
};

static EN: FirstMessageTexts = FirstMessageTexts {
    title: "Write to the customer",
    intro: "Start a conversation yourself, e.g. “Your bike is ready”. The customer's answer joins the same conversation.",
    channel: "Via",
    subject: "Subject (else the first line)",
    text: "Message",
    expect_answer: "Answer expected by (optional)",
    expect_answer_hint: "If no answer has come by then, kept reminds you to ask.",
    send: "Send",
    no_channel: "You can write once the customer has an e-mail address (or a channel with a webhook) and kept can send mail.",
    awaiting_answer: "No answer yet to",
    sent: "Message sent to",
    waiting_until: "No answer",
    then_reminded: "? Then kept reminds you.",
    unusable_text: "Write a message (at most 100 kB of text).",
    unusable_subject: "The subject is one line of at most 200 characters.",
    no_address: "kept has no address for this customer on that channel. Add it to their contact details first.",
    in_the_past: "Choose a moment in the future for the expected answer.",
    cannot_send: "kept cannot send on that channel. Set it up in Settings.",
    unusable_time: "The expected answer is not a date and time (such as 2026-12-09 12:00).",
};
