//! The customer's own page of a request (`/p/<token>`) and the staff's view of it.

use kept_domain::Lang;

pub struct StatusTexts {
    pub title: &'static str,
    pub asked: &'static str,
    pub promise: &'static str,
    pub conversation: &'static str,
    /// Who wrote a message of theirs.
    pub you: &'static str,
    /// Who wrote ours when kept does not know the name.
    pub we: &'static str,
    pub live: &'static str,
    /// After the call-me-back form: the link to the request's own page.
    pub follow: &'static str,
    pub appointments: &'static str,
    /// The link to an appointment's own page.
    pub manage: &'static str,
    pub closed_title: &'static str,
    pub closed: &'static str,
    pub wrong_title: &'static str,
    pub wrong: &'static str,
    pub ask_callback: &'static str,
    /// The page's title for a callback request.
    pub callback_title: &'static str,
    /// Where we call: `{phone}`.
    pub calling: &'static str,
    /// Staff preview: back to the request's staff page; revoking, asked once more.
    pub back: &'static str,
    pub revoke_sure: &'static str,
    pub revoke_yes: &'static str,
    /// Staff: the banner above the page as the customer sees it.
    pub preview: &'static str,
    /// Staff: the link to it on the conversation and callback pages.
    pub as_customer: &'static str,
    /// Staff: the customer's address of it, to copy.
    pub customer_link: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub not_revoked: &'static str,
}

const NL: StatusTexts = StatusTexts {
    title: "Uw vraag",
    asked: "U vroeg",
    promise: "Wat we beloofden",
    conversation: "Het gesprek tot nu toe",
    you: "U",
    we: "Wij",
    live: "Deze pagina werkt zichzelf bij.",
    follow: "Volg hier hoe uw verzoek ervoor staat",
    appointments: "Uw afspraken",
    manage: "Verzetten of afzeggen",
    closed_title: "Deze pagina is gesloten",
    closed: "Uw vraag is al een tijd afgehandeld. Heeft u een nieuwe vraag? Stuur ons een e-mail of vraag om \
             terugbellen, dan helpen we u graag verder.",
    wrong_title: "Deze link werkt niet",
    wrong: "De link is niet (meer) geldig. Heeft u een vraag? Stuur ons een e-mail of vraag om terugbellen.",
    ask_callback: "Vraag om terugbellen",
    callback_title: "Uw terugbelverzoek",
    calling: "We bellen u op {phone}.",
    back: "Terug naar het verzoek",
    revoke_sure: "De klant kan de pagina dan niet meer openen; een volgende link is een nieuwe.",
    revoke_yes: "Ja, link intrekken",
    preview: "Zo ziet de klant deze pagina.",
    as_customer: "Zoals de klant het ziet",
    customer_link: "Link voor de klant",
    revoke: "Link intrekken",
    revoked: "De link werkt niet meer. Een volgende link voor de klant is een nieuwe.",
    not_revoked: "Er was nog geen link voor de klant.",
};

const EN: StatusTexts = StatusTexts {
    title: "Your question",
    asked: "You asked",
    promise: "What we promised",
    conversation: "The conversation so far",
    you: "You",
    we: "We",
    live: "This page updates itself.",
    follow: "Follow how your request stands here",
    appointments: "Your appointments",
    manage: "Move or cancel",
    closed_title: "This page is closed",
    closed: "Your question was dealt with some time ago. Do you have a new question? Send us an e-mail or ask \
             to be called back, and we will gladly help you.",
    wrong_title: "This link does not work",
    wrong: "The link is not valid (any more). Do you have a question? Send us an e-mail or ask to be called back.",
    ask_callback: "Ask to be called back",
    callback_title: "Your callback request",
    calling: "We will call you on {phone}.",
    back: "Back to the request",
    revoke_sure: "The customer can then no longer open the page; a next link will be a new one.",
    revoke_yes: "Yes, revoke the link",
    preview: "This is how the customer sees this page.",
    as_customer: "As the customer sees it",
    customer_link: "The customer's link",
    revoke: "Revoke the link",
    revoked: "The link no longer works. A next link for the customer will be a new one.",
    not_revoked: "There was no link for the customer yet.",
};

pub fn status_texts(lang: Lang) -> &'static StatusTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}
