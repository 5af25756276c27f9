//! Saved replies rendered with a real template engine (minijinja): merge fields for the
//! customer, the staff member, the business and the open promise, and a greeting that uses the
//! customer's name when it is known (never "Dear customer").

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kept_domain::Lang;
use minijinja::{Environment, UndefinedBehavior, context};

/// The largest template body accepted.
pub const MAX_TEMPLATE_BYTES: usize = 20_000;

/// Everything a template can use.
pub struct MergeFields<'a> {
    pub customer_name: Option<&'a str>,
    pub staff_name: &'a str,
    pub business_name: &'a str,
    pub promise_due: Option<DateTime<Utc>>,
    pub lang: Lang,
    pub now: DateTime<Utc>,
    pub time_zone: Tz,
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// "Beste Jan," / "Dear Jan,"; without a name a plain "Hallo," / "Hello,".
pub fn greeting(lang: Lang, customer_name: Option<&str>) -> String {
    match (lang, customer_name.map(str::trim).filter(|n| !n.is_empty())) {
        (Lang::Nl, Some(name)) => format!("Beste {},", first_name(name)),
        (Lang::En, Some(name)) => format!("Dear {},", first_name(name)),
        (Lang::Nl, None) => "Hallo,".into(),
        (Lang::En, None) => "Hello,".into(),
    }
}

/// "vandaag om 14:00", "on Thursday 26 November at 09:30".
fn due_phrase(fields: &MergeFields<'_>) -> String {
    let Some(due) = fields.promise_due else {
        return String::new();
    };
    let local = due.with_timezone(&fields.time_zone);
    let day = fields
        .lang
        .day_phrase(local, fields.now.with_timezone(&fields.time_zone));
    let at = if fields.lang == Lang::Nl { "om" } else { "at" };
    format!("{day} {at} {}", local.format("%H:%M"))
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(String);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt field is an error when the template is saved, not a blank in a customer's mail.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env
}

pub fn render(body: &str, fields: &MergeFields<'_>) -> Result<String, TemplateError> {
    let env = environment();
    let template = env.template_from_str(body).map_err(describe)?;
    let customer_name = fields.customer_name.unwrap_or_default();
    template
        .render(context! {
            greeting => greeting(fields.lang, fields.customer_name),
            customer => context! { name => customer_name, first_name => first_name(customer_name) },
            staff => context! { name => fields.staff_name, first_name => first_name(fields.staff_name) },
            business => context! { name => fields.business_name },
            promise => context! { due => due_phrase(fields) },
        })
        .map_err(describe)
}

/// Checks a template by rendering it with example values.
pub fn validate(body: &str) -> Result<(), TemplateError> {
    let example = MergeFields {
        customer_name: Some("Jan de Vries"),
        staff_name: "Sanne Bakker",
        business_name: "Fietsenmaker",
        promise_due: Some(Utc::now()),
        lang: Lang::Nl,
        now: Utc::now(),
        time_zone: chrono_tz::Europe::Amsterdam,
    };
    render(body, &example).map(|_| ())
}

fn describe(error: minijinja::Error) -> TemplateError {
    let line = error.line().map(|l| format!(" (line {l})")).unwrap_or_default();
    let detail = error.detail().map(|d| format!(": {d}")).unwrap_or_default();
    TemplateError(format!("{}{detail}{line}", error.kind()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn fields(name: Option<&'static str>, lang: Lang) -> MergeFields<'static> {
        MergeFields {
            customer_name: name,
            staff_name: "Sanne Bakker",
            business_name: "Fietsenmaker",
            promise_due: Some(Utc.with_ymd_and_hms(2026, 11, 26, 13, 0, 0).unwrap()),
            lang,
            now: Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
            time_zone: chrono_tz::Europe::Amsterdam,
        }
    }

    #[test]
    fn merge_fields_and_greetings_by_name() {
        let body =
            "{{ greeting }}\n\nWe bellen u {{ promise.due }}.\n\nGroet, {{ staff.first_name }} van {{ business.name }}";
        let text = render(body, &fields(Some("Jan de Vries"), Lang::Nl)).unwrap();
        assert_eq!(
            text,
            "Beste Jan,\n\nWe bellen u op donderdag 26 november om 14:00.\n\nGroet, Sanne van Fietsenmaker"
        );
        assert!(
            render("{{ greeting }}", &fields(None, Lang::En))
                .unwrap()
                .starts_with("Hello,")
        );
        assert_eq!(
            render("{{ greeting }}", &fields(Some("Ann"), Lang::En)).unwrap(),
            "Dear Ann,"
        );
    }

    #[test]
    fn mistakes_are_reported_with_the_line() {
        let error = validate("Hallo\n{{ customer.nmae }}").unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(validate("{% if %}").is_err());
        assert!(validate("{{ greeting }} {{ customer.name }}").is_ok());
    }
}
