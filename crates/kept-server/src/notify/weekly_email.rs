//! The owners' Monday e-mail: last week's figures against the week before — the headline
//! numbers, the charts as inline SVG with their tables, the missed signals — and a link to the
//! page with everything.

use askama::Template;
use kept_domain::Lang;

use super::Couriers;
use super::WeeklyFigures;
use crate::i18n::insight_texts;
use crate::insight_tables::{Names, Table, signal_tables, tables};

#[derive(Template)]
#[template(path = "email_insights.html")]
struct WeeklyEmail<'a> {
    lead: &'a str,
    tables: &'a [Table],
    link: &'a str,
    open_label: &'a str,
}

/// The e-mail's subject, plain text and HTML.
pub(super) fn content(
    state: &Couriers,
    figures: &WeeklyFigures,
    lang: Lang,
) -> Result<(String, String, String), askama::Error> {
    let x = insight_texts(lang);
    let settings = state.settings();
    let board = &figures.board;
    let day = |d| kept_domain::lang::day_and_month(lang, d);
    let subject = x
        .digest_subject
        .replace("{from}", &day(board.period.from))
        .replace("{to}", &day(board.period.to));
    let (now, before) = (&board.totals, &board.previous_totals);
    let lead = x
        .digest_lead
        .replace("{made}", &now.made.to_string())
        .replace("{kept}", &now.kept.to_string())
        .replace("{broken}", &now.broken.to_string())
        .replace("{open}", &now.open.to_string())
        .replace("{previous_made}", &before.made.to_string())
        .replace("{previous_kept}", &before.kept.to_string());
    let names = Names {
        lang,
        staff: &figures.staff_names,
        tz: settings.business.time_zone(),
        appointments: false,
        // The page has the rest.
        list_limit: Some(kept_app::DIGEST_LIST_ROWS),
    };
    // Everything with something to show; the list of broken promises is on the page.
    let shown: Vec<Table> = tables(board, &names)
        .into_iter()
        .chain(signal_tables(board, &names))
        .filter(|t| t.id != "broken" && !t.rows.is_empty())
        .collect();
    let link = format!(
        "{}/staff/insights?period=custom&from={}&to={}&lang={}",
        settings.base_url,
        board.period.from,
        board.period.to,
        lang.code()
    );
    let signals = board.signals.frustrated_answered_late.len()
        + board.signals.broken_twice.len()
        + board.signals.unrecovered.len();
    let text = format!(
        "{lead}\n\n{}: {signals}\n\n{}: {link}\n",
        x.digest_signals, x.digest_open
    );
    let html = WeeklyEmail {
        lead: &lead,
        tables: &shown,
        link: &link,
        open_label: x.digest_open,
    }
    .render()?;
    Ok((subject, text, html))
}
