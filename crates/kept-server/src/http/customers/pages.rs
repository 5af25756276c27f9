//! The customer page: who they are, their whole timeline, the follow-ups, and its forms — a
//! note, a logged call, writing to them first (the form; `first_messages` sends), their name,
//! a new contact, and merging another customer into them (owners, after a preview of what
//! moves).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use kept_app::records::{CustomerView, TimelineKey};
use kept_domain::Lang;
use kept_domain::conversation::Direction;
use kept_domain::phone::normalise_phone;
use kept_domain::staff::OwnerOnly;
use serde::Deserialize;

use crate::http::customers::api::ContactRequest;
use crate::http::customers::customer_view::{customer_view, display_name, timeline_list};
use crate::http::customers::views::{MergeCandidate, MergePage, TimelineFragment, WriteDraft};
use crate::http::errors::HttpError;
use crate::http::errors::OwnPage;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::pages::{clock, render};
use crate::i18n::{contact_label, inbox_texts, record_count, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

const CANDIDATES: i64 = 10;

#[derive(Debug, Deserialize)]
pub struct NameForm {
    csrf: String,
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<NameForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::rename_customer(&state, &session.staff, &id, &form.name).await?;
    Ok(Redirect::to(&format!("/staff/customers/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    csrf: String,
    kind: String,
    value: String,
}

/// Links a phone number, e-mail address or handle to the customer. When it belongs to
/// someone else, the merge page opens with that customer found.
pub async fn add_contact(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let contact =
        ContactRequest::from_form(&form.kind, &form.value).contact(&state.settings().business.default_region)?;
    match app::add_contact(&state, &session.staff, &id, contact).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/customers/{id}")).into_response()),
        Err(AppError::Conflict(_)) => {
            let lang = session.staff.lang;
            let page = merge_page(&state, session, lang, &id, form.value.trim(), true).await?;
            Ok((StatusCode::CONFLICT, Extension(OwnPage), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MergeQuery {
    #[serde(default)]
    q: String,
}

/// The merge page: find the other customer and see what of theirs would move.
pub async fn merge_form(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(lang): Query<LangQuery>,
    Query(query): Query<MergeQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    merge_page(&state, session, lang, &id, query.q.trim(), false).await
}

async fn merge_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    id: &str,
    query: &str,
    contact_taken: bool,
) -> Result<Response, HttpError> {
    let customer = kept_app::customer(state, id).await?.ok_or(AppError::NotFound)?;
    let mut candidates = Vec::new();
    if !query.is_empty() {
        let phone = normalise_phone(query, &state.settings().business.default_region).ok();
        for other in kept_app::find_customers(state, query, phone.as_deref(), CANDIDATES).await? {
            if other.id != customer.id {
                candidates.push(candidate(state, lang, other).await?);
            }
        }
    }
    let page = MergePage {
        texts: texts(lang),
        inbox: inbox_texts(lang),
        name: display_name(&customer),
        id: customer.id,
        query: query.to_string(),
        searched: !query.is_empty(),
        contact_taken,
        may_merge: session.staff.role.may(OwnerOnly::MergeCustomers),
        candidates,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

/// Another customer with their contacts and what of theirs a merge moves, in words.
async fn candidate(state: &AppState, lang: Lang, other: CustomerView) -> Result<MergeCandidate, HttpError> {
    let counts = kept_app::customer_record_counts(state, &other.id).await?;
    let moves: Vec<String> = counts
        .iter()
        .filter_map(|(table, count)| record_count(lang, table, *count))
        .collect();
    Ok(MergeCandidate {
        name: display_name(&other),
        contacts: other
            .phone
            .iter()
            .chain(other.handles.iter())
            .map(|contact| contact_label(lang, &state.settings().business.default_region, contact))
            .collect(),
        moves,
        id: other.id,
    })
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    csrf: String,
    from: String,
    #[serde(default)]
    confirm: String,
}

/// Moves everything of the other customer into this one (owners only: the use case checks).
pub async fn merge(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<MergeForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    if form.confirm != "1" {
        return Err(AppError::invalid("confirm", "merge_not_confirmed", "tick that merging cannot be undone").into());
    }
    app::merge_customers(&state, &session.staff, &id, &form.from).await?;
    Ok(Redirect::to(&format!("/staff/customers/{id}")).into_response())
}

/// `?before=`: the timeline's entries older than this one (its place as the page gave it).
#[derive(Debug, Default, Deserialize)]
pub struct TimelineQuery {
    #[serde(default)]
    before: String,
}

impl TimelineQuery {
    /// A place that does not parse (an old or edited address) is the newest.
    fn before(&self) -> Option<TimelineKey> {
        TimelineKey::parse(&self.before)
    }
}

pub async fn customer(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    Query(timeline): Query<TimelineQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let before = timeline.before();
    customer_page(&state, session, lang, &id, before.as_ref(), WriteDraft::default()).await
}

/// The customer page from the timeline's entry `before` (the newest without it), with what was
/// typed to write to them first (and why it was refused).
pub(crate) async fn customer_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    id: &str,
    before: Option<&TimelineKey>,
    draft: WriteDraft,
) -> Result<Response, HttpError> {
    let record = kept_app::customer_record(state, id, before).await?;
    Ok(render(&customer_view(state, session, lang, &record, draft))?.into_response())
}

/// The older entries of a customer's timeline, for "show older" in place.
pub async fn timeline_rows(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    Query(timeline): Query<TimelineQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let page = kept_app::customer_timeline_page(&state, &id, timeline.before().as_ref()).await?;
    let fragment = TimelineFragment {
        inbox: inbox_texts(lang),
        timeline: timeline_list(&clock(&state, lang), inbox_texts(lang), &id, &page),
    };
    Ok(render(&fragment)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    csrf: String,
    text: String,
    conversation_id: Option<String>,
}

pub async fn add_note(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<NoteForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let conversation = form.conversation_id.filter(|c| !c.is_empty());
    app::add_note(&state, &session.staff, &id, conversation.clone(), &form.text).await?;
    let back = match conversation {
        Some(conversation) => format!("/staff/conversations/{conversation}"),
        None => format!("/staff/customers/{id}"),
    };
    let jar = crate::http::flash::say(&state, jar, texts(session.staff.lang).done_note.to_string());
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallForm {
    csrf: String,
    direction: String,
    summary: String,
}

pub async fn log_call(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<CallForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let direction =
        Direction::parse(&form.direction).ok_or_else(|| AppError::BadRequest("unknown direction".into()))?;
    app::log_call(&state, &session.staff, &id, direction, &form.summary).await?;
    let jar = crate::http::flash::say(&state, jar, texts(session.staff.lang).done_call.to_string());
    Ok((jar, Redirect::to(&format!("/staff/customers/{id}"))).into_response())
}
