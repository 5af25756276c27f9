//! Errors as people read them: a title and an explanation per code, and each refused field.

use kept_domain::Lang;

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
            "conflict" | "slot_taken" => self.conflict,
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
            "commitments_changed",
            "Een aangevinkte toezegging staat niet meer in de tekst. Kijk de toezeggingen na en verstuur opnieuw.",
        ),
        (
            "not_confirmed",
            "Vink aan dat u begrijpt dat wissen niet ongedaan kan worden.",
        ),
        ("reason_required", "Geef een reden op (hoogstens 500 tekens)."),
        ("unknown_staff", "Kies iemand uit het team."),
        (
            "own_successor",
            "Kies iemand anders uit het team om het werk over te nemen.",
        ),
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
        ("invalid_email", "Dat is geen e-mailadres."),
        ("none_chosen", "Vink eerst een of meer gesprekken aan."),
        (
            "merge_not_confirmed",
            "Vink aan dat u begrijpt dat samenvoegen niet ongedaan kan worden.",
        ),
        ("invalid_tag", "Een label heeft 1 tot 40 tekens."),
        (
            "email_taken",
            "Iemand in het team (of die er was) heeft dit e-mailadres al.",
        ),
        ("name_required", "Vul een naam in (hoogstens 100 tekens, op één regel)."),
        ("last_owner", "Het team heeft altijd minstens één eigenaar nodig."),
        (
            "own_account",
            "U kunt uzelf niet van het team halen; een andere eigenaar kan dat.",
        ),
        (
            "password_too_short",
            "Het wachtwoord moet minstens 10 tekens lang zijn.",
        ),
        ("wrong_password", "Het huidige wachtwoord klopt niet."),
        ("passwords_differ", "De twee nieuwe wachtwoorden zijn niet gelijk."),
        ("required", "Een verplicht veld is leeg."),
        (
            "invalid_hours",
            "Schrijf tijden als 09:00-17:30, of 09:00-12:00, 13:00-17:00; leeg is gesloten.",
        ),
        (
            "invalid_minutes",
            "Minuten zijn een veelvoud van 5, binnen de grenzen van het veld.",
        ),
        ("invalid_days", "Het aantal dagen vooruit ligt tussen 1 en 366."),
        ("unknown_time_zone", "Kies een tijdzone zoals Europe/Amsterdam."),
        ("unknown_id", "Een gekozen vestiging of medewerker bestaat niet (meer)."),
        ("ends_before_start", "Een afwezigheid eindigt voordat ze begint."),
        ("invalid_date", "Schrijf datums als 2026-12-25."),
        ("unknown_location", "Kies een van de vestigingen."),
        (
            "unknown_service",
            "Kies een afspraaksoort die op deze vestiging wordt aangeboden.",
        ),
        ("not_offered", "Dit tijdstip kan niet: kies een van de vrije tijden."),
        (
            "not_started",
            "De afspraak is nog niet begonnen: afronden of ‘niet gekomen’ kan pas vanaf de begintijd. Kwam de klant eerder? Meld hem dan eerst binnen.",
        ),
        ("start_required", "Kies een tijd."),
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
            "commitments_changed",
            "A ticked promise is no longer in the text. Look at the promises again and send once more.",
        ),
        (
            "not_confirmed",
            "Tick the box to confirm that erasing cannot be undone.",
        ),
        ("reason_required", "Give a reason (at most 500 characters)."),
        ("unknown_staff", "Choose someone from the team."),
        (
            "own_successor",
            "Choose someone else on the team to take over the work.",
        ),
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
        ("invalid_email", "That is not an e-mail address."),
        ("none_chosen", "Tick one or more conversations first."),
        (
            "merge_not_confirmed",
            "Tick the box to confirm that merging cannot be undone.",
        ),
        ("invalid_tag", "A tag has 1 to 40 characters."),
        (
            "email_taken",
            "Someone on the team, now or before, already has this e-mail address.",
        ),
        ("name_required", "Fill in a name (at most 100 characters, on one line)."),
        ("last_owner", "The team always needs at least one owner."),
        (
            "own_account",
            "You cannot take yourself off the team; another owner can.",
        ),
        (
            "password_too_short",
            "The password must be at least 10 characters long.",
        ),
        ("wrong_password", "The current password is not right."),
        ("passwords_differ", "The two new passwords are not the same."),
        ("required", "A required field is empty."),
        (
            "invalid_hours",
            "Write times as 09:00-17:30, or 09:00-12:00, 13:00-17:00; empty is closed.",
        ),
        (
            "invalid_minutes",
            "Minutes are a multiple of 5, within the field's bounds.",
        ),
        ("invalid_days", "The number of days ahead is between 1 and 366."),
        ("unknown_time_zone", "Choose a time zone such as Europe/Amsterdam."),
        ("unknown_id", "A location or staff member chosen no longer exists."),
        ("ends_before_start", "An absence ends before it starts."),
        ("invalid_date", "Write dates as 2026-12-25."),
        ("unknown_location", "Choose one of the locations."),
        (
            "unknown_service",
            "Choose an appointment type offered at this location.",
        ),
        (
            "not_offered",
            "That time is not possible: choose one of the free times.",
        ),
        (
            "not_started",
            "The appointment has not started yet: done and no-show come after its start time. Did the customer come early? Check them in first.",
        ),
        ("start_required", "Choose a time."),
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
