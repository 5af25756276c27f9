//! Schemas for values that are strings in JSON but one of a fixed list in kept: the list comes
//! from the domain's own codes, so the document cannot drift from what is accepted.

use kept_domain::conversation::{ConversationStatus, Direction};
use kept_domain::{CallOutcome, CallbackStatus};

use crate::error::AppError;
use utoipa::openapi::schema::{AdditionalProperties, Object, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};

/// A string that is one of `codes`, or `null` (left out) when `nullable`.
fn one_of(codes: &[&'static str], nullable: bool) -> Object {
    let mut values: Vec<serde_json::Value> = codes.iter().map(|c| (*c).into()).collect();
    let schema_type = if nullable {
        values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .enum_values(Some(values))
        .build()
}

pub fn callback_status_filter() -> Object {
    one_of(CallbackStatus::CODES, false)
}
pub fn conversation_status_filter() -> Object {
    one_of(ConversationStatus::CODES, false)
}
pub fn optional_conversation_status() -> Object {
    one_of(ConversationStatus::CODES, true)
}
pub fn call_outcome() -> Object {
    one_of(CallOutcome::CODES, false)
}
pub fn direction() -> Object {
    one_of(Direction::CODES, false)
}
pub fn optional_lang() -> Object {
    one_of(&["nl", "en"], true)
}

pub fn assigned_to_filter() -> Object {
    one_of(&["me", "nobody"], false)
}
pub fn role() -> Object {
    one_of(kept_domain::Role::CODES, false)
}
pub fn optional_role() -> Object {
    one_of(kept_domain::Role::CODES, true)
}
pub fn lang() -> Object {
    one_of(&["nl", "en"], false)
}
pub fn survey_status() -> Object {
    one_of(kept_domain::SurveyStatus::CODES, false)
}
pub fn survey_kind() -> Object {
    one_of(kept_domain::SurveyKind::CODES, false)
}
pub fn promise_kind() -> Object {
    one_of(kept_domain::PromiseKind::CODES, false)
}
pub fn promise_status() -> Object {
    one_of(kept_domain::PromiseStatus::CODES, false)
}
pub fn contract_outcome() -> Object {
    one_of(kept_domain::ContractOutcome::CODES, false)
}
pub fn insights_group() -> Object {
    one_of(kept_domain::insights::GroupBy::CODES, false)
}
pub fn insights_format() -> Object {
    one_of(&["json", "csv"], false)
}

/// A format of kept's own, for what JSON Schema cannot say: clients and tests learn each from
/// its description (the API's tests generate them in `tests/api/hooks.py`).
///
/// Only a type and a format: a test tool generates from the format only then (the description
/// goes on the field).
fn own_format(format: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .format(Some(SchemaFormat::Custom(format.into())))
        .build()
}

const OPENING_HOURS: &str = "One day's opening hours: `closed` (or empty), or spans like `09:00-12:00, 13:00-17:30`, \
     each ending after it starts.";
const TIME_ZONE: &str = "An IANA time zone such as `Europe/Amsterdam` (format `time-zone`).";
const PHONE: &str = "A phone number as people write it: `06 12345678`, `+31 6 12345678`, `020-1234567` \
     (format `phone`: a number libphonenumber reads as possible, in the business's country unless it starts with +).";

/// A week of opening hours: a day (mon … sun) to its hours; a day left out is closed.
fn week(nullable: bool) -> Object {
    let mut builder = ObjectBuilder::new();
    if nullable {
        builder = builder.schema_type(SchemaType::from_iter([Type::Object, Type::Null]));
    } else {
        builder = builder.schema_type(SchemaType::Type(Type::Object));
    }
    let hours = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(opening_hours_pattern()))
        .description(Some(OPENING_HOURS))
        .build();
    for day in kept_domain::booking::DAY_KEYS {
        builder = builder.property(day, hours.clone());
    }
    builder
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
        .build()
}

pub fn optional_week() -> Object {
    week(true)
}

/// A staff member's hours: a location's id to a week of hours there.
pub fn schedule_hours() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .additional_properties(Some(Schema::Object(week(false))))
        .description(Some(
            "Per location id, hours per day like a location's. Someone without any works every location's \
             opening hours; someone with some works only there.",
        ))
        .build()
}

/// `schema` or null. (A nullable type with a format of kept's own would let a test tool
/// drop the format for the string.)
fn or_null(schema: Object, description: &str) -> Schema {
    let null = ObjectBuilder::new().schema_type(SchemaType::Type(Type::Null)).build();
    Schema::OneOf(
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(null)
            .item(schema)
            .description(Some(description))
            .build(),
    )
}

pub fn optional_time_zone() -> Schema {
    or_null(own_format("time-zone"), TIME_ZONE)
}

/// A phone number (format `phone`): described where it is used, as this schema holds only
/// its type and format.
pub fn phone() -> Object {
    own_format("phone")
}

pub fn optional_phone() -> Schema {
    or_null(own_format("phone"), PHONE)
}

/// A span of the day that ends after it starts, as a pattern: per starting hour, the hours
/// after it. (Spans within one hour, "09:00-09:30", are read too but not described here.)
fn span_pattern() -> String {
    let later: Vec<String> = (0..23)
        .map(|hour: u32| {
            let ends: Vec<String> = (hour + 1..24).map(|end| format!("{end:02}")).collect();
            format!("{hour:02}:[0-5][0-9]-({}):[0-5][0-9]", ends.join("|"))
        })
        .collect();
    format!("({})", later.join("|"))
}

/// One day's opening hours as kept reads them: closed (or empty), or spans.
pub fn opening_hours_pattern() -> String {
    let span = span_pattern();
    format!("^((closed|gesloten)?|{span}(, {span})*)$")
}

/// A saved reply's text: plain text (no `{{`, `{%` or `{#`), or a template of format
/// `template` (merge fields and conditions, checked by compiling it).
pub fn template_body() -> Schema {
    let plain = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .max_length(Some(20_000))
        .pattern(Some(r"^\s*([^\s{]|\{[^{%#\s])([^{]|\{[^{%#])*$"))
        .build();
    Schema::AnyOf(
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(plain)
            .item(own_format("template"))
            .description(Some(
                "At most 20,000 characters, not only spaces: plain text, or text with merge fields \
                 ({{ customer.name }}, {{ staff.first_name }}, {{ business.name }}, {{ promise.due }}) \
                 and {% if %} / {% for %} around them (format `template`).",
            ))
            .build(),
    )
}

/// Tags: each on one line, 1 to 40 characters (spaces inside count once).
pub fn tags() -> utoipa::openapi::schema::Array {
    let tag = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .min_length(Some(1))
        .max_length(Some(40))
        .pattern(Some(ONE_LINE))
        .build();
    utoipa::openapi::schema::ArrayBuilder::new().items(tag).build()
}

/// Text on one line with something in it: no control characters, not only spaces.
const ONE_LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// One of the tone check's rules.
pub fn tone_rule() -> Object {
    let mut values: Vec<serde_json::Value> = kept_tone::Rule::ALL.iter().map(|r| r.id().into()).collect();
    values.sort_by_key(|v| v.to_string());
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values))
        .build()
}

pub fn outbox_status_filter() -> Object {
    one_of(kept_domain::OutboxStatus::CODES, false)
}
/// The ways a delivery travels, kept's own hooks left out (they are not listed).
pub fn delivery_kind_filter() -> Object {
    let listed: Vec<&'static str> = kept_domain::Delivery::CODES
        .iter()
        .copied()
        .filter(|code| *code != kept_domain::Delivery::Hook.as_str())
        .collect();
    one_of(&listed, false)
}

/// An optional day (YYYY-MM-DD) where an empty text, as a form or a spreadsheet leaves it, is
/// no day.
pub fn optional_day<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(day) => day.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// `?limit=`: `default` when absent; outside 1 to `max` it is refused rather than quietly
/// changed, so that a client learns its mistake.
pub fn list_limit(limit: Option<i64>, default: i64, max: i64) -> Result<i64, AppError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            "limit_out_of_range",
            format!("limit must be between 1 and {max}"),
        )),
    }
}
