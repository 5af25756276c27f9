//! The body of `PUT /api/v1/settings`: any part of the settings document, merged into it
//! (RFC 7386: `null` takes a key back to its default where it has one). Written out by hand
//! from the checks it describes (`BusinessSettings::resolve`, `BusinessFile::resolve`,
//! `SurveySettings::check`): a derived schema would describe the whole document, not a part
//! of it, and none of its ranges.

use serde_json::{Value, json};

const CHANNEL: &str = "^[a-z0-9_-]{1,32}$";
const TEXT: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

fn whole(min: i64, max: i64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

/// A number with a default: null takes it back to the default.
fn whole_or_default(min: i64, max: i64) -> Value {
    json!({"type": ["integer", "null"], "minimum": min, "maximum": max})
}

fn text(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": TEXT})
}

fn business() -> Value {
    let day = json!({"type": ["string", "null"], "pattern": crate::dto::schemas::opening_hours_pattern()});
    let days: serde_json::Map<String, Value> = kept_domain::booking::DAY_KEYS
        .iter()
        .map(|d| (d.to_string(), day.clone()))
        .collect();
    let window = json!({
        "type": "object", "additionalProperties": false,
        "required": ["code", "label_nl", "label_en", "rule"],
        "properties": {
            "code": {"type": "string", "pattern": CHANNEL},
            "label_nl": text(100), "label_en": text(100),
            "rule": {"oneOf": [
                {"type": "object", "additionalProperties": false, "required": ["kind", "minutes"],
                 "properties": {"kind": {"const": "within"}, "minutes": whole(1, 7 * 24 * 60)}},
                {"type": "object", "additionalProperties": false, "required": ["kind"],
                 "properties": {"kind": {"const": "office_hours"}}},
                {"type": "object", "additionalProperties": false, "required": ["kind", "start", "end"],
                 "properties": {"kind": {"const": "daily_slot"},
                     "start": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"},
                     "end": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"}}}
            ]}
        }
    });
    json!({
        "type": "object", "additionalProperties": false,
        "properties": {
            "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 100, "pattern": TEXT},
            "time_zone": {"type": ["string", "null"], "format": "time-zone"},
            "default_region": {"type": ["string", "null"], "format": "region",
                "description": "A country code libphonenumber knows, such as NL (format `region`)."},
            "hours": {"type": ["object", "null"], "additionalProperties": false, "properties": days},
            "closed_days": {"type": ["array", "null"], "items": {"type": "string", "format": "date"}},
            "windows": {"type": ["array", "null"], "minItems": 1, "items": window,
                "description": "Every window's code differs from the others'."}
        }
    })
}

fn surveys() -> Value {
    let flag = json!({"type": ["boolean", "null"]});
    let reason = json!({"type": "object", "additionalProperties": false, "required": ["nl", "en"],
        "properties": {"nl": text(100), "en": text(100)}});
    let intro = json!({"type": ["string", "null"], "maxLength": 500});
    json!({
        "type": ["object", "null"], "additionalProperties": false,
        "properties": {
            "csat_after_callback": flag, "csat_after_conversation": flag, "csat_after_appointment": flag,
            "delay_minutes": whole_or_default(0, 7 * 24 * 60), "reminder_after_days": whole_or_default(1, 30),
            "cap_days": whole_or_default(0, 365), "nps_every_days": whole_or_default(0, 730),
            "exit_reasons": {"type": ["array", "null"], "maxItems": 20, "items": reason},
            "intro_nl": intro, "intro_en": intro,
            "outreach_days_before": whole_or_default(1, 365),
            "outreach_owner": {"type": ["string", "null"], "description": "A staff member's id; empty: an owner."}
        }
    })
}

/// The schema of a settings change.
pub fn settings_patch() -> Value {
    let per_channel =
        |value: Value| json!({"type": "object", "propertyNames": {"pattern": CHANNEL}, "additionalProperties": value});
    let reminder = json!({"type": "string",
        "pattern": r"^ *(([01][0-9]|2[0-3]):[0-5][0-9]|[1-9][0-9]{0,3}|100[0-7][0-9]|10080) *$",
        "description": "\"18:00\": that time the day before; \"120\": that many minutes before (up to 10080)."});
    json!({
        "type": "object", "additionalProperties": false,
        "description": "Any part of the settings document; what is left out stays as it is.",
        "properties": {
            "business": business(),
            "first_response_minutes": per_channel(json!({"type": ["integer", "null"], "minimum": 1, "maximum": 43200})),
            "default_first_response_minutes": whole(1, 43200),
            "reminder_lead_minutes": whole(1, 1440),
            "retry_after_minutes": whole(1, 10080),
            "channel_webhooks": per_channel(json!({"type": ["string", "null"], "format": "webhook-url",
                "description": "An http:// or https:// address; kept signs what it sends there, so kept.toml needs webhook_secret (else a 409)."})),
            "appointment_reminders": {"type": ["array", "null"], "items": reminder},
            "surveys": surveys(),
            "weekly_figures_email": {"type": ["boolean", "null"]},
            "acknowledgements": {"type": ["object", "null"], "additionalProperties": false, "properties": {
                "email": {"type": ["boolean", "null"]},
                "callback_form": {"type": ["boolean", "null"]}
            }}
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_settings_patch_schema_reads_back_whole() {
        let schema = super::settings_patch();
        assert_eq!(schema["additionalProperties"], false, "{schema}");
        assert!(
            schema
                .pointer("/properties/business/properties/windows/items/properties/rule/oneOf/2")
                .is_some(),
            "{schema}"
        );
        assert_eq!(
            schema.pointer("/properties/surveys/properties/cap_days/maximum"),
            Some(&serde_json::json!(365))
        );
    }
}
