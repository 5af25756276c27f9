//! The insights dashboard as people read it: a table for every figure (each with its chart
//! where one helps), in the reader's language, with names instead of ids. The page, its CSV
//! downloads and the owner's weekly e-mail all show these same tables.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use kept_domain::Lang;
use kept_domain::PromiseKind;
use kept_domain::insights::{Dashboard, Group, PromiseFact, ScoreStep, Step, SurveyFact};

use crate::charts::{self, Chart, Mark};
use crate::i18n::{InboxTexts, InsightTexts, booking_texts, channel_label, contract_texts, inbox_texts, insight_texts};

/// A cell: its text, and where it leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub link: Option<String>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            link: None,
        }
    }
}

/// One figure: its title, charts (SVG) and the table with the exact numbers.
#[derive(Debug, Clone)]
pub struct Table {
    /// Stable, for its CSV download and anchors.
    pub id: &'static str,
    pub title: &'static str,
    pub hint: Option<&'static str>,
    pub charts: Vec<Chart>,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows of a list left out here (they are all in its CSV).
    pub more: usize,
}

/// What the tables need besides the figures: names for ids, and how to write times.
pub struct Names<'a> {
    pub lang: Lang,
    pub staff: &'a HashMap<String, String>,
    pub tz: chrono_tz::Tz,
    /// Whether the business takes appointments (else that table is left out).
    pub appointments: bool,
    /// How many rows a list (of broken promises, of signals) shows; all when none.
    pub list_limit: Option<usize>,
}

impl Names<'_> {
    /// The first rows of a list of `total` as this reader sees it, and how many are left out.
    fn shown_of(&self, total: usize) -> (usize, usize) {
        let shown = self.list_limit.map_or(total, |limit| total.min(limit));
        (shown, total - shown)
    }
}

impl Names<'_> {
    fn person(&self, id: Option<&str>) -> String {
        let x = insight_texts(self.lang);
        id.and_then(|id| self.staff.get(id).cloned())
            .unwrap_or_else(|| x.nobody.to_string())
    }

    fn moment(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        format!(
            "{} {}",
            kept_domain::lang::day_and_month(self.lang, local.date_naive()),
            local.format("%H:%M")
        )
    }

    fn step(&self, key: &str) -> String {
        key.parse::<NaiveDate>()
            .map(|d| kept_domain::lang::day_and_month(self.lang, d))
            .unwrap_or_else(|_| key.to_string())
    }

    /// A step's day as short as an axis needs it: "23 mrt".
    fn step_tick(&self, key: &str) -> String {
        const NL: [&str; 12] = [
            "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
        ];
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let months = match self.lang {
            Lang::Nl => NL,
            Lang::En => EN,
        };
        key.parse::<NaiveDate>()
            .map(|d| format!("{} {}", d.day(), months[d.month0() as usize]))
            .unwrap_or_else(|_| key.to_string())
    }
}

/// A bar chart, unless there is nothing above zero to show.
fn bar_chart(title: &'static str, marks: &[Mark]) -> Option<Chart> {
    charts::worth_drawing(marks, true).then(|| Chart {
        title,
        svg: charts::bars(title, marks),
    })
}

/// A line chart on `range`, unless no step has a value.
fn line_chart(title: &'static str, marks: &[Mark], range: (f64, f64)) -> Option<Chart> {
    charts::worth_drawing(marks, false).then(|| Chart {
        title,
        svg: charts::line(title, marks, range),
    })
}

/// A number with one decimal as the reader writes it ("66,7" in Dutch).
pub fn decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Nl => text.replace('.', ","),
        Lang::En => text,
    }
}

fn maybe<T>(value: Option<T>, show: impl Fn(T) -> String) -> String {
    value.map(show).unwrap_or_else(|| "–".to_string())
}

/// A label that starts a table row or a bar: with a capital.
pub fn capitalised(text: &str) -> String {
    let mut letters = text.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

fn kind_label(i: &InboxTexts, key: &str) -> String {
    capitalised(PromiseKind::parse(key).map_or(key, |k| i.promise_kind(k)))
}

fn customer_cell(id: Option<&str>, name: Option<&str>, lang: Lang) -> Cell {
    let unknown = match lang {
        Lang::Nl => "Onbekende klant",
        Lang::En => "Unknown customer",
    };
    Cell {
        text: name.unwrap_or(unknown).to_string(),
        link: id.map(|id| format!("/staff/customers/{id}")),
    }
}

/// The columns of a group's figures after its name.
fn group_cells(group: &Group, lang: Lang) -> Vec<Cell> {
    vec![
        Cell::text(group.made.to_string()),
        Cell::text(group.kept.to_string()),
        Cell::text(group.broken.to_string()),
        Cell::text(group.open.to_string()),
        Cell::text(maybe(group.kept_pct, |p| decimal(lang, p))),
        Cell::text(maybe(group.median_minutes, |m| m.to_string())),
        Cell::text(maybe(group.p90_minutes, |m| m.to_string())),
    ]
}

fn group_head(x: &InsightTexts, first: &'static str) -> Vec<&'static str> {
    vec![first, x.made, x.kept, x.broken, x.open, x.kept_pct, x.median, x.p90]
}

/// One figure of a group, to chart.
type GroupFigure = fn(&Group) -> Option<f64>;

/// A table of groups named by `name`, with a bar chart of one figure per group.
fn groups_table(
    (id, title, first): (&'static str, &'static str, &'static str),
    groups: &[Group],
    names: &Names,
    name: impl Fn(&str) -> String,
    chart: Option<(&'static str, GroupFigure)>,
) -> Table {
    let x = insight_texts(names.lang);
    let labelled: Vec<(String, &Group)> = groups.iter().map(|g| (name(&g.key), g)).collect();
    let charts = chart
        .and_then(|(chart_title, figure)| {
            let marks: Vec<Mark> = labelled
                .iter()
                .map(|(label, g)| {
                    let value = figure(g);
                    Mark {
                        label: label.clone(),
                        tick: label.clone(),
                        value,
                        // Counts and whole minutes.
                        shown: maybe(value, |v| format!("{v:.0}")),
                    }
                })
                .collect();
            bar_chart(chart_title, &marks)
        })
        .into_iter()
        .collect();
    Table {
        id,
        title,
        hint: Some(x.kept_pct_hint),
        charts,
        head: group_head(x, first),
        rows: labelled
            .iter()
            .map(|(label, g)| {
                let mut row = vec![Cell::text(label.clone())];
                row.extend(group_cells(g, names.lang));
                row
            })
            .collect(),
        more: 0,
    }
}

fn headline(board: &Dashboard, x: &InsightTexts, lang: Lang) -> Table {
    let (now, before) = (&board.totals, &board.previous_totals);
    let count = |label: &'static str, a: usize, b: usize| {
        vec![Cell::text(label), Cell::text(a.to_string()), Cell::text(b.to_string())]
    };
    let figure = |label: &'static str, a: String, b: String| vec![Cell::text(label), Cell::text(a), Cell::text(b)];
    let pct = |g: &Group| maybe(g.kept_pct, |p| decimal(lang, p));
    let minutes = |m: Option<i64>| maybe(m, |m| m.to_string());
    Table {
        id: "headline",
        title: x.headline,
        hint: Some(x.kept_pct_hint),
        charts: Vec::new(),
        head: vec!["", x.this_period, x.previous_period],
        rows: vec![
            count(x.made, now.made, before.made),
            count(x.kept, now.kept, before.kept),
            count(x.broken, now.broken, before.broken),
            count(x.open, now.open, before.open),
            // So that made = kept + broken + open + cancelled on the page.
            count(x.cancelled, now.cancelled, before.cancelled),
            figure(x.kept_pct, pct(now), pct(before)),
            figure(x.median, minutes(now.median_minutes), minutes(before.median_minutes)),
            figure(x.p90, minutes(now.p90_minutes), minutes(before.p90_minutes)),
        ],
        more: 0,
    }
}

fn step_label(board: &Dashboard, x: &InsightTexts) -> &'static str {
    match board.period.step() {
        Step::Day => x.day,
        Step::Week => x.week_of,
    }
}

fn over_time(board: &Dashboard, names: &Names) -> Table {
    let x = insight_texts(names.lang);
    let marks: Vec<Mark> = board
        .over_time
        .iter()
        .map(|g| Mark {
            label: names.step(&g.key),
            tick: names.step_tick(&g.key),
            value: g.kept_pct,
            shown: maybe(g.kept_pct, |p| format!("{} %", decimal(names.lang, p))),
        })
        .collect();
    Table {
        id: "over_time",
        title: x.over_time,
        hint: None,
        charts: line_chart(x.over_time, &marks, (0.0, 100.0)).into_iter().collect(),
        head: vec![step_label(board, x), x.made, x.kept, x.broken, x.kept_pct],
        rows: board
            .over_time
            .iter()
            .map(|g| {
                vec![
                    Cell::text(names.step(&g.key)),
                    Cell::text(g.made.to_string()),
                    Cell::text(g.kept.to_string()),
                    Cell::text(g.broken.to_string()),
                    Cell::text(maybe(g.kept_pct, |p| decimal(names.lang, p))),
                ]
            })
            .collect(),
        more: 0,
    }
}

fn callback_speed(board: &Dashboard, names: &Names) -> Table {
    let x = insight_texts(names.lang);
    let speed = &board.callback_speed;
    let last_limit = kept_domain::insights::SPEED_LIMITS.last().copied().unwrap_or_default();
    let bucket_label = |up_to: Option<i64>| match up_to {
        Some(n) => x.up_to.replace("{n}", &n.to_string()),
        None => x.longer.replace("{n}", &last_limit.to_string()),
    };
    let bucket_tick = |up_to: Option<i64>| match up_to {
        Some(n) => format!("≤ {n} min"),
        None => format!("> {last_limit} min"),
    };
    let marks: Vec<Mark> = speed
        .buckets
        .iter()
        .map(|b| Mark {
            label: bucket_label(b.up_to),
            tick: bucket_tick(b.up_to),
            value: Some(b.count as f64),
            shown: b.count.to_string(),
        })
        .collect();
    let mut rows: Vec<Vec<Cell>> = marks
        .iter()
        .map(|m| vec![Cell::text(m.label.clone()), Cell::text(m.shown.clone())])
        .collect();
    rows.push(vec![Cell::text(x.untried), Cell::text(speed.untried.to_string())]);
    rows.push(vec![
        Cell::text(x.median),
        Cell::text(maybe(speed.median_minutes, |m| m.to_string())),
    ]);
    rows.push(vec![
        Cell::text(x.p90),
        Cell::text(maybe(speed.p90_minutes, |m| m.to_string())),
    ]);
    Table {
        id: "callback_speed",
        title: x.callback_speed,
        hint: Some(x.callback_speed_hint),
        charts: bar_chart(x.callback_speed, &marks).into_iter().collect(),
        head: vec!["", x.callbacks],
        rows,
        more: 0,
    }
}

fn satisfaction(board: &Dashboard, names: &Names) -> Table {
    let x = insight_texts(names.lang);
    let lang = names.lang;
    let marks = |value: fn(&ScoreStep) -> Option<f64>| -> Vec<Mark> {
        board
            .satisfaction
            .iter()
            .map(|s| Mark {
                label: names.step(&s.key),
                tick: names.step_tick(&s.key),
                value: value(s),
                shown: maybe(value(s), |v| decimal(lang, v)),
            })
            .collect()
    };
    let row = |label: String, s: &ScoreStep| {
        vec![
            Cell::text(label),
            Cell::text(s.csat_answers.to_string()),
            Cell::text(maybe(s.csat_average, |a| decimal(lang, a))),
            Cell::text(s.nps_answers.to_string()),
            Cell::text(maybe(s.nps, |n| n.to_string())),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = board.satisfaction.iter().map(|s| row(names.step(&s.key), s)).collect();
    rows.push(row(x.this_period.to_string(), &board.satisfaction_totals));
    rows.push(row(x.previous_period.to_string(), &board.previous_satisfaction));
    Table {
        id: "satisfaction",
        title: x.satisfaction,
        hint: Some(x.satisfaction_hint),
        charts: [
            line_chart(x.csat_trend, &marks(|s| s.csat_average), (1.0, 5.0)),
            line_chart(x.nps_trend, &marks(|s| s.nps.map(|n| n as f64)), (-100.0, 100.0)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        head: vec![
            step_label(board, x),
            x.csat_answers,
            x.csat_average,
            x.nps_answers,
            x.nps,
        ],
        rows,
        more: 0,
    }
}

/// A table of labelled counts with a bar per count.
fn counts_table(
    id: &'static str,
    (title, first): (&'static str, &'static str),
    counts: Vec<(String, usize)>,
    lang: Lang,
) -> Table {
    let x = insight_texts(lang);
    let marks: Vec<Mark> = counts
        .iter()
        .map(|(label, count)| Mark {
            label: capitalised(label),
            tick: capitalised(label),
            value: Some(*count as f64),
            shown: count.to_string(),
        })
        .collect();
    Table {
        id,
        title,
        hint: None,
        charts: bar_chart(title, &marks).into_iter().collect(),
        head: vec![first, x.count],
        rows: counts
            .into_iter()
            .map(|(label, count)| vec![Cell::text(capitalised(&label)), Cell::text(count.to_string())])
            .collect(),
        more: 0,
    }
}

fn promise_rows(facts: &[PromiseFact], names: &Names, i: &InboxTexts) -> Vec<Vec<Cell>> {
    facts
        .iter()
        .take(names.shown_of(facts.len()).0)
        .map(|f| {
            vec![
                Cell::text(capitalised(i.promise_kind(f.kind))),
                customer_cell(f.customer_id.as_deref(), f.customer_name.as_deref(), names.lang),
                Cell::text(names.person(f.owner_id.as_deref())),
                Cell::text(names.moment(f.due_at)),
            ]
        })
        .collect()
}

fn unrecovered_rows(surveys: &[SurveyFact], names: &Names, i: &InboxTexts) -> Vec<Vec<Cell>> {
    let x = insight_texts(names.lang);
    surveys
        .iter()
        .take(names.shown_of(surveys.len()).0)
        .map(|s| {
            vec![
                customer_cell(Some(&s.customer_id), s.customer_name.as_deref(), names.lang),
                Cell::text(i.survey_kind(s.kind)),
                Cell::text(maybe(s.score, |n| n.to_string())),
                Cell::text(match s.recovery_status {
                    Some(status) => i.promise_status(Some(status)).to_string(),
                    None => x.no_recovery.to_string(),
                }),
            ]
        })
        .collect()
}

/// The figures' tables, in the order the page shows them.
pub fn tables(board: &Dashboard, names: &Names) -> Vec<Table> {
    let lang = names.lang;
    let (x, i) = (insight_texts(lang), inbox_texts(lang));
    let b = booking_texts(lang);
    let broken = |g: &Group| Some(g.broken as f64);
    let median = |g: &Group| g.median_minutes.map(|m| m as f64);
    let mut tables = vec![
        headline(board, x, lang),
        over_time(board, names),
        groups_table(
            ("kinds", x.by_kind, x.kind),
            &board.by_kind,
            names,
            |key| kind_label(i, key),
            Some((x.broken_by_kind, broken)),
        ),
        groups_table(
            ("staff", x.by_staff, x.staff),
            &board.by_staff,
            names,
            |key| names.person(Some(key).filter(|k| !k.is_empty())),
            Some((x.broken_by_staff, broken)),
        ),
        callback_speed(board, names),
        Table {
            hint: Some(x.first_response_hint),
            ..groups_table(
                ("first_response", x.first_response, x.channel),
                &board.first_response,
                names,
                |key| channel_label(lang, key),
                Some((x.first_response, median)),
            )
        },
        satisfaction(board, names),
    ];
    tables.extend(retention_tables(board, lang));
    if names.appointments {
        tables.push(counts_table(
            "appointments",
            (x.appointments, x.status),
            board
                .appointments
                .iter()
                .map(|v| (b.status(v.status).to_string(), v.count))
                .collect(),
            lang,
        ));
    }
    tables.push(Table {
        id: "broken",
        title: x.broken_list,
        hint: None,
        charts: Vec::new(),
        head: vec![x.kind, x.customer, x.owner, x.due],
        rows: promise_rows(&board.broken, names, i),
        more: names.shown_of(board.broken.len()).1,
    });
    tables
}

/// How the contracts ended, and why customers left.
fn retention_tables(board: &Dashboard, lang: Lang) -> [Table; 2] {
    let (x, c) = (insight_texts(lang), contract_texts(lang));
    [
        counts_table(
            "contracts",
            (x.contracts, x.outcome),
            vec![
                (c.status_renewed.to_string(), board.retention.renewed),
                (c.status_left.to_string(), board.retention.left),
                (c.status_undecided.to_string(), board.retention.undecided),
            ],
            lang,
        ),
        counts_table(
            "exit_reasons",
            (x.exit_reasons, x.reason),
            board
                .retention
                .reasons
                .iter()
                .map(|r| (r.reason.clone(), r.count))
                .collect(),
            lang,
        ),
    ]
}

/// The missed signals' tables.
pub fn signal_tables(board: &Dashboard, names: &Names) -> Vec<Table> {
    let (x, i) = (insight_texts(names.lang), inbox_texts(names.lang));
    let signals = &board.signals;
    let plain = |id, title, head, rows, total| Table {
        id,
        title,
        hint: None,
        charts: Vec::new(),
        head,
        rows,
        more: names.shown_of(total).1,
    };
    vec![
        plain(
            "frustrated_late",
            x.frustrated_late,
            vec![x.kind, x.customer, x.owner, x.due],
            promise_rows(&signals.frustrated_answered_late, names, i),
            signals.frustrated_answered_late.len(),
        ),
        plain(
            "broken_twice",
            x.broken_twice,
            vec![x.customer, x.broken],
            signals
                .broken_twice
                .iter()
                .take(names.shown_of(signals.broken_twice.len()).0)
                .map(|r| {
                    vec![
                        customer_cell(Some(&r.customer_id), r.customer_name.as_deref(), names.lang),
                        Cell::text(r.broken.to_string()),
                    ]
                })
                .collect(),
            signals.broken_twice.len(),
        ),
        plain(
            "unrecovered",
            x.unrecovered,
            vec![x.customer, x.kind, x.score, x.recovery],
            unrecovered_rows(&signals.unrecovered, names, i),
            signals.unrecovered.len(),
        ),
    ]
}

/// A table as CSV: its header and rows as shown, without links, an empty cell where the page
/// shows "–". Separated by semicolons for Dutch readers (a Dutch spreadsheet reads commas as
/// decimal marks), by commas for English ones.
pub fn csv(table: &Table, lang: Lang) -> Result<String, csv::Error> {
    let separator = match lang {
        Lang::Nl => b';',
        Lang::En => b',',
    };
    let mut writer = csv::WriterBuilder::new().delimiter(separator).from_writer(Vec::new());
    writer.write_record(&table.head)?;
    for row in &table.rows {
        let cells = row.iter().map(|c| if c.text == "–" { "" } else { c.text.as_str() });
        writer.write_record(cells.map(crate::spreadsheet::safe_cell).map(|c| c.into_owned()))?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

impl Table {
    /// Each row's cells with their column's name (shown beside the value on a phone).
    pub fn labelled_rows(&self) -> Vec<Vec<(&'static str, &Cell)>> {
        self.rows
            .iter()
            .map(|row| self.head.iter().copied().zip(row.iter()).collect())
            .collect()
    }
}
