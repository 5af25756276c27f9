//! The OpenAPI document at `/api/openapi.json`: every operation with its parameters, bodies
//! and every answer it can give. The answers that come from the shared extractors (a token,
//! an `{id}`, a JSON body, a query string) are added in one place, [`SharedAnswers`], because
//! those extractors are the same for every operation.

use axum::Json;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::errors::ErrorBody;
use crate::dto::{CallbackJson, CreatedCallback, OutcomeRequest, WebhookEvent};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kept",
        description = "Callback requests, conversations, customers and appointments, the promises made to them, and the tone checker. \
                       Every error is the JSON `ErrorBody`."
    ),
    paths(
        super::callbacks::form::create_callback,
        super::callbacks::api::list_callbacks,
        super::callbacks::api::get_callback,
        super::callbacks::api::record_outcome,
        super::conversations::api::inbound_message,
        super::conversations::api::inbound_email,
        super::conversations::api::list,
        super::conversations::first_messages::start,
        super::deliveries::list::list,
        super::deliveries::list::retry,
        super::conversations::api::get,
        super::conversations::api::reply,
        super::conversations::api::update,
        super::conversations::api::timeline,
        super::customers::api::get,
        super::customers::api::add_contact,
        super::customers::api::merge,
        super::customers::api::export,
        super::customers::api::erase,
        super::customers::api::add_follow_up,
        super::customers::api::follow_ups,
        super::customers::api::follow_up_done,
        super::customers::api::follow_up_withdraw,
        super::team::members::api_set_away,
        super::team::members::api_list,
        super::team::members::api_invite,
        super::team::members::api_change,
        super::team::members::api_reset_password,
        super::team::members::api_deactivate,
        super::team::members::api_tokens,
        super::team::members::api_create_token,
        super::team::members::api_revoke_token,
        super::customers::api::add_note,
        super::customers::api::add_call,
        super::conversations::tone::check,
        super::conversations::tone::dismiss,
        super::conversations::tone::dismissals,
        super::conversations::tone::undo,
        super::conversations::tone::mood,
        super::search::api::search,
        super::settings::business::get,
        super::settings::business::put,
        super::conversations::templates::list,
        super::conversations::templates::save,
        super::conversations::templates::delete,
        super::conversations::templates::draft,
        super::conversations::mail::attachment,
        super::conversations::mail::unreadable,
        super::conversations::mail::unreadable_raw,
        super::conversations::mail::unreadable_handled,
        super::appointments::api::list_locations,
        super::appointments::api::add_location,
        super::appointments::api::change_location,
        super::appointments::api::list_services,
        super::appointments::api::add_service,
        super::appointments::api::change_service,
        super::appointments::api::get_schedule,
        super::appointments::api::set_schedule,
        super::appointments::api::availability,
        super::appointments::api::book,
        super::appointments::api::list,
        super::appointments::api::get,
        super::appointments::api::act,
        super::appointments::api::on_my_way,
        super::appointments::api::reschedule,
        super::appointments::api::join_waiting_list,
        super::appointments::api::calendar_url,
        super::appointments::api::rotate_calendar_url,
        super::surveys::api::list,
        super::insights::api::insights,
        super::surveys::api::promises,
        super::surveys::api::fans,
        super::surveys::api::thanked,
        super::contracts::api::import,
        super::contracts::api::save,
        super::contracts::api::list,
        super::contracts::api::get,
        super::contracts::api::outcome,
        super::healthz
    ),
    components(schemas(CallbackJson, CreatedCallback, OutcomeRequest, ErrorBody, WebhookEvent)),
    modifiers(&BearerAuth, &SharedAnswers, &FieldRules)
)]
pub struct ApiDoc;

pub async fn openapi() -> Json<serde_json::Value> {
    Json(document())
}

/// The document as served: the derived one, with the settings change's body written out by
/// hand (`dto::settings_schema`; JSON Schema keywords utoipa's model does not hold).
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    document["components"]["schemas"]["SettingsPatch"] = crate::dto::settings_schema::settings_patch();
    document["paths"]["/api/v1/settings"]["put"]["requestBody"]["content"]["application/json"]["schema"] =
        serde_json::json!({"$ref": "#/components/schemas/SettingsPatch"});
    document
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("kept token create --email E"))
                        .build(),
                ),
            );
        }
    }
}

/// Rules between the fields of a body that a derived schema cannot state: which of them must
/// be given. Each body's own check (`ContactRequest::contact`, `ContractFields::check`) is the
/// rule; these say the same to clients.
struct FieldRules;

impl Modify for FieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let rules = [
            ("ContactRequest", one_given(&["phone", "email", "handle"], Exactly::One)),
            (
                "StartConversationRequest",
                one_given(&["customer_id", "email", "phone"], Exactly::One),
            ),
            (
                "ContractRequest",
                one_given(&["customer_email", "customer_phone"], Exactly::AtLeastOne),
            ),
        ];
        for (name, rule) in rules {
            if let Some(schema) = components.schemas.remove(name) {
                let both = AllOfBuilder::new().item(schema).item(rule).build();
                components
                    .schemas
                    .insert(name.to_string(), RefOr::T(Schema::AllOf(both)));
            }
        }
    }
}

enum Exactly {
    One,
    AtLeastOne,
}

/// One branch per field: it is given, as text with something in it, (for `One`) the others
/// left out or null.
fn one_given(fields: &[&str], how: Exactly) -> Schema {
    let branches = fields.iter().map(|given| {
        let text = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"\S"))
            .build();
        let mut branch = ObjectBuilder::new().required(*given).property(*given, text);
        if matches!(how, Exactly::One) {
            for other in fields.iter().filter(|f| *f != given) {
                branch = branch.property(*other, ObjectBuilder::new().schema_type(Type::Null).build());
            }
        }
        Schema::Object(branch.build())
    });
    match how {
        Exactly::One => Schema::OneOf(branches.fold(OneOfBuilder::new(), |b, s| b.item(s)).build()),
        Exactly::AtLeastOne => Schema::AnyOf(branches.fold(AnyOfBuilder::new(), |b, s| b.item(s)).build()),
    }
}

/// The answers every operation shares through its extractors, and tidy tag names.
struct SharedAnswers;

impl Modify for SharedAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                add_shared_answers(path, operation);
                // "super::customers" → "customers"
                if let Some(tags) = operation.tags.as_mut() {
                    for tag in tags.iter_mut() {
                        *tag = tag.rsplit("::").next().unwrap_or(tag).to_string();
                    }
                }
            }
        }
    }
}

fn add_shared_answers(path: &str, operation: &mut Operation) {
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let mut answers = Vec::new();
    if operation.security.is_some() {
        answers.push(("401", "No valid API token (or log-in session)"));
    }
    if path.contains("{id}") {
        answers.push(("404", "Nothing with this id"));
    }
    if has_query {
        answers.push(("400", "A query parameter is not of its type"));
        answers.push(("422", "A parameter was refused; the message says which and why"));
    }
    if operation.request_body.is_some() {
        answers.push(("413", "The body is larger than this operation takes"));
        answers.push(("422", "A field was refused; nothing was stored"));
    }
    if has_query || operation.request_body.is_some() {
        // What a client cannot know from this document: what is stored, and the time now.
        answers.push((
            "409",
            "The request conflicts with what is stored or with the time now (it names a location, a service or someone on the team kept does not have; a time no longer free or past; an address in use); `fields` says which",
        ));
    }
    for (status, description) in answers {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_answer(description)));
    }
}

fn error_answer(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))))
                .build(),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    fn document() -> serde_json::Value {
        super::document()
    }

    fn operations(document: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
        let mut all = Vec::new();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                all.push((path.clone(), method.clone(), operation.clone()));
            }
        }
        all
    }

    /// Every successful JSON answer names its schema: a `$ref`, or an array of them. (A raw
    /// `{"type": "object"}` tells an integrator nothing.)
    #[test]
    fn every_successful_json_answer_has_a_named_schema() {
        let document = document();
        let mut untyped = Vec::new();
        for (path, method, operation) in operations(&document) {
            for (status, response) in operation["responses"].as_object().unwrap() {
                let Some(schema) = response.pointer("/content/application~1json/schema") else {
                    continue;
                };
                let named = schema.get("$ref").is_some() || schema.pointer("/items/$ref").is_some();
                if status.starts_with('2') && !named {
                    untyped.push(format!("{method} {path} {status}: {schema}"));
                }
            }
        }
        assert!(untyped.is_empty(), "untyped answers:\n{}", untyped.join("\n"));
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for name in [
            "ConversationJson",
            "MessageJson",
            "CustomerJson",
            "FollowUpJson",
            "ToneReportJson",
            "ErasureJson",
            "CallbackRequest",
            "InboundMessageRequest",
        ] {
            assert!(schemas.contains_key(name), "{name} is not in the document");
        }
    }

    /// Each operation has its own operationId, declares each `{…}` of its path, takes query
    /// parameters in the query, and documents 401 when it needs a token.
    #[test]
    fn every_operation_is_fully_declared() {
        let document = document();
        let mut ids = HashSet::new();
        for (path, method, operation) in operations(&document) {
            let id = operation["operationId"].as_str().unwrap().to_string();
            assert!(ids.insert(id.clone()), "operationId {id} is used twice");
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            let declared = |name: &str, place: &str| parameters.iter().any(|p| p["name"] == name && p["in"] == place);
            if path.contains("{id}") {
                assert!(declared("id", "path"), "{method} {path} does not declare {{id}}");
            }
            for parameter in &parameters {
                if parameter["in"] == "path" {
                    let name = parameter["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                }
            }
            let responses = operation["responses"].as_object().unwrap();
            if operation.get("security").is_some() {
                assert!(responses.contains_key("401"), "{method} {path} does not document 401");
            }
            if operation.get("requestBody").is_some() {
                assert!(responses.contains_key("422"), "{method} {path} does not document 422");
            }
        }
    }
}
