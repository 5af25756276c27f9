//! Saved replies rendered with a real template engine (minijinja): merge fields for the
//! customer, the staff member, the business and the open promise, and a greeting that uses the
//! customer's name when it is known (never "Dear customer").
//!
//! Templates are written by staff, so they run with limits: an instruction budget (minijinja's
//! fuel), a cap on the output, and off the async runtime with a time limit, so that a template
//! that loops a billion times fails at once instead of taking the server down.

mod shape;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kept_domain::Lang;
use minijinja::{Environment, UndefinedBehavior, context};

/// The largest template body accepted.
pub const MAX_TEMPLATE_CHARS: usize = 20_000;
/// The most a rendered reply may hold: a long e-mail is a few KB.
pub const MAX_OUTPUT_BYTES: usize = 100_000;
/// minijinja instructions one rendering may take; a real saved reply takes a few hundred.
const FUEL: u64 = 100_000;
/// How long a caller waits for a rendering.
const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Everything a template can use.
#[derive(Debug, Clone)]
pub struct MergeFields {
    pub customer_name: Option<String>,
    pub staff_name: String,
    pub business_name: String,
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
fn due_phrase(fields: &MergeFields) -> String {
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
    env.set_fuel(Some(FUEL));
    env
}

/// Renders on the calling thread, within the fuel and output limits.
pub fn render(body: &str, fields: &MergeFields) -> Result<String, TemplateError> {
    // Also for a template saved before the check existed.
    shape::check(body)?;
    let env = environment();
    let template = env.template_from_str(body).map_err(describe)?;
    let customer_name = fields.customer_name.as_deref().unwrap_or_default();
    let context = context! {
        greeting => greeting(fields.lang, fields.customer_name.as_deref()),
        customer => context! { name => customer_name, first_name => first_name(customer_name) },
        staff => context! { name => &fields.staff_name, first_name => first_name(&fields.staff_name) },
        business => context! { name => &fields.business_name },
        promise => context! { due => due_phrase(fields) },
    };
    let mut output = CappedOutput::default();
    match template.render_captured_to(context, &mut output) {
        Ok(_) => String::from_utf8(output.bytes).map_err(|_| TemplateError("the text is not valid UTF-8".into())),
        Err(_) if output.overflowed => Err(too_long()),
        Err(error) => Err(describe(error)),
    }
}

/// Renders on a blocking thread, waiting at most [`TIME_LIMIT`]: what staff write never holds up
/// the threads that answer requests.
pub async fn render_off_runtime(body: String, fields: MergeFields) -> Result<String, TemplateError> {
    let rendering = tokio::task::spawn_blocking(move || render(&body, &fields));
    match tokio::time::timeout(TIME_LIMIT, rendering).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(TemplateError("the template could not be rendered".into())),
        Err(_) => Err(TemplateError("the template takes too long to fill in".into())),
    }
}

fn too_long() -> TemplateError {
    TemplateError(format!(
        "the filled-in text would be longer than {} KB",
        MAX_OUTPUT_BYTES / 1000
    ))
}

/// Collects rendered text and refuses more than [`MAX_OUTPUT_BYTES`].
#[derive(Default)]
struct CappedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Checks a template by rendering it with example values, off the async runtime and within
/// the same limits as every rendering.
pub async fn validate(body: &str) -> Result<(), TemplateError> {
    let example = MergeFields {
        customer_name: Some("Jan de Vries".into()),
        staff_name: "Sanne Bakker".into(),
        business_name: "Fietsenmaker".into(),
        promise_due: Some(Utc::now()),
        lang: Lang::Nl,
        now: Utc::now(),
        time_zone: chrono_tz::Europe::Amsterdam,
    };
    render_off_runtime(body.to_string(), example).await.map(|_| ())
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

    fn fields(name: Option<&'static str>, lang: Lang) -> MergeFields {
        MergeFields {
            customer_name: name.map(str::to_string),
            staff_name: "Sanne Bakker".into(),
            business_name: "Fietsenmaker".into(),
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

    #[tokio::test]
    async fn mistakes_are_reported_with_the_line() {
        let error = validate("Hallo\n{{ customer.nmae }}").await.unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(validate("{% if %}").await.is_err());
        assert!(validate("{{ greeting }} {{ customer.name }}").await.is_ok());
    }

    #[tokio::test]
    async fn runaway_templates_are_refused_before_they_run() {
        // Each of these built values far larger than itself (200 MB a preview, doubling per line).
        for bomb in [
            "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
            "{{ 'x' * 5000000 }}",
            "{% set a = \"x\" * 99999999 %}{{ a|length }}",
            "{% set a = 'xxxxxxxxxx' %}{% set a = a ~ a %}{% set a = a ~ a %}{{ a }}",
            "{% set ns = namespace(s='x') %}{{ ns.s }}",
            "{{ customer.name | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') }}",
            "{% macro m() %}x{% endmacro %}{{ m() }}",
            "{% include 'other' %}",
        ] {
            let error = validate(bomb).await.unwrap_err().to_string();
            assert!(error.contains("not allowed in a saved reply"), "{bomb}: {error}");
        }
        // What a saved reply needs is all allowed.
        let fine = "{{ greeting }}\n{% if customer.first_name and promise.due %}{{ customer.first_name | title }}, \
                    we bellen u {{ promise.due }}.{% elif not customer.name %}Hallo!{% else %}-{% endif %}\n\
                    {% for letter in business.name %}{{ letter | upper }}{% endfor %} {{ staff.name | default('ons') }}";
        validate(fine).await.unwrap();
        // Nested loops over merge fields stop at the fuel or the output cap.
        let nested = "{% for a in business.name %}{% for b in business.name %}{% for c in business.name %}\
                      {% for d in business.name %}{% for e in business.name %}xxxx{% endfor %}{% endfor %}{% endfor %}\
                      {% endfor %}{% endfor %}";
        let error = validate(nested).await.unwrap_err().to_string();
        assert!(error.contains("fuel") || error.contains("KB"), "{error}");
    }
}
