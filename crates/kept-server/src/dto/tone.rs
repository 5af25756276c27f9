//! The JSON shapes of the tone API: a draft's report and an incoming message's mood.

use kept_tone::{Finding, Mood, Report, Rule, Signal};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ToneReportJson {
    /// "nl" or "en": given, or detected from the text.
    #[schema(value_type = String, example = "nl")]
    pub language: kept_domain::Lang,
    /// 100 means nothing to improve.
    pub score: u32,
    pub findings: Vec<FindingJson>,
    /// Dated commitments in the draft ("ik bel u morgen om 10:00"), each with when it is due.
    pub commitments: Vec<CommitmentJson>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentJson {
    /// The commitment's name for a form that keeps or leaves it: its words and how many
    /// commitments with the same words came before it ("morgen om 10:00#0").
    #[schema(example = "morgen om 10:00#0")]
    pub key: String,
    /// Byte offsets into the checked text of the words that say when.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// The same moment on the business's clock, as a form's date-time field takes it.
    #[schema(example = "2026-03-11T10:00")]
    pub due_local: String,
    /// call, email, visit, send or other.
    #[schema(value_type = String, example = "call")]
    pub action: kept_tone::Action,
    /// The words around it that say what is promised.
    pub clause: String,
}

/// A moment on the business's clock as a form's date-time field takes it.
fn local_minute(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

impl CommitmentJson {
    pub fn new(c: &kept_tone::Commitment, key: String, tz: chrono_tz::Tz) -> Self {
        Self {
            key,
            start: c.start,
            end: c.end,
            text: c.text.clone(),
            due_at: c.due_at,
            due_local: local_minute(c.due_at, tz),
            action: c.action,
            clause: c.clause.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingJson {
    /// generic_greeting, blames_customer, deflection, arguing, empty_apology, vague_promise,
    /// no_acknowledgement or shouting.
    #[schema(value_type = String, example = "blames_customer")]
    pub rule: Rule,
    /// Byte offsets into the checked text.
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
    pub message: String,
    pub suggestion: String,
    /// For a vague promise: a moment to make it definite by, one business day on, on the
    /// business's clock ("2026-03-11T14:20"), for the composer to offer.
    pub when_local: Option<String>,
}

impl FindingJson {
    fn new(f: &Finding, vague_due_local: &str) -> Self {
        Self {
            rule: f.rule,
            start: f.start,
            end: f.end,
            excerpt: f.excerpt.clone(),
            message: f.message.clone(),
            suggestion: f.suggestion.clone(),
            when_local: (f.rule == Rule::VaguePromise).then(|| vague_due_local.to_string()),
        }
    }
}

impl ToneReportJson {
    /// The report with the draft's commitments; a vague promise is offered `vague_due`.
    pub fn new(
        report: &Report,
        commitments: &[kept_tone::Commitment],
        vague_due: chrono::DateTime<chrono::Utc>,
        tz: chrono_tz::Tz,
    ) -> Self {
        let vague_due_local = local_minute(vague_due, tz);
        Self {
            language: report.language,
            score: report.score,
            findings: report
                .findings
                .iter()
                .map(|f| FindingJson::new(f, &vague_due_local))
                .collect(),
            commitments: commitments
                .iter()
                .zip(kept_app::commitment_keys(commitments))
                .map(|(c, key)| CommitmentJson::new(c, key, tz))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoodJson {
    #[schema(value_type = String, example = "nl")]
    pub language: kept_domain::Lang,
    /// 0.0 calm … 1.0 furious.
    pub frustration: f32,
    pub signals: Vec<SignalJson>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalJson {
    /// irritation, waiting, repeated_contact, threat_to_leave, sarcasm, capitals or exclamation;
    /// tone when the learned model read frustration the phrases missed (the sentence that weighed most).
    pub kind: String,
    pub excerpt: String,
}

impl From<&Signal> for SignalJson {
    fn from(s: &Signal) -> Self {
        Self {
            kind: s.kind.clone(),
            excerpt: s.excerpt.clone(),
        }
    }
}

impl From<&Mood> for MoodJson {
    fn from(m: &Mood) -> Self {
        Self {
            language: m.language,
            frustration: m.frustration,
            signals: m.signals.iter().map(SignalJson::from).collect(),
        }
    }
}
