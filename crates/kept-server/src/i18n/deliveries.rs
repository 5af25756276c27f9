//! The texts of the deliveries page (what kept sent or tried), in Dutch and English.

use kept_domain::{Delivery, Lang, OutboxEvent, OutboxStatus};

pub struct DeliveryTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub when: &'static str,
    pub kind: &'static str,
    pub to: &'static str,
    pub about: &'static str,
    pub status: &'static str,
    pub tries: &'static str,
    pub all_statuses: &'static str,
    pub all_kinds: &'static str,
    pub show: &'static str,
    pub older: &'static str,
    pub none: &'static str,
    pub send_again: &'static str,
    /// After "Opnieuw versturen": it waits for its first attempt again.
    pub queued_again: &'static str,
    pub next_attempt: &'static str,
    pub webhook: &'static str,
}

pub fn delivery_texts(lang: Lang) -> &'static DeliveryTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

static NL: DeliveryTexts = DeliveryTexts {
    title: "Verzonden berichten",
    intro: "Alles wat kept verstuurde of probeerde te versturen: e-mails aan klanten en medewerkers, antwoorden en webhooks. Wat mislukte kunt u opnieuw versturen.",
    when: "Wanneer",
    kind: "Soort",
    to: "Aan",
    about: "Over",
    status: "Status",
    tries: "Pogingen",
    all_statuses: "Alle statussen",
    all_kinds: "Alle soorten",
    show: "Tonen",
    older: "Oudere berichten",
    none: "Niets gevonden.",
    send_again: "Opnieuw versturen",
    queued_again: "Wordt opnieuw verstuurd.",
    next_attempt: "volgende poging",
    webhook: "uw webhook",
};

static EN: DeliveryTexts = DeliveryTexts {
    title: "Sent messages",
    intro: "Everything kept sent or tried to send: e-mails to customers and staff, replies and webhooks. What failed can be sent again.",
    when: "When",
    kind: "Kind",
    to: "To",
    about: "About",
    status: "Status",
    tries: "Tries",
    all_statuses: "All statuses",
    all_kinds: "All kinds",
    show: "Show",
    older: "Older messages",
    none: "Nothing found.",
    send_again: "Send again",
    queued_again: "Will be sent again.",
    next_attempt: "next try",
    webhook: "your webhook",
};

/// How it travelled, in words.
pub fn delivery_label(lang: Lang, delivery: Delivery) -> &'static str {
    let nl = lang == Lang::Nl;
    match delivery {
        Delivery::Email => {
            if nl {
                "E-mail aan medewerker"
            } else {
                "E-mail to staff"
            }
        }
        Delivery::EmailReply => {
            if nl {
                "Antwoord per e-mail"
            } else {
                "Reply by e-mail"
            }
        }
        Delivery::Webhook => "Webhook",
        Delivery::Channel => {
            if nl {
                "Antwoord via kanaal"
            } else {
                "Reply on a channel"
            }
        }
        Delivery::CustomerEmail => {
            if nl {
                "E-mail aan klant"
            } else {
                "E-mail to customer"
            }
        }
        Delivery::Hook => {
            if nl {
                "Interne taak"
            } else {
                "Internal task"
            }
        }
    }
}

pub fn status_label(lang: Lang, status: OutboxStatus) -> &'static str {
    let nl = lang == Lang::Nl;
    match status {
        OutboxStatus::Pending => {
            if nl {
                "Wacht"
            } else {
                "Waiting"
            }
        }
        OutboxStatus::Delivered => {
            if nl {
                "Verzonden"
            } else {
                "Sent"
            }
        }
        OutboxStatus::Failed => {
            if nl {
                "Mislukt"
            } else {
                "Failed"
            }
        }
        OutboxStatus::Bounced => {
            if nl {
                "Teruggestuurd"
            } else {
                "Bounced"
            }
        }
    }
}

/// What the message was about, in words.
pub fn event_label(lang: Lang, event: OutboxEvent) -> &'static str {
    use OutboxEvent::*;
    let (nl, en) = match event {
        CallbackCreated => ("Nieuw terugbelverzoek", "New callback request"),
        CallbackOutcome => ("Terugbelpoging", "Callback attempt"),
        PromiseReminder => ("Herinnering aan een belofte", "Promise reminder"),
        PromiseEscalated => ("Belofte te laat", "Promise overdue"),
        MessageReceived => ("Nieuw bericht van een klant", "New message from a customer"),
        MessageReply => ("Antwoord aan de klant", "Reply to the customer"),
        MessageBounced => ("Antwoord kwam terug", "Reply bounced"),
        MessageAcknowledged => ("Ontvangstbevestiging aan de klant", "Acknowledgement to the customer"),
        PasswordLink => ("Link om een wachtwoord te kiezen", "Link to set a password"),
        AppointmentBooked => ("Afspraak bevestigd", "Appointment confirmed"),
        AppointmentRescheduled => ("Afspraak verzet", "Appointment moved"),
        AppointmentCancelled => ("Afspraak geannuleerd", "Appointment cancelled"),
        AppointmentReminder => ("Herinnering aan een afspraak", "Appointment reminder"),
        AppointmentOnMyWay => ("Monteur onderweg", "Technician on the way"),
        AppointmentDone => ("Afspraak afgerond", "Appointment done"),
        AppointmentDeclined => ("Uitnodiging afgewezen", "Invitation declined"),
        AppointmentSlotFreed => ("Tijd vrijgekomen (wachtlijst)", "Time freed up (waiting list)"),
        AppointmentDigest => ("Afspraken van vandaag", "Today's appointments"),
        ConversationResolved => ("Gesprek afgerond", "Conversation resolved"),
        SurveyRequest => ("Vraag aan de klant (enquête)", "Question to the customer (survey)"),
        SurveyReminder => ("Herinnering aan de enquête", "Survey reminder"),
        SurveyAnswered => ("Antwoord op de enquête", "Survey answered"),
        ContractLeft => ("Contract opgezegd", "Contract ended"),
        InsightsDigest => ("Cijfers van vorige week", "Last week's figures"),
        MailboxFailing => ("Mail ophalen lukt niet", "Fetching mail fails"),
    };
    if lang == Lang::Nl { nl } else { en }
}
