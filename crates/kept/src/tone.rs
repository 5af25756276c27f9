//! `kept tone check` and `kept tone mood`: the tone engine on the command line.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use kept_domain::Lang;
use kept_server::Settings;
use kept_tone::{CheckInput, Checker, Mood, Report, usable_text};

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
        /// The draft (a file, or - for standard input, the default).
        file: Option<PathBuf>,
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
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?)
            } else {
                print_report(&report)
            }
        }
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
