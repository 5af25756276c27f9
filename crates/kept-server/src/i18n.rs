//! The words of the web pages, in Dutch and English.

use kept_domain::Lang;

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
    pub open_callbacks: &'static str,
    pub nothing_open: &'static str,
    pub due: &'static str,
    pub owner: &'static str,
    pub attempts: &'static str,
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
    pub still_to_call: &'static str,
    pub customer_note: &'static str,
    pub outcome_note: &'static str,
    pub cancelled: &'static str,
    /// Before the name of whoever got a promise: "aan Sanne".
    pub to: &'static str,
    pub detail_replied: &'static str,
    pub detail_resolved: &'static str,
    pub detail_erased: &'static str,
    pub detail_withdrawn: &'static str,
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
    open_callbacks: "Terugbelverzoeken",
    nothing_open: "Er staat niemand te wachten.",
    due: "Uiterlijk",
    owner: "Behandelaar",
    attempts: "Pogingen",
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
    still_to_call: "Nog te bellen",
    customer_note: "Vraag van de klant",
    outcome_note: "Notitie bij dit gesprek",
    cancelled: "Ingetrokken",
    to: "aan",
    detail_replied: "beantwoord",
    detail_resolved: "afgehandeld zonder antwoord",
    detail_erased: "gegevens gewist",
    detail_withdrawn: "niet meer nodig",
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
    open_callbacks: "Callback requests",
    nothing_open: "Nobody is waiting.",
    due: "Call by",
    owner: "Assigned to",
    attempts: "Attempts",
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
    still_to_call: "Still to call",
    customer_note: "The customer's question",
    outcome_note: "Note on this call",
    cancelled: "Cancelled",
    to: "to",
    detail_replied: "answered",
    detail_resolved: "resolved without an answer",
    detail_erased: "data erased",
    detail_withdrawn: "no longer needed",
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
};

/// The words of the inbox, conversation, customer and search pages.
pub struct InboxTexts {
    pub waiting: &'static str,
    pub nobody_waiting: &'static str,
    pub customer: &'static str,
    pub channel: &'static str,
    pub answer_by: &'static str,
    pub frustrated: &'static str,
    pub unassigned: &'static str,
    pub reply: &'static str,
    pub send: &'static str,
    pub template: &'static str,
    pub no_template: &'static str,
    pub tone_ok: &'static str,
    pub tone_title: &'static str,
    pub show_quoted: &'static str,
    pub sending: &'static str,
    pub sent: &'static str,
    pub not_sent: &'static str,
    pub send_again: &'static str,
    pub not_sent_title: &'static str,
    pub not_sent_hint: &'static str,
    pub attachment_not_kept: &'static str,
    pub resolve: &'static str,
    pub cannot_send_email: &'static str,
    pub cannot_send_channel: &'static str,
    pub resolve_cancels: &'static str,
    pub resolve_breaks: &'static str,
    pub reopen: &'static str,
    pub promise: &'static str,
    pub promise_open: &'static str,
    pub promise_kept: &'static str,
    pub promise_late: &'static str,
    pub promise_cancelled: &'static str,
    pub no_promise: &'static str,
    pub status_open: &'static str,
    pub status_waiting: &'static str,
    pub status_resolved: &'static str,
    pub timeline: &'static str,
    pub contacts: &'static str,
    pub add_note: &'static str,
    pub log_call: &'static str,
    pub call_in: &'static str,
    pub call_out: &'static str,
    pub summary: &'static str,
    pub save: &'static str,
    pub search: &'static str,
    pub search_words: &'static str,
    pub from_day: &'static str,
    pub until_day: &'static str,
    pub any_channel: &'static str,
    pub no_results: &'static str,
    pub kind_message_in: &'static str,
    pub kind_message_out: &'static str,
    pub kind_note: &'static str,
    pub kind_customer: &'static str,
    pub kind_phone_call: &'static str,
    pub kind_callback_request: &'static str,
    pub kind_call: &'static str,
    pub unreadable: &'static str,
    pub download: &'static str,
    pub handled: &'static str,
    pub open_customer: &'static str,
    pub follow_ups: &'static str,
    pub no_follow_ups: &'static str,
    pub add_follow_up: &'static str,
    pub what_promised: &'static str,
    pub due_day: &'static str,
    pub due_time: &'static str,
    pub done: &'static str,
    pub withdraw: &'static str,
    pub privacy: &'static str,
    pub export_data: &'static str,
    pub erase_data: &'static str,
    pub erase_reason: &'static str,
    pub erase_confirm: &'static str,
    pub owner_only_note: &'static str,
    /// Before a promise's due moment in a list: "Uiterlijk" / "Due".
    pub due_by: &'static str,
    pub kind_callback: &'static str,
    pub kind_callback_retry: &'static str,
    pub kind_reply: &'static str,
    pub kind_follow_up: &'static str,
}

pub fn inbox_texts(lang: Lang) -> &'static InboxTexts {
    match lang {
        Lang::Nl => &INBOX_NL,
        Lang::En => &INBOX_EN,
    }
}

static INBOX_NL: InboxTexts = InboxTexts {
    waiting: "Wacht op ons antwoord",
    nobody_waiting: "Geen berichten die op antwoord wachten.",
    customer: "Klant",
    channel: "Kanaal",
    answer_by: "Antwoord uiterlijk",
    frustrated: "geïrriteerd",
    unassigned: "nog niemand",
    reply: "Antwoord",
    send: "Versturen",
    template: "Standaardantwoord",
    no_template: "— kies een standaardantwoord —",
    tone_ok: "Geen opmerkingen over de toon.",
    tone_title: "Toon",
    show_quoted: "Eerdere berichten tonen",
    sending: "wordt verzonden…",
    sent: "verzonden",
    not_sent: "niet verzonden",
    send_again: "Opnieuw versturen",
    not_sent_title: "Antwoorden die niet zijn aangekomen",
    not_sent_hint: "Deze klanten hebben uw antwoord niet gekregen; de belofte staat nog open. Verstuur opnieuw, of neem op een andere manier contact op.",
    attachment_not_kept: "te groot, niet bewaard",
    resolve: "Afhandelen",
    cannot_send_email: "kept kan geen e-mail versturen: er is geen mailserver ingesteld. Antwoord de klant op een andere manier; de mailserver stelt de beheerder in (kept.toml).",
    cannot_send_channel: "kept kan op dit kanaal niet antwoorden: er is geen koppeling ingesteld. Antwoord de klant via het kanaal zelf; de eigenaar stelt de koppeling in bij Instellingen.",
    resolve_cancels: "Afhandelen zonder te antwoorden: de klant krijgt van ons geen antwoord meer.",
    resolve_breaks: "Afhandelen zonder te antwoorden: het antwoord is al te laat, de belofte telt als gebroken.",
    reopen: "Heropenen",
    promise: "Belofte",
    promise_open: "open",
    promise_kept: "nagekomen",
    promise_late: "gebroken: niet op tijd",
    promise_cancelled: "ingetrokken",
    no_promise: "geen openstaande belofte",
    status_open: "wacht op ons",
    status_waiting: "wacht op klant",
    status_resolved: "afgehandeld",
    timeline: "Tijdlijn",
    contacts: "Contactgegevens",
    add_note: "Interne notitie toevoegen",
    log_call: "Telefoongesprek vastleggen",
    call_in: "Klant belde",
    call_out: "Wij belden",
    summary: "Samenvatting",
    save: "Opslaan",
    search: "Zoeken",
    search_words: "Zoekwoorden",
    from_day: "Vanaf",
    until_day: "Tot en met",
    any_channel: "alle kanalen",
    no_results: "Niets gevonden.",
    kind_message_in: "Bericht van klant",
    kind_message_out: "Ons antwoord",
    kind_note: "Notitie",
    kind_customer: "Klant",
    kind_phone_call: "Telefoongesprek",
    kind_callback_request: "Terugbelverzoek",
    kind_call: "Teruggebeld",
    unreadable: "E-mail die kept niet kon lezen",
    download: "Downloaden",
    handled: "Bekeken",
    open_customer: "Klantkaart",
    follow_ups: "Toezeggingen aan deze klant",
    no_follow_ups: "Geen openstaande toezeggingen.",
    add_follow_up: "Toezegging vastleggen",
    what_promised: "Wat is er toegezegd?",
    due_day: "Uiterlijk op",
    due_time: "om",
    done: "Gedaan",
    withdraw: "Niet meer nodig",
    privacy: "Privacy (AVG)",
    export_data: "Alle gegevens van deze klant downloaden",
    erase_data: "Alle gegevens van deze klant wissen",
    erase_reason: "Reden (bijvoorbeeld: klant vroeg erom per e-mail)",
    erase_confirm: "Ik begrijp dat dit niet ongedaan kan worden",
    owner_only_note: "Alleen de eigenaar kan gegevens downloaden of wissen.",
    due_by: "Uiterlijk",
    kind_callback: "terugbellen",
    kind_callback_retry: "opnieuw bellen",
    kind_reply: "antwoorden",
    kind_follow_up: "toezegging",
};

static INBOX_EN: InboxTexts = InboxTexts {
    waiting: "Waiting for our answer",
    nobody_waiting: "No messages are waiting for an answer.",
    customer: "Customer",
    channel: "Channel",
    answer_by: "Answer by",
    frustrated: "frustrated",
    unassigned: "nobody yet",
    reply: "Reply",
    send: "Send",
    template: "Saved reply",
    no_template: "— pick a saved reply —",
    tone_ok: "Nothing to remark on the tone.",
    tone_title: "Tone",
    show_quoted: "Show earlier messages",
    sending: "sending…",
    sent: "sent",
    not_sent: "not sent",
    send_again: "Send again",
    not_sent_title: "Replies that did not arrive",
    not_sent_hint: "These customers did not get your reply; the promise is still open. Send it again, or reach them another way.",
    attachment_not_kept: "too large, not kept",
    resolve: "Resolve",
    cannot_send_email: "kept cannot send e-mail: no mail server is set up. Answer the customer another way; whoever runs kept sets up the mail server (kept.toml).",
    cannot_send_channel: "kept cannot answer on this channel: no connection is set up. Answer the customer on the channel itself; the owner sets up the connection under Settings.",
    resolve_cancels: "Resolve without answering: the customer will not hear from us.",
    resolve_breaks: "Resolve without answering: the answer is already late, the promise counts as broken.",
    reopen: "Reopen",
    promise: "Promise",
    promise_open: "open",
    promise_kept: "kept",
    promise_late: "broken: not in time",
    promise_cancelled: "cancelled",
    no_promise: "no open promise",
    status_open: "waiting for us",
    status_waiting: "waiting on customer",
    status_resolved: "resolved",
    timeline: "Timeline",
    contacts: "Contact details",
    add_note: "Add an internal note",
    log_call: "Log a phone call",
    call_in: "Customer called",
    call_out: "We called",
    summary: "Summary",
    save: "Save",
    search: "Search",
    search_words: "Words",
    from_day: "From",
    until_day: "Until",
    any_channel: "all channels",
    no_results: "Nothing found.",
    kind_message_in: "Message from customer",
    kind_message_out: "Our reply",
    kind_note: "Note",
    kind_customer: "Customer",
    kind_phone_call: "Phone call",
    kind_callback_request: "Callback request",
    kind_call: "Called back",
    unreadable: "E-mail kept could not read",
    download: "Download",
    handled: "Looked at",
    open_customer: "Customer card",
    follow_ups: "Promises made to this customer",
    no_follow_ups: "No open promises.",
    add_follow_up: "Write down a promise",
    what_promised: "What was promised?",
    due_day: "Due on",
    due_time: "at",
    done: "Done",
    withdraw: "No longer needed",
    privacy: "Privacy (GDPR)",
    export_data: "Download all data of this customer",
    erase_data: "Erase all data of this customer",
    erase_reason: "Reason (for example: the customer asked by e-mail)",
    erase_confirm: "I understand this cannot be undone",
    owner_only_note: "Only the owner can download or erase data.",
    due_by: "Due",
    kind_callback: "call back",
    kind_callback_retry: "call again",
    kind_reply: "answer",
    kind_follow_up: "promise in words",
};

impl InboxTexts {
    /// What a promise of this kind is for.
    pub fn promise_kind(&self, kind: kept_domain::PromiseKind) -> &'static str {
        match kind {
            kept_domain::PromiseKind::Callback => self.kind_callback,
            kept_domain::PromiseKind::CallbackRetry => self.kind_callback_retry,
            kept_domain::PromiseKind::Reply => self.kind_reply,
            kept_domain::PromiseKind::FollowUp => self.kind_follow_up,
        }
    }

    /// The label of a timeline or search entry kind.
    pub fn kind(&self, kind: &str) -> &'static str {
        match kind {
            "message_in" => self.kind_message_in,
            "message_out" => self.kind_message_out,
            "note" => self.kind_note,
            "phone_call" => self.kind_phone_call,
            "callback_request" => self.kind_callback_request,
            "promise" => self.promise,
            "customer" => self.kind_customer,
            "follow_up" => self.follow_ups,
            _ => self.kind_call,
        }
    }
}

/// What an error page says, per error code: a title and what the reader can do.
pub struct ErrorTexts {
    problems: &'static [(&'static str, &'static str)],
    owner_only: (&'static str, &'static str),
    not_found: (&'static str, &'static str),
    form_expired: (&'static str, &'static str),
    invalid: (&'static str, &'static str),
    conflict: (&'static str, &'static str),
    too_many: (&'static str, &'static str),
    internal: (&'static str, &'static str),
}

impl ErrorTexts {
    /// What a refused field's code means, for the codes the staff pages can produce.
    pub fn problem(&self, code: &str) -> Option<&'static str> {
        self.problems.iter().find(|(c, _)| *c == code).map(|(_, text)| *text)
    }

    pub fn for_code(&self, code: &str) -> (&'static str, &'static str) {
        match code {
            "owner_only" => self.owner_only,
            "not_found" | "gone" => self.not_found,
            "forbidden" | "unauthorized" => self.form_expired,
            "invalid" | "bad_request" | "unsupported_media_type" | "too_large" | "method_not_allowed" => self.invalid,
            "conflict" => self.conflict,
            "rate_limited" => self.too_many,
            _ => self.internal,
        }
    }
}

pub fn error_texts(lang: Lang) -> &'static ErrorTexts {
    match lang {
        Lang::Nl => &ERRORS_NL,
        Lang::En => &ERRORS_EN,
    }
}

static ERRORS_NL: ErrorTexts = ErrorTexts {
    problems: &[
        (
            "in_the_past",
            "Dat tijdstip is al voorbij: kies een moment in de toekomst.",
        ),
        ("invalid_moment", "Vul een dag en een tijd in."),
        ("unusable_text", "Vul de tekst in (niet leeg en niet te lang)."),
        (
            "not_confirmed",
            "Vink aan dat u begrijpt dat wissen niet ongedaan kan worden.",
        ),
        ("reason_required", "Geef een reden op (hoogstens 500 tekens)."),
        ("unknown_staff", "Kies iemand uit het team."),
        ("own_delegate", "Niemand kan zijn eigen vervanger zijn."),
        (
            "resolve_not_confirmed",
            "Deze klant wacht nog op antwoord: vink aan dat u zonder antwoord wilt afhandelen.",
        ),
        ("too_long", "Een veld is te lang."),
        (
            "control_characters",
            "Een veld bevat tekens die niet mogen (zoals een regeleinde in een naam).",
        ),
        ("nul_character", "Er staat een onleesbaar teken in wat u verstuurde."),
    ],
    owner_only: (
        "Alleen voor de eigenaar",
        "Dit mag alleen de eigenaar van het bedrijf doen. Vraag het aan een eigenaar.",
    ),
    not_found: ("Niet gevonden", "Deze pagina of dit gegeven bestaat niet (meer)."),
    form_expired: (
        "Formulier verlopen",
        "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.",
    ),
    invalid: (
        "Dat klopt niet helemaal",
        "Niet alles is goed ingevuld. Ga terug, verbeter het en probeer het nog eens.",
    ),
    conflict: (
        "Dat kan nu niet",
        "Iemand anders heeft dit net veranderd, of het past niet bij de huidige stand. Laad de pagina opnieuw.",
    ),
    too_many: (
        "Even geduld",
        "Te veel verzoeken achter elkaar. Wacht een minuut en probeer het opnieuw.",
    ),
    internal: (
        "Er ging iets mis",
        "Er ging bij ons iets mis. Wat u instuurde is niet verloren; probeer het zo opnieuw.",
    ),
};

static ERRORS_EN: ErrorTexts = ErrorTexts {
    problems: &[
        ("in_the_past", "That moment has passed: choose one in the future."),
        ("invalid_moment", "Fill in a day and a time."),
        ("unusable_text", "Fill in the text (not empty and not too long)."),
        (
            "not_confirmed",
            "Tick the box to confirm that erasing cannot be undone.",
        ),
        ("reason_required", "Give a reason (at most 500 characters)."),
        ("unknown_staff", "Choose someone from the team."),
        ("own_delegate", "Nobody can stand in for themselves."),
        (
            "resolve_not_confirmed",
            "This customer is still waiting for an answer: tick the box to resolve without one.",
        ),
        ("too_long", "A field is too long."),
        (
            "control_characters",
            "A field holds characters that are not allowed (such as a line break in a name).",
        ),
        ("nul_character", "What you sent holds an unreadable character."),
    ],
    owner_only: ("Owners only", "Only the business owner may do this. Ask an owner."),
    not_found: ("Not found", "This page or record does not exist (any more)."),
    form_expired: ("Form expired", "The form expired. Reload the page and try again."),
    invalid: (
        "That is not quite right",
        "Not everything was filled in correctly. Go back, correct it and try again.",
    ),
    conflict: (
        "That cannot be done now",
        "Someone else just changed this, or it does not fit how things stand. Reload the page.",
    ),
    too_many: (
        "Please wait",
        "Too many requests in a row. Wait a minute and try again.",
    ),
    internal: (
        "Something went wrong",
        "Something went wrong on our side. Nothing you sent was lost; please try again shortly.",
    ),
};

/// The owner's settings page.
pub struct SettingsTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub business_name: &'static str,
    pub time_zone: &'static str,
    pub hours: &'static str,
    pub hours_hint: &'static str,
    pub closed_days: &'static str,
    pub closed_days_hint: &'static str,
    pub windows: &'static str,
    pub window_label_nl: &'static str,
    pub window_label_en: &'static str,
    pub window_rule: &'static str,
    pub rule_within: &'static str,
    pub rule_office_hours: &'static str,
    pub rule_daily_slot: &'static str,
    pub minutes: &'static str,
    pub slot_from: &'static str,
    pub slot_until: &'static str,
    pub promises: &'static str,
    pub first_response: &'static str,
    pub first_response_hint: &'static str,
    pub default_first_response: &'static str,
    pub reminder_lead: &'static str,
    pub retry_after: &'static str,
    pub channel_webhooks: &'static str,
    pub channel_webhooks_hint: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub history: &'static str,
    pub no_history: &'static str,
    /// Per key (as the refusal names it): what a good value looks like.
    pub problems: &'static [(&'static str, &'static str)],
}

impl SettingsTexts {
    pub fn problem(&self, field: &str) -> &'static str {
        self.problems
            .iter()
            .find(|(key, _)| field.starts_with(key))
            .map_or(self.problems[0].1, |(_, text)| text)
    }
}

pub fn settings_texts(lang: Lang) -> &'static SettingsTexts {
    match lang {
        Lang::Nl => &SETTINGS_NL,
        Lang::En => &SETTINGS_EN,
    }
}

static SETTINGS_NL: SettingsTexts = SettingsTexts {
    title: "Instellingen",
    intro: "Wat u hier verandert, geldt meteen: voor nieuwe terugbelverzoeken, berichten en herinneringen.",
    business_name: "Naam van het bedrijf",
    time_zone: "Tijdzone",
    hours: "Openingstijden",
    hours_hint: "Bijvoorbeeld 09:00-17:30, of 09:00-12:00, 13:00-17:00, of gesloten.",
    closed_days: "Gesloten dagen",
    closed_days_hint: "Eén datum per regel, zoals 2026-12-25.",
    windows: "Terugbelmomenten waaruit klanten kiezen",
    window_label_nl: "Naam (Nederlands)",
    window_label_en: "Naam (Engels)",
    window_rule: "Wanneer",
    rule_within: "binnen zoveel minuten (in openingstijd)",
    rule_office_hours: "tijdens kantoortijd",
    rule_daily_slot: "tussen twee tijden",
    minutes: "minuten",
    slot_from: "van",
    slot_until: "tot",
    promises: "Beloftes",
    first_response: "Eerste antwoord binnen (minuten openingstijd), per kanaal",
    first_response_hint: "Eén kanaal per regel, zoals: email = 240",
    default_first_response: "Eerste antwoord binnen, voor andere kanalen (minuten)",
    reminder_lead: "Herinnering zoveel minuten vóór de deadline",
    retry_after: "Na 'geen gehoor' opnieuw bellen binnen (minuten)",
    channel_webhooks: "Koppelingen om op kanalen te antwoorden",
    channel_webhooks_hint: "Eén per regel, zoals: chat = https://chat.example.nl/kept",
    save: "Opslaan",
    saved: "Opgeslagen. De nieuwe instellingen gelden meteen.",
    history: "Laatste wijzigingen",
    no_history: "Nog niets veranderd.",
    problems: &[
        ("settings", "Deze instelling klopt niet."),
        (
            "business.name",
            "Vul de naam van het bedrijf in (hoogstens 100 tekens).",
        ),
        ("business.time_zone", "Kies een tijdzone zoals Europe/Amsterdam."),
        (
            "business.hours",
            "Schrijf openingstijden als 09:00-17:30 (of 09:00-12:00, 13:00-17:00), of 'gesloten'.",
        ),
        ("business.closed_days", "Schrijf één datum per regel, zoals 2026-12-25."),
        (
            "business.windows",
            "Elk terugbelmoment heeft een Nederlandse en Engelse naam en een geldige tijd.",
        ),
        ("business.default_region", "Kies een landcode zoals NL."),
        (
            "first_response_minutes",
            "Per regel: kanaal = aantal minuten (1 tot 43200).",
        ),
        ("default_first_response_minutes", "Een aantal minuten van 1 tot 43200."),
        ("reminder_lead_minutes", "Een aantal minuten van 1 tot 1440."),
        ("retry_after_minutes", "Een aantal minuten van 1 tot 10080."),
        (
            "channel_webhooks",
            "Per regel: kanaal = https://…; en kept.toml moet een webhook_secret hebben.",
        ),
    ],
};

static SETTINGS_EN: SettingsTexts = SettingsTexts {
    title: "Settings",
    intro: "What you change here applies at once: to new callback requests, messages and reminders.",
    business_name: "Business name",
    time_zone: "Time zone",
    hours: "Opening hours",
    hours_hint: "For example 09:00-17:30, or 09:00-12:00, 13:00-17:00, or closed.",
    closed_days: "Closed days",
    closed_days_hint: "One date per line, such as 2026-12-25.",
    windows: "Callback times customers choose from",
    window_label_nl: "Name (Dutch)",
    window_label_en: "Name (English)",
    window_rule: "When",
    rule_within: "within so many minutes (in opening hours)",
    rule_office_hours: "during office hours",
    rule_daily_slot: "between two times",
    minutes: "minutes",
    slot_from: "from",
    slot_until: "until",
    promises: "Promises",
    first_response: "First answer within (opening-hour minutes), per channel",
    first_response_hint: "One channel per line, such as: email = 240",
    default_first_response: "First answer within, for other channels (minutes)",
    reminder_lead: "Reminder this many minutes before the deadline",
    retry_after: "After 'no answer', call again within (minutes)",
    channel_webhooks: "Connections to answer on channels",
    channel_webhooks_hint: "One per line, such as: chat = https://chat.example.com/kept",
    save: "Save",
    saved: "Saved. The new settings apply at once.",
    history: "Latest changes",
    no_history: "Nothing changed yet.",
    problems: &[
        ("settings", "This setting is not right."),
        ("business.name", "Fill in the business's name (at most 100 characters)."),
        ("business.time_zone", "Choose a time zone such as Europe/Amsterdam."),
        (
            "business.hours",
            "Write opening hours as 09:00-17:30 (or 09:00-12:00, 13:00-17:00), or 'closed'.",
        ),
        ("business.closed_days", "Write one date per line, such as 2026-12-25."),
        (
            "business.windows",
            "Each callback time needs a Dutch and an English name and a valid time.",
        ),
        ("business.default_region", "Choose a country code such as NL."),
        ("first_response_minutes", "Per line: channel = minutes (1 to 43200)."),
        ("default_first_response_minutes", "A number of minutes from 1 to 43200."),
        ("reminder_lead_minutes", "A number of minutes from 1 to 1440."),
        ("retry_after_minutes", "A number of minutes from 1 to 10080."),
        (
            "channel_webhooks",
            "Per line: channel = https://…; and kept.toml needs a webhook_secret.",
        ),
    ],
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
        ("twitter" | "x", _) => "X (Twitter)",
        ("facebook", _) => "Facebook",
        ("instagram", _) => "Instagram",
        ("sms", _) => "SMS",
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

/// A customer's contact in words: "E-mail: jan@example.nl", "WhatsApp: +31 6 …"; a phone
/// number as it is.
pub fn contact_label(lang: Lang, contact: &str) -> String {
    match contact.split_once(':') {
        Some((channel, name)) if kept_domain::conversation::valid_channel(channel) => {
            format!("{}: {name}", channel_label(lang, channel))
        }
        _ => format!("{}: {contact}", channel_label(lang, "phone")),
    }
}

#[cfg(test)]
mod channel_tests {
    use super::*;

    #[test]
    fn channels_and_contacts_read_as_words() {
        assert_eq!(channel_label(Lang::Nl, "phone"), "Telefoon");
        assert_eq!(channel_label(Lang::En, "telegram"), "Telegram");
        assert_eq!(
            contact_label(Lang::Nl, "email:jan@example.nl"),
            "E-mail: jan@example.nl"
        );
        assert_eq!(contact_label(Lang::En, "+31612345678"), "Phone: +31612345678");
    }
}
