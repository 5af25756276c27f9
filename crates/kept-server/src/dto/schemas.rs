//! Schemas for values that are strings in JSON but one of a fixed list in kept: the list comes
//! from the domain's own codes, so the document cannot drift from what is accepted.

use kept_domain::conversation::{ConversationStatus, Direction};
use kept_domain::{CallOutcome, CallbackStatus};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

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
