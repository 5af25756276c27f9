//! The texts of importing a contracts file: the preview, what each row does, and every
//! problem a row or the file can have, in Dutch and English.

use kept_domain::Lang;
use kept_domain::contract::{FieldProblem, Problem};

pub struct ImportTexts {
    pub preview_title: &'static str,
    pub preview_intro: &'static str,
    /// "{n} nieuw" and the like: counts of what the import does.
    pub will_create: &'static str,
    pub will_update: &'static str,
    pub unchanged: &'static str,
    pub will_skip: &'static str,
    pub skipped_title: &'static str,
    pub changes_title: &'static str,
    pub line: &'static str,
    pub column: &'static str,
    pub reason: &'static str,
    pub what: &'static str,
    pub action_create: &'static str,
    pub action_update: &'static str,
    pub confirm: &'static str,
    pub cancel: &'static str,
    pub nothing_to_import: &'static str,
    /// "{created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd, {skipped} overgeslagen."
    pub imported: &'static str,
    /// "{what}. Er is niets ingelezen." (the file as a whole)
    pub refused: &'static str,
    pub number: &'static str,
    /// "Regel {line}, kolom {column}: {message}"
    pub at_line_column: &'static str,
    pub at_line: &'static str,
    /// A row beyond the first few of a kind: "… en {n} meer".
    pub and_more: &'static str,
    problems: ProblemTexts,
}

/// What each problem means, with {column} for the column's name.
struct ProblemTexts {
    missing_column: &'static str,
    empty: &'static str,
    too_long: &'static str,
    not_a_date: &'static str,
    not_an_email: &'static str,
    not_a_phone: &'static str,
    no_contact: &'static str,
    not_an_amount: &'static str,
    too_many_rows: &'static str,
    unreadable: &'static str,
}

const NL: ImportTexts = ImportTexts {
    preview_title: "Controleer de import",
    preview_intro: "Dit gebeurt er als u het bestand inleest. Er is nog niets veranderd.",
    will_create: "{n} nieuw",
    will_update: "{n} bijgewerkt",
    unchanged: "{n} ongewijzigd",
    will_skip: "{n} overgeslagen",
    skipped_title: "Deze regels worden overgeslagen",
    changes_title: "Nieuw en bijgewerkt",
    line: "Regel",
    column: "Kolom",
    reason: "Waarom",
    what: "Wat",
    action_create: "nieuw",
    action_update: "bijgewerkt",
    confirm: "Inlezen",
    cancel: "Annuleren",
    nothing_to_import: "Er is niets in te lezen: verbeter het bestand en probeer het opnieuw.",
    imported: "Ingelezen: {created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd, {skipped} overgeslagen.",
    refused: "{what}. Er is niets ingelezen.",
    number: "Nummer",
    at_line_column: "Regel {line}, kolom {column}: {message}",
    at_line: "Regel {line}: {message}",
    and_more: "… en nog {n}",
    problems: ProblemTexts {
        missing_column: "de kopregel heeft geen kolom {column} (nodig: external_id, product, end_date; een komma of puntkomma als scheidingsteken)",
        empty: "{column} is leeg",
        too_long: "{column} is langer dan 200 tekens",
        not_a_date: "{column} is geen datum zoals 31-12-2026 of 2026-12-31",
        not_an_email: "{column} is geen e-mailadres",
        not_a_phone: "{column} is geen telefoonnummer",
        no_contact: "een e-mailadres of telefoonnummer is nodig om de klant te kennen",
        not_an_amount: "{column} is geen bedrag zoals 1.200,50",
        too_many_rows: "meer dan 20.000 regels; splits het bestand",
        unreadable: "deze regel is niet te lezen",
    },
};

const EN: ImportTexts = ImportTexts {
    preview_title: "Check the import",
    preview_intro: "This is what importing the file will do. Nothing has changed yet.",
    will_create: "{n} new",
    will_update: "{n} updated",
    unchanged: "{n} unchanged",
    will_skip: "{n} skipped",
    skipped_title: "These lines are skipped",
    changes_title: "New and updated",
    line: "Line",
    column: "Column",
    reason: "Why",
    what: "What",
    action_create: "new",
    action_update: "updated",
    confirm: "Import",
    cancel: "Cancel",
    nothing_to_import: "There is nothing to import: correct the file and try again.",
    imported: "Imported: {created} new, {updated} updated, {unchanged} unchanged, {skipped} skipped.",
    refused: "{what}. Nothing was imported.",
    number: "Number",
    at_line_column: "Line {line}, column {column}: {message}",
    at_line: "Line {line}: {message}",
    and_more: "… and {n} more",
    problems: ProblemTexts {
        missing_column: "the header row has no column {column} (needed: external_id, product, end_date; a comma or semicolon between columns)",
        empty: "{column} is empty",
        too_long: "{column} is longer than 200 characters",
        not_a_date: "{column} is not a date like 31-12-2026 or 2026-12-31",
        not_an_email: "{column} is not an e-mail address",
        not_a_phone: "{column} is not a phone number",
        no_contact: "an e-mail address or phone number is needed to know the customer",
        not_an_amount: "{column} is not an amount like 1,200.50",
        too_many_rows: "more than 20,000 lines; split the file",
        unreadable: "this line cannot be read",
    },
};

pub fn import_texts(lang: Lang) -> &'static ImportTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

impl ImportTexts {
    /// What is wrong, in words.
    pub fn problem(&self, field: &FieldProblem) -> String {
        let p = &self.problems;
        let text = match &field.problem {
            Problem::MissingColumn => p.missing_column,
            Problem::Empty => p.empty,
            Problem::TooLong => p.too_long,
            Problem::NotADate => p.not_a_date,
            Problem::NotAnEmail => p.not_an_email,
            Problem::NotAPhone => p.not_a_phone,
            Problem::NoContact => p.no_contact,
            Problem::NotAnAmount => p.not_an_amount,
            Problem::TooManyRows => p.too_many_rows,
            Problem::Unreadable(_) => p.unreadable,
        };
        text.replace("{column}", field.column.unwrap_or_default())
    }

    /// "Regel 4, kolom end_date: end_date is geen datum …".
    pub fn at(&self, line: u64, field: &FieldProblem) -> String {
        let template = match field.column {
            Some(column) => self.at_line_column.replace("{column}", column),
            None => self.at_line.to_string(),
        };
        template
            .replace("{line}", &line.to_string())
            .replace("{message}", &self.problem(field))
    }
}
