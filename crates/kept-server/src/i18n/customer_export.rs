//! The texts of a customer's data download (AVG/GDPR access) and of an erasure's confirmation,
//! in Dutch and English.

use kept_domain::Lang;

pub struct ExportTexts {
    /// "Gegevens van {name}"
    pub title: &'static str,
    pub exported_at: &'static str,
    pub business: &'static str,
    pub contacts: &'static str,
    pub held: &'static str,
    pub timeline: &'static str,
    pub promised: &'static str,
    pub files: &'static str,
    /// The archive's files: summary, data, the mails' folder.
    pub summary_file: &'static str,
    pub data_file: &'static str,
    pub mails_folder: &'static str,
    pub nothing: &'static str,
    /// After an erasure: "Gewist: {what}."
    pub erased: &'static str,
}

pub fn export_texts(lang: Lang) -> &'static ExportTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

static NL: ExportTexts = ExportTexts {
    title: "Gegevens van",
    exported_at: "Opgevraagd op",
    business: "Bewaard door",
    contacts: "Contactgegevens",
    held: "Wat we over u bewaren",
    timeline: "Alles op een rij, oudste eerst",
    promised: "Wat we u hebben toegezegd",
    files: "In dit archief: samenvatting.txt (dit overzicht), gegevens.json (alles, voor computers, tijden in ISO 8601) en de map mails met elke e-mail als .eml (te openen met elk mailprogramma).",
    summary_file: "samenvatting.txt",
    data_file: "gegevens.json",
    mails_folder: "mails",
    nothing: "niets",
    erased: "Gewist:",
};

static EN: ExportTexts = ExportTexts {
    title: "Data of",
    exported_at: "Requested on",
    business: "Kept by",
    contacts: "Contact details",
    held: "What we keep about you",
    timeline: "Everything in order, oldest first",
    promised: "What we promised you",
    files: "In this archive: summary.txt (this overview), data.json (everything, for computers, times in ISO 8601) and the folder mails with every e-mail as .eml (opens in any mail program).",
    summary_file: "summary.txt",
    data_file: "data.json",
    mails_folder: "mails",
    nothing: "nothing",
    erased: "Erased:",
};
