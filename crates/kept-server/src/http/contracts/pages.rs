//! The contracts pages: who to call before their contract ends (with the owner's CSV import),
//! and one contract's outreach page with the customer's tenure, value, latest answers and open
//! promises, where the outcome is recorded.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use kept_app::records::{ContractView, Staff};
use kept_domain::Lang;
use serde::Deserialize;

use crate::http::callbacks::pages::OutcomeForm;
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::pages::render;
use crate::http::pages::{LocalTime, clock};
use crate::i18n::{ContractTexts, InboxTexts, Texts, contract_texts, inbox_texts, money, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::ContractSurroundings;
use kept_app::error::AppError;

/// Contracts ending within this many days are on the first view.
const SOON_DAYS: i64 = 90;

pub struct ContractRow {
    pub id: String,
    pub customer: String,
    pub product: String,
    pub ends: String,
    pub value: String,
    pub status: &'static str,
    pub outreach: String,
}

#[derive(Template)]
#[template(path = "contracts.html")]
pub struct ContractsPage {
    pub texts: &'static Texts,
    pub contracts: &'static ContractTexts,
    pub me: Staff,
    pub csrf: String,
    pub may_import: bool,
    pub list: ContractList,
    pub rows: Vec<ContractRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "contract.html")]
pub struct ContractPage {
    pub texts: &'static Texts,
    pub contracts: &'static ContractTexts,
    pub me: Staff,
    pub csrf: String,
    pub row: ContractRow,
    pub customer_id: String,
    /// The number as people here write it, and in E.164 for the `tel:` link.
    pub phone: Option<(String, String)>,
    pub email: Option<String>,
    pub started: String,
    pub customer_since: String,
    pub note: Option<String>,
    pub scores: Vec<String>,
    pub promises: Vec<String>,
    pub running: bool,
    pub recorded: bool,
    pub error: Option<String>,
}

fn row(state: &AppState, contract: &ContractView, lang: Lang) -> ContractRow {
    let c = contract_texts(lang);
    let today = state.settings().business.hours.local_date(state.clock.now());
    ContractRow {
        id: contract.id.clone(),
        customer: contract.customer_name.clone().unwrap_or_else(|| "-".into()),
        product: contract.product.clone(),
        ends: kept_domain::lang::date_with_year(lang, contract.end_date),
        value: contract.value_cents.map(|v| money(lang, v)).unwrap_or_default(),
        status: if contract.status.is_running() && contract.end_date < today {
            c.status_ended
        } else {
            c.status(contract.status)
        },
        // A finished contract has nobody left to call.
        outreach: if contract.status.is_running() {
            clock(state, lang).moment(contract.outreach_at)
        } else {
            String::new()
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    all: Option<String>,
    done: Option<String>,
}

/// Which contracts a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractList {
    /// Running and ending within [`SOON_DAYS`]: who to call now.
    Soon,
    Running,
    /// Renewed or left: still findable after the outreach.
    Finished,
}

impl ContractList {
    pub fn is_soon(&self) -> bool {
        *self == ContractList::Soon
    }
    pub fn is_running(&self) -> bool {
        *self == ContractList::Running
    }
    pub fn is_finished(&self) -> bool {
        *self == ContractList::Finished
    }
}

pub(crate) async fn list_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    list: ContractList,
) -> Result<ContractsPage, HttpError> {
    let today = state.settings().business.hours.local_date(state.clock.now());
    let contracts = match list {
        ContractList::Soon => kept_app::contracts(state, Some(today + Duration::days(SOON_DAYS)), None).await?,
        ContractList::Running => kept_app::contracts(state, None, None).await?,
        ContractList::Finished => kept_app::finished_contracts(state, 500).await?,
    };
    Ok(ContractsPage {
        texts: texts(lang),
        contracts: contract_texts(lang),
        may_import: session.staff.role.may(kept_domain::staff::OwnerOnly::ManageContracts),
        list,
        rows: contracts.iter().map(|k| row(state, k, lang)).collect(),
        notice: None,
        error: None,
        me: session.staff,
        csrf: session.csrf,
    })
}

pub async fn list(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<ListQuery>,
    Query(lang): Query<LangQuery>,
    Query(imported): Query<ImportedQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let list = match (query.done.is_some(), query.all.is_some()) {
        (true, _) => ContractList::Finished,
        (false, true) => ContractList::Running,
        (false, false) => ContractList::Soon,
    };
    let mut page = list_page(&state, session, lang, list).await?;
    page.notice = imported.said(lang);
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ContractQuery {
    recorded: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<ContractQuery>,
    Query(lang): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let contract = kept_app::contract(&state, &id).await?.ok_or(AppError::NotFound)?;
    let page = contract_page(&state, session, &contract, lang, query.recorded.is_some()).await?;
    Ok(render(&page)?.into_response())
}

async fn contract_page(
    state: &AppState,
    session: StaffSession,
    contract: &ContractView,
    lang: Lang,
    recorded: bool,
) -> Result<ContractPage, HttpError> {
    let around = kept_app::contract_surroundings(state, contract).await?;
    let (scores, promises) = surveys_and_promises(&around, &clock(state, lang), inbox_texts(lang));
    let customer = around.customer;
    let region = state.settings().business.default_region.clone();
    // Known to kept since the import, but a customer since the contract began.
    let since = state.settings().business.hours.local_date(contract.customer_since);
    let customer_since = contract.start_date.into_iter().chain([since]).min();
    Ok(ContractPage {
        texts: texts(lang),
        contracts: contract_texts(lang),
        row: row(state, contract, lang),
        customer_id: contract.customer_id.clone(),
        phone: customer
            .as_ref()
            .and_then(|c| c.phone.clone())
            .map(|phone| (kept_domain::display_phone(&phone, &region), phone)),
        email: customer.as_ref().and_then(|c| {
            c.handles
                .iter()
                .find_map(|h| h.strip_prefix("email:").map(str::to_string))
        }),
        started: contract
            .start_date
            .map(|d| kept_domain::lang::date_with_year(lang, d))
            .unwrap_or_default(),
        customer_since: kept_domain::lang::date_with_year(lang, customer_since.unwrap_or(contract.end_date)),
        note: contract.outcome_note.clone(),
        scores,
        promises,
        running: contract.status.is_running(),
        recorded,
        error: None,
        me: session.staff,
        csrf: session.csrf,
    })
}

/// The customer's survey answers and open promises beside the contract, one line each.
fn surveys_and_promises(
    around: &ContractSurroundings,
    clock: &LocalTime,
    i: &InboxTexts,
) -> (Vec<String>, Vec<String>) {
    let scores = around
        .answers
        .iter()
        .map(|s| {
            let at = s.answered_at.map(|at| clock.moment(at)).unwrap_or_default();
            let score = s.score.map(|n| n.to_string()).or(s.reason.clone()).unwrap_or_default();
            format!("{at} · {}: {score}", i.survey_kind(s.kind))
        })
        .collect();
    let promises = around
        .open_promises
        .iter()
        .map(|p| format!("{} · {}", i.promise_kind(p.kind), clock.moment(p.due_at)))
        .collect();
    (scores, promises)
}

pub async fn outcome(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::record_contract_outcome(&state, &session.staff, &id, &form.outcome, form.note.as_deref()).await?;
    Ok(Redirect::to(&format!("/staff/contracts/{id}?recorded=1")).into_response())
}

/// After an import, in the address of the contracts page: what it did.
#[derive(Debug, Default, Deserialize)]
pub struct ImportedQuery {
    created: Option<usize>,
    updated: Option<usize>,
    unchanged: Option<usize>,
    skipped: Option<usize>,
}

impl ImportedQuery {
    /// "Ingelezen: 3 nieuw, …", when the address says what an import did.
    pub fn said(&self, lang: Lang) -> Option<String> {
        let (created, updated, unchanged, skipped) = (self.created?, self.updated?, self.unchanged?, self.skipped?);
        Some(
            crate::i18n::contract_import::import_texts(lang)
                .imported
                .replace("{created}", &created.to_string())
                .replace("{updated}", &updated.to_string())
                .replace("{unchanged}", &unchanged.to_string())
                .replace("{skipped}", &skipped.to_string()),
        )
    }
}
