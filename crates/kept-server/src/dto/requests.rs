//! Request bodies that arrive as untrusted input for a domain validator. Their fields are all
//! optional here so that the validator can name every missing or wrong field at once; the
//! schema says what a valid request holds.

use kept_domain::CallbackInput;
use kept_domain::conversation::{FromInput, InboundInput};
use serde::Deserialize;
use utoipa::ToSchema;

// The patterns: `^[^\x00-\x1f\x7f-\x9f]*$` is one line without control characters (they could
// forge lines in e-mail); `\S` somewhere means not blank.

/// A request to be called back, as the embeddable snippet sends it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CallbackRequest {
    /// The number to call (format `phone`); Dutch numbers may be written the Dutch way
    /// ("06 12345678"), others with their country code.
    #[schema(required = true, schema_with = super::schemas::phone, example = "06 12345678")]
    pub phone: Option<String>,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub name: Option<String>,
    /// A window code of the business (`asap` and so on); the first window when absent.
    pub window: Option<String>,
    /// Up to 1,000 characters; line breaks allowed.
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub note: Option<String>,
    #[schema(schema_with = super::schemas::optional_lang)]
    pub lang: Option<String>,
    /// A honeypot for bots: leave it out or empty.
    #[schema(max_length = 0)]
    pub website: Option<String>,
}

impl From<CallbackRequest> for CallbackInput {
    fn from(request: CallbackRequest) -> Self {
        CallbackInput {
            phone: request.phone,
            name: request.name,
            window: request.window,
            note: request.note,
            lang: request.lang,
            website: request.website,
        }
    }
}

/// A message from a social or chat channel, as a business's automation posts it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InboundMessageRequest {
    /// The channel's code: twitter, whatsapp, webchat …
    #[schema(required = true, value_type = String, pattern = r"^[A-Za-z0-9_-]{1,32}$")]
    pub channel: Option<String>,
    /// The channel's own id for this message; the same id twice is stored once.
    #[schema(required = true, value_type = String, max_length = 200,
             pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub external_id: Option<String>,
    #[schema(required = true, value_type = InboundSender)]
    pub from: Option<InboundSender>,
    /// The message (at most 100 KB).
    #[schema(required = true, value_type = String, pattern = r"\S")]
    pub text: Option<String>,
    /// When it was sent (RFC 3339); the moment it arrived when absent, empty, or before 2000 or
    /// after 2100 (a placeholder or a broken clock).
    #[schema(format = DateTime)]
    pub sent_at: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InboundSender {
    /// The sender on the channel, e.g. "@jan" or a phone number.
    #[schema(required = true, value_type = String, max_length = 200,
             pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub handle: Option<String>,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub name: Option<String>,
}

impl From<InboundMessageRequest> for InboundInput {
    fn from(request: InboundMessageRequest) -> Self {
        InboundInput {
            channel: request.channel,
            external_id: request.external_id,
            from: request.from.map(|from| FromInput {
                handle: from.handle,
                name: from.name,
            }),
            text: request.text,
            sent_at: request.sent_at,
        }
    }
}
