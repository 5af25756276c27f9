//! The business's own settings: the owner changes them in the browser or through the API; the
//! change is checked, recorded and in force at once on every node.

use kept_domain::staff::OwnerOnly;
use kept_store::{SettingChange, Staff};
use serde_json::Value;

use crate::config::{BusinessSettings, ConfigError};
use crate::error::AppError;
use crate::{App, Change, authorize};

/// The keys a refusal can name (a refused `first_response_minutes.chat` is reported under
/// `first_response_minutes`, with the whole key in the message).
const KEYS: &[&str] = &[
    "business.name",
    "business.time_zone",
    "business.default_region",
    "business.hours.mon",
    "business.hours.tue",
    "business.hours.wed",
    "business.hours.thu",
    "business.hours.fri",
    "business.hours.sat",
    "business.hours.sun",
    "business.hours",
    "business.closed_days",
    "business.windows",
    "business",
    "first_response_minutes",
    "default_first_response_minutes",
    "reminder_lead_minutes",
    "retry_after_minutes",
    "appointment_reminders",
    "surveys.delay_minutes",
    "surveys.reminder_after_days",
    "surveys.cap_days",
    "surveys.nps_every_days",
    "surveys.outreach_days_before",
    "surveys.exit_reasons",
    "surveys.intro_nl",
    "surveys",
    "channel_webhooks",
];

/// Takes the saved settings (if the owner ever saved any) over those of `kept.toml`: at
/// start-up, and whenever a node announces that they changed.
pub async fn load_saved_settings(app: &App) -> Result<(), AppError> {
    let Some(text) = app.store.settings_document().await? else {
        return Ok(());
    };
    let document: BusinessSettings = serde_json::from_str(&text)
        .map_err(|e| AppError::Internal(format!("the saved settings cannot be read: {e}")))?;
    match app.settings().with_business_settings(document) {
        Ok(next) => app.replace_settings(next),
        // E.g. a channel webhook saved while kept.toml had a webhook secret that is gone now.
        Err(error) => {
            tracing::error!(%error, "the saved settings do not hold with this kept.toml; keeping the current ones")
        }
    }
    Ok(())
}

/// The business's settings as they are now (owner only: they hold webhook addresses).
pub fn current_settings(app: &App, staff: &Staff) -> Result<BusinessSettings, AppError> {
    authorize(staff, OwnerOnly::ChangeSettings)?;
    Ok(app.settings().business_settings.clone())
}

/// Changes the business's settings (owner only). `patch` has the document's shape; what it
/// leaves out stays as it is (a JSON merge patch, RFC 7396). Every changed key is recorded.
pub async fn change_settings(app: &App, staff: &Staff, patch: &Value) -> Result<BusinessSettings, AppError> {
    authorize(staff, OwnerOnly::ChangeSettings)?;
    let current = app.settings();
    let mut merged = serde_json::to_value(&current.business_settings).map_err(|e| AppError::Internal(e.to_string()))?;
    merge_patch(&mut merged, patch);
    let document: BusinessSettings = serde_path_to_error::deserialize(merged).map_err(|error| {
        let key = error.path().to_string();
        refused(&key, error.inner().to_string())
    })?;
    let next = current
        .with_business_settings(document.clone())
        .map_err(|error| match error {
            ConfigError::Invalid { key, reason } => refused(&key, reason),
            ConfigError::NeedsWebhookSecret { key } => AppError::invalid(
                "channel_webhooks",
                "needs_webhook_secret",
                format!("{key}: kept.toml needs webhook_secret to sign what kept sends there"),
            ),
            other => AppError::Internal(other.to_string()),
        })?;
    let changes = differences(&current.business_settings, &document);
    if changes.is_empty() {
        return Ok(document);
    }
    let text = serde_json::to_string(&document).map_err(|e| AppError::Internal(e.to_string()))?;
    app.store
        .save_settings_document(&text, &changes, &staff.id, app.clock.now())
        .await?;
    app.replace_settings(next);
    app.announce(Change::Settings);
    Ok(document)
}

fn refused(key: &str, reason: String) -> AppError {
    let field = KEYS
        .iter()
        .find(|known| key.starts_with(*known))
        .copied()
        .unwrap_or("settings");
    AppError::invalid(field, "invalid_setting", format!("{key}: {reason}"))
}

/// RFC 7396: objects merge key by key, `null` removes a key, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(fields) = target {
        for (key, change) in changes {
            if change.is_null() {
                fields.remove(key);
            } else {
                merge_patch(fields.entry(key.clone()).or_insert(Value::Null), change);
            }
        }
    }
}

/// Every leaf that differs, by its dotted key (lists count as one value).
fn differences(old: &BusinessSettings, new: &BusinessSettings) -> Vec<SettingChange> {
    let (Ok(old), Ok(new)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    compare("", Some(&old), Some(&new), &mut changes);
    changes
}

fn compare(key: &str, old: Option<&Value>, new: Option<&Value>, changes: &mut Vec<SettingChange>) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for name in keys {
                let path = if key.is_empty() {
                    name.clone()
                } else {
                    format!("{key}.{name}")
                };
                compare(&path, a.get(name), b.get(name), changes);
            }
        }
        (a, b) if a != b => changes.push(SettingChange {
            setting: key.to_string(),
            old_value: a.map(Value::to_string),
            new_value: b.map(Value::to_string),
        }),
        _ => {}
    }
}

// What the settings page reads besides the settings.

/// The latest changes to the business's settings, newest first.
pub async fn settings_changes(app: &App, limit: i64) -> Result<Vec<kept_store::SettingChangeView>, AppError> {
    Ok(app.store.settings_changes(limit).await?)
}

/// What the owner's settings page shows beside the form: the latest changes, the tone
/// findings marked as not a problem, the mailbox's health and the team.
pub struct SettingsRecord {
    pub changes: Vec<kept_store::SettingChangeView>,
    pub tone_dismissals: Vec<kept_store::ToneDismissal>,
    pub mailbox: Option<kept_store::MailboxState>,
    pub team: Vec<Staff>,
}

/// The settings page's surroundings, for an owner (`history` changes at most).
pub async fn settings_record(app: &App, staff: &Staff, history: i64) -> Result<SettingsRecord, AppError> {
    let mailbox = match &app.settings().imap {
        Some(imap) => app.store.mailbox(&imap.key()).await?,
        None => None,
    };
    Ok(SettingsRecord {
        tone_dismissals: crate::tone::tone_dismissals(app, staff).await?,
        changes: app.store.settings_changes(history).await?,
        mailbox,
        team: app.store.list_staff().await?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_merge_patch_changes_only_what_it_names() {
        let mut document =
            json!({"business": {"name": "Fiets", "hours": {"mon": "09:00-17:30", "tue": "09:00-17:30"}}, "x": 1});
        merge_patch(
            &mut document,
            &json!({"business": {"hours": {"mon": "closed"}}, "x": null}),
        );
        assert_eq!(
            document,
            json!({"business": {"name": "Fiets", "hours": {"mon": "closed", "tue": "09:00-17:30"}}})
        );
    }

    #[test]
    fn a_refusal_names_the_most_precise_known_key() {
        let AppError::Invalid(fields) = refused("business.hours.mon", "bad".into()) else {
            panic!("a field error")
        };
        assert_eq!(fields[0].field, "business.hours.mon");
        let AppError::Invalid(fields) = refused("first_response_minutes.chat", "bad".into()) else {
            panic!("a field error")
        };
        assert_eq!(fields[0].field, "first_response_minutes");
        assert!(fields[0].message.contains("first_response_minutes.chat"));
    }
}
