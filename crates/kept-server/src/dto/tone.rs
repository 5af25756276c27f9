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
}

impl From<&Finding> for FindingJson {
    fn from(f: &Finding) -> Self {
        Self {
            rule: f.rule,
            start: f.start,
            end: f.end,
            excerpt: f.excerpt.clone(),
            message: f.message.clone(),
            suggestion: f.suggestion.clone(),
        }
    }
}

impl From<&Report> for ToneReportJson {
    fn from(r: &Report) -> Self {
        Self {
            language: r.language,
            score: r.score,
            findings: r.findings.iter().map(FindingJson::from).collect(),
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
    /// irritation, waiting, repeated_contact, threat_to_leave, sarcasm, capitals or exclamation.
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
