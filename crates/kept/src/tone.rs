//! `kept tone check` and `kept tone mood`: the tone engine on the command line.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use kept_app::Settings;
use kept_domain::Lang;
use kept_tone::{CheckInput, Checker, Commitment, Mood, Report, usable_text};

#[derive(Subcommand)]
pub enum ToneCommand {
    /// Check a draft reply: each finding with the quoted text, why, and a better phrasing.
    Check {
        /// nl or en; detected when absent.
        #[arg(long, value_parser = ["nl", "en"])]
        lang: Option<String>,
        /// How to address the customer, e.g. "meneer Jansen".
        #[arg(long)]
        customer_name: Option<String>,
        /// The customer's message this reply answers.
        #[arg(long)]
        reply_to: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// When the draft is written (RFC 3339), for reading its dated commitments; now when absent.
        #[arg(long, value_parser = parse_moment)]
        now: Option<DateTime<Utc>>,
        /// The draft (a file, or - for standard input, the default).
        file: Option<PathBuf>,
    },
    /// Train the learned half of the checker on the labelled examples and write the model
    /// kept ships with; prints the phrase rules' figures alone and, cross-validated, with the
    /// model (each example judged by a model trained without it).
    Train {
        /// The folder with the labelled examples (dev.jsonl and dev2.jsonl).
        #[arg(long, default_value = "../shared/tone")]
        examples: PathBuf,
        /// Where to write the model.
        #[arg(long, default_value = "crates/kept-tone/data/model.tsv")]
        out: PathBuf,
        /// Into how many parts the examples are split for cross-validation.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(2..=20))]
        folds: u16,
    },
    /// Read an incoming message for frustration (0.0–1.0) and its signs.
    Mood {
        #[arg(long, value_parser = ["nl", "en"])]
        lang: Option<String>,
        #[arg(long)]
        json: bool,
        file: Option<PathBuf>,
    },
}

/// Input that cannot be checked: the command exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UnusableInput(String);

fn read(file: Option<&PathBuf>) -> anyhow::Result<String> {
    let (name, bytes) = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => (
            path.display().to_string(),
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        ),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(kept_tone::MAX_INPUT_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .context("reading standard input")?;
            ("standard input".to_string(), bytes)
        }
    };
    let text = usable_text(&bytes).map_err(|e| UnusableInput(format!("{name}: {e}")))?;
    Ok(text.to_string())
}

pub fn run(settings: &Settings, command: ToneCommand) -> anyhow::Result<()> {
    match command {
        ToneCommand::Check {
            lang,
            customer_name,
            reply_to,
            json,
            now,
            file,
        } => {
            let draft = read(file.as_ref())?;
            let reply_to = reply_to.map(|path| read(Some(&path))).transpose()?;
            let checker = Checker::new(&settings.tone)?;
            let report = checker.check(&CheckInput {
                text: &draft,
                lang: lang.as_deref().and_then(Lang::parse),
                customer_name: customer_name.as_deref(),
                reply_to: reply_to.as_deref(),
            });
            let now = now.unwrap_or_else(Utc::now);
            let commitments = kept_tone::read_commitments(&draft, now, &settings.business.hours);
            if json {
                let mut value = serde_json::to_value(&report)?;
                value["commitments"] = serde_json::to_value(&commitments)?;
                println!("{}", serde_json::to_string_pretty(&value)?)
            } else {
                print_report(&report);
                print_commitments(&commitments, report.language, settings.business.time_zone());
            }
        }
        ToneCommand::Train { examples, out, folds } => train(&examples, &out, usize::from(folds))?,
        ToneCommand::Mood { lang, json, file } => {
            let message = read(file.as_ref())?;
            let mood = kept_tone::mood(&message, lang.as_deref().and_then(Lang::parse));
            if json {
                println!("{}", serde_json::to_string_pretty(&mood)?)
            } else {
                print_mood(&mood)
            }
        }
    }
    Ok(())
}

/// Trains the model on every example and writes it, after showing what it is worth.
fn train(examples: &std::path::Path, out: &std::path::Path, folds: usize) -> anyhow::Result<()> {
    use kept_tone::learned::Model;
    use kept_tone::train;
    let examples = train::read_examples(examples)?;
    let labelled = train::label_all(&Checker::default(), &examples);
    println!(
        "{} examples\n\nphrase rules alone:\n{}",
        labelled.len(),
        train::evaluate(&Model::default(), &labelled).table()
    );
    println!(
        "phrase rules and model, {folds}-fold cross-validated:\n{}",
        train::cross_validate(&labelled, folds, 1).table()
    );
    let model = train::train(&labelled);
    std::fs::write(out, model.to_tsv()).with_context(|| format!("writing {}", out.display()))?;
    println!("model written to {}", out.display());
    Ok(())
}

fn parse_moment(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 moment such as 2026-03-10T14:20:00+01:00: {e}"))
}

/// The dated commitments in the draft, each with when it is due in the business's time.
fn print_commitments(commitments: &[Commitment], lang: Lang, tz: chrono_tz::Tz) {
    if commitments.is_empty() {
        return;
    }
    println!(
        "\n{}",
        match lang {
            Lang::Nl => "Toezeggingen (kept herinnert u eraan):",
            Lang::En => "Commitments (kept will remind you):",
        }
    );
    for commitment in commitments {
        let due = commitment.due_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
        println!("- \"{}\" → {due} ({})", commitment.text, commitment.action.as_str());
    }
}

fn print_report(report: &Report) {
    let (why, better) = match report.language {
        Lang::Nl => ("Waarom", "Beter"),
        Lang::En => ("Why", "Better"),
    };
    println!("language: {}   score: {}/100", report.language.code(), report.score);
    if report.findings.is_empty() {
        println!(
            "{}",
            if report.language == Lang::Nl {
                "Niets te verbeteren."
            } else {
                "Nothing to improve."
            }
        );
    }
    for (number, finding) in report.findings.iter().enumerate() {
        println!(
            "\n{}. {} (bytes {}–{}): \"{}\"",
            number + 1,
            finding.rule.id(),
            finding.start,
            finding.end,
            finding.excerpt
        );
        println!("   {why}: {}", finding.message);
        println!("   {better}: {}", finding.suggestion);
    }
}

fn print_mood(mood: &Mood) {
    let verdict = if mood.frustrated() { "frustrated" } else { "calm" };
    println!(
        "language: {}   frustration: {:.2} ({verdict})",
        mood.language.code(),
        mood.frustration
    );
    for signal in &mood.signals {
        println!("- {}: \"{}\"", signal.kind, signal.excerpt);
    }
}
