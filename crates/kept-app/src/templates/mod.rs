//! Saved replies: filling one in for a conversation, saving and deleting them.

use kept_domain::conversation::Direction;
use kept_domain::staff::OwnerOnly;
use kept_store::{ReplyTemplate, Staff};

use crate::error::AppError;
use crate::{App, authorize};

/// Filling a saved reply in: the template language and what a reply may hold.
pub mod engine;

use engine::MergeFields;

/// A saved reply filled in for a conversation: the customer's name, the staff member's, the
/// business's and the open promise's due time, in the language the customer writes in.
pub async fn draft_reply(
    app: &App,
    staff: &Staff,
    conversation_id: &str,
    template_id: &str,
) -> Result<String, AppError> {
    let conversation = app
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let templates = app.store.reply_templates().await?;
    let template = templates
        .iter()
        .find(|t| t.id == template_id)
        .ok_or(AppError::NotFound)?;
    let last_inbound = conversation
        .messages
        .iter()
        .rev()
        .find(|m| m.direction == Direction::Inbound);
    let lang = last_inbound.map_or(staff.lang, |m| kept_tone::detect_language(&m.body));
    let fields = MergeFields {
        customer_name: conversation.customer_name.clone(),
        staff_name: staff.name.clone(),
        business_name: app.settings().business.name.clone(),
        promise_due: conversation.due_at,
        lang,
        now: app.clock.now(),
        time_zone: app.settings().business.time_zone(),
    };
    engine::render_off_runtime(template.body.clone(), fields)
        .await
        .map_err(|e| AppError::Conflict(format!("the template cannot be used: {e}")))
}

/// Saves a reply template after checking that it renders.
pub async fn save_template(app: &App, name: &str, body: &str) -> Result<ReplyTemplate, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            "name",
            "invalid_name",
            "give the template a name of 1 to 80 characters",
        ));
    }
    if body.trim().is_empty() || body.chars().count() > engine::MAX_TEMPLATE_CHARS {
        return Err(AppError::invalid(
            "body",
            "invalid_body",
            "the text must be between 1 and 20,000 characters",
        ));
    }
    engine::validate(body)
        .await
        .map_err(|e| AppError::invalid("body", "template_error", e.to_string()))?;
    Ok(app.store.save_reply_template(name, body, app.clock.now()).await?)
}

/// Removes a saved reply (owner only: the whole team uses them).
pub async fn delete_template(app: &App, staff: &Staff, id: &str) -> Result<(), AppError> {
    authorize(staff, OwnerOnly::DeleteSavedReply)?;
    Ok(app.store.delete_reply_template(id).await?)
}

// Saved replies as staff read them.

/// Every saved reply, by name.
pub async fn reply_templates(app: &App) -> Result<Vec<ReplyTemplate>, AppError> {
    Ok(app.store.reply_templates().await?)
}
