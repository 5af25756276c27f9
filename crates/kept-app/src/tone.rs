//! The tone check as this business has tuned it: findings staff marked "not a problem here"
//! are left out for everyone; the owner sees each and may take it back.

use kept_domain::staff::OwnerOnly;
use kept_store::{Staff, ToneDismissal};
use kept_tone::{CheckInput, Checker, Report, Rule};

use crate::error::AppError;
use crate::{App, authorize};

/// The longest excerpt one may mark: a finding quotes a phrase, not a letter.
const MAX_EXCERPT_CHARS: usize = 300;

/// Words as findings are compared with what was marked: lower case, single spaces, no comma
/// at the end ("Beste relatie," and "beste  relatie" are the same).
fn compared(excerpt: &str) -> String {
    excerpt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches([',', '.', '!', '?', ':', ';'])
        .to_lowercase()
}

/// Checks a draft reply with the business's checker, leaving out what this business marked as
/// not a problem.
pub async fn check_reply(app: &App, checker: &Checker, input: &CheckInput<'_>) -> Result<Report, AppError> {
    let mut report = checker.check(input);
    if report.findings.is_empty() {
        return Ok(report);
    }
    let marked = app.store.tone_dismissals().await?;
    report.retain(|finding| {
        let words = compared(&finding.excerpt);
        !marked.iter().any(|m| m.rule == finding.rule.id() && m.excerpt == words)
    });
    Ok(report)
}

/// Marks a finding as not a problem here: these words are not flagged for this rule again.
/// The rule's id and the words as they are compared from now on.
pub async fn dismiss_finding(
    app: &App,
    staff: &Staff,
    rule: &str,
    excerpt: &str,
) -> Result<(String, String), AppError> {
    let rule =
        Rule::parse(rule).ok_or_else(|| AppError::invalid("rule", "unknown_rule", "not a rule of the tone check"))?;
    let words = compared(excerpt);
    if words.is_empty() || words.chars().count() > MAX_EXCERPT_CHARS {
        return Err(AppError::invalid(
            "excerpt",
            "unusable_excerpt",
            format!("the finding's words, 1 to {MAX_EXCERPT_CHARS} characters"),
        ));
    }
    app.store
        .dismiss_finding(rule.id(), &words, &staff.id, app.clock.now())
        .await?;
    Ok((rule.id().to_string(), words))
}

/// What this business marked as not a problem (the owner's to see).
pub async fn tone_dismissals(app: &App, staff: &Staff) -> Result<Vec<ToneDismissal>, AppError> {
    authorize(staff, OwnerOnly::ChangeSettings)?;
    Ok(app.store.tone_dismissals().await?)
}

/// Takes a mark back: the words are flagged again (the owner's to do).
pub async fn undo_tone_dismissal(app: &App, staff: &Staff, id: &str) -> Result<(), AppError> {
    authorize(staff, OwnerOnly::ChangeSettings)?;
    if app.store.undo_tone_dismissal(id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_compare_without_case_spacing_or_closing_marks() {
        assert_eq!(compared("Beste  relatie,"), "beste relatie");
        assert_eq!(compared(" Dear\nCustomer "), "dear customer");
        assert_eq!(compared(",,"), "");
    }
}
