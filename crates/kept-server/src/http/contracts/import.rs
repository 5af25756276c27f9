//! Importing a contracts file on the owner's page: the upload shows what the import will do —
//! new, updated, unchanged, and every line it skips with why, in the page's language — and
//! nothing changes until the owner confirms. The file goes back and forth with the page (in a
//! hidden field), so no half-done import waits on the server and any node can take the
//! confirmation.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
// URL-safe, unpadded: nothing in it that HTML escapes.
use base64::engine::general_purpose::URL_SAFE_NO_PAD as STANDARD;
use kept_app::records::{ImportAction, Staff};
use kept_domain::Lang;

use crate::http::contracts::pages::list_page;
use crate::http::errors::HttpError;
use crate::http::errors::OwnPage;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::pages::render;
use crate::i18n::contract_import::{ImportTexts, import_texts};
use crate::i18n::{ContractTexts, Texts, contract_texts, texts};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, PlannedRow};

/// The preview lists this many lines of each kind; the rest are counted.
const SHOWN: usize = 200;

pub struct SkippedRow {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

pub struct ChangedRow {
    pub line: u64,
    pub external_id: String,
    pub customer: String,
    pub product: String,
    pub ends: String,
    pub action: &'static str,
}

#[derive(Template)]
#[template(path = "contract_import.html")]
pub struct ImportPreviewPage {
    pub texts: &'static Texts,
    pub contracts: &'static ContractTexts,
    pub import: &'static ImportTexts,
    pub me: Staff,
    pub csrf: String,
    /// "3 nieuw · 1 bijgewerkt · 40 ongewijzigd · 2 overgeslagen".
    pub summary: Vec<String>,
    pub skipped: Vec<SkippedRow>,
    pub skipped_more: Option<String>,
    pub changed: Vec<ChangedRow>,
    pub changed_more: Option<String>,
    /// Something to import at all.
    pub any: bool,
    /// The file, as it came, for the confirmation.
    pub file: String,
}

/// The multipart form's CSRF token and file (uploaded, or sent back from the preview).
async fn read_form(mut form: Multipart) -> Result<(String, Vec<u8>), HttpError> {
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(e.to_string());
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("file") => file = field.bytes().await.map_err(bad)?.to_vec(),
            Some("kept_file") => {
                let text = field.text().await.map_err(bad)?;
                file = STANDARD
                    .decode(text.trim())
                    .map_err(|_| AppError::BadRequest("the file was changed on the way".into()))?;
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// The owner's upload: what importing it would do.
pub async fn preview(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    form: Multipart,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let (csrf, file) = read_form(form).await?;
    session.check_csrf(&csrf)?;
    match app::preview_contracts(&state, &session.staff, &file).await {
        Ok(planned) => {
            let page = preview_page(session, lang, &planned, &file);
            Ok(render(&page)?.into_response())
        }
        Err(AppError::InvalidRow(row)) => {
            let x = import_texts(lang);
            let mut page = list_page(
                &state,
                session,
                lang,
                crate::http::contracts::pages::ContractList::Running,
            )
            .await?;
            page.error = Some(x.refused.replace("{what}", &x.at(row.line, &row.field)));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Extension(OwnPage),
                render(&page)?,
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn preview_page(session: StaffSession, lang: Lang, planned: &[PlannedRow], file: &[u8]) -> ImportPreviewPage {
    let x = import_texts(lang);
    let count = |f: &dyn Fn(&PlannedRow) -> bool| planned.iter().filter(|r| f(r)).count();
    let created = count(&|r| matches!(r.outcome, Ok(ImportAction::Create)));
    let updated = count(&|r| matches!(r.outcome, Ok(ImportAction::Update)));
    let unchanged = count(&|r| matches!(r.outcome, Ok(ImportAction::Unchanged)));
    let skipped_count = count(&|r| r.outcome.is_err());
    let summary = [
        (x.will_create, created),
        (x.will_update, updated),
        (x.unchanged, unchanged),
        (x.will_skip, skipped_count),
    ]
    .iter()
    .map(|(text, n)| text.replace("{n}", &n.to_string()))
    .collect();
    let skipped: Vec<SkippedRow> = planned
        .iter()
        .filter_map(|r| r.outcome.as_ref().err())
        .take(SHOWN)
        .map(|error| SkippedRow {
            line: error.line,
            column: error.field.column.unwrap_or("-").to_string(),
            reason: x.problem(&error.field),
        })
        .collect();
    let changed: Vec<ChangedRow> = planned
        .iter()
        .filter_map(|r| changed_row(r, lang, x))
        .take(SHOWN)
        .collect();
    let more =
        |total: usize, shown: usize| (total > shown).then(|| x.and_more.replace("{n}", &(total - shown).to_string()));
    ImportPreviewPage {
        texts: texts(lang),
        contracts: contract_texts(lang),
        import: x,
        summary,
        skipped_more: more(skipped_count, skipped.len()),
        changed_more: more(created + updated, changed.len()),
        skipped,
        changed,
        any: created + updated + unchanged > 0,
        file: STANDARD.encode(file),
        me: session.staff,
        csrf: session.csrf,
    }
}

fn changed_row(row: &PlannedRow, lang: Lang, x: &ImportTexts) -> Option<ChangedRow> {
    let action = match row.outcome {
        Ok(ImportAction::Create) => x.action_create,
        Ok(ImportAction::Update) => x.action_update,
        _ => return None,
    };
    let contract = row.contract.as_ref()?;
    Some(ChangedRow {
        line: row.line,
        external_id: contract.external_id.clone(),
        customer: contract
            .customer_name
            .clone()
            .or_else(|| contract.customer_email.clone())
            .or_else(|| contract.customer_phone.clone())
            .unwrap_or_default(),
        product: contract.product.clone(),
        ends: kept_domain::lang::date_with_year(lang, contract.end_date),
        action,
    })
}

/// The owner confirms the preview: the good lines are imported, the others skipped.
pub async fn confirm(
    State(state): State<AppState>,
    session: StaffSession,
    form: Multipart,
) -> Result<Response, HttpError> {
    let (csrf, file) = read_form(form).await?;
    session.check_csrf(&csrf)?;
    let (counts, skipped) = app::import_good_rows(&state, &session.staff, &file).await?;
    Ok(Redirect::to(&format!(
        "/staff/contracts?all=1&created={}&updated={}&unchanged={}&skipped={skipped}",
        counts.created, counts.updated, counts.unchanged
    ))
    .into_response())
}
