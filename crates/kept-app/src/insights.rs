//! The figures of a period: promises made, kept, broken and open, and how fast; callbacks,
//! first answers, satisfaction, contracts and missed signals — everyone their own; another's
//! and the whole business's are the owner's to see. And the owner's Monday e-mail about last
//! week.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use kept_domain::Role;
use kept_domain::insights::{Dashboard, Filter, Group, GroupBy, Period, period, summarise, time_all};
use kept_domain::staff::OwnerOnly;
use kept_store::{Reading, Staff};

use crate::error::AppError;
use crate::{App, authorize};

/// The longest period one request covers.
const MAX_DAYS: i64 = 400;

/// When the weekly e-mail goes out: Monday from 08:00 local time.
const DIGEST_DAY: Weekday = Weekday::Mon;
const DIGEST_HOUR: u32 = 8;

/// What was asked, checked.
#[derive(Debug, Clone)]
pub struct InsightsRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    /// One staff member's figures; an agent's own when they ask for none.
    pub staff_id: Option<String>,
}

fn check_period(period: &Period) -> Result<(), AppError> {
    if period.to < period.from {
        return Err(AppError::invalid("to", "before_from", "to must not be before from"));
    }
    if period.days() > MAX_DAYS {
        return Err(AppError::invalid(
            "to",
            "too_long",
            format!("a period is at most {MAX_DAYS} days"),
        ));
    }
    Ok(())
}

/// Whose figures `staff` may see when asking for `wanted`: an agent only their own (asking for
/// someone else's is refused), an owner anyone's or everyone's (`None`).
fn whose(staff: &Staff, wanted: Option<&str>) -> Result<Option<String>, AppError> {
    match (wanted, staff.role) {
        (Some(id), _) if id != staff.id => {
            authorize(staff, OwnerOnly::SeeOthersFigures)?;
            Ok(Some(id.to_string()))
        }
        (Some(id), _) => Ok(Some(id.to_string())),
        (None, Role::Owner) => Ok(None),
        (None, _) => Ok(Some(staff.id.clone())),
    }
}

/// The promise figures of `request` grouped, for `staff` to see.
pub async fn insights(app: &App, staff: &Staff, request: &InsightsRequest) -> Result<Vec<Group>, AppError> {
    // Any two days, in either order: the API's figures cover what was asked (the pages keep to
    // the periods they offer).
    let chosen = Period {
        from: request.from.min(request.to),
        to: request.from.max(request.to),
    };
    let owner_of = whose(staff, request.staff_id.as_deref())?;
    let hours = app.settings().business.hours.clone();
    let (from, until) = period(&hours, chosen.from, chosen.to);
    let mut facts = app
        .store
        .insight_facts(from, until, owner_of.as_deref(), Reading::Comparison)
        .await?;
    time_all(&mut facts.promises, &hours);
    Ok(summarise(&facts.promises, request.group_by, &hours))
}

/// How many rows of each list the weekly e-mail shows; the page has the rest.
pub const DIGEST_LIST_ROWS: usize = 20;

/// Everything the insights page shows for `chosen`, narrowed by `filter`, for `staff` to see;
/// the customers named in the first `named` rows of each list (all when `None`).
pub async fn dashboard(
    app: &App,
    staff: &Staff,
    chosen: Period,
    filter: Filter,
    named: Option<usize>,
) -> Result<Dashboard, AppError> {
    check_period(&chosen)?;
    let filter = Filter {
        staff_id: whose(staff, filter.staff_id.as_deref())?,
        ..filter
    };
    business_dashboard(app, chosen, &filter, named).await
}

/// The dashboard without asking who looks: for the owner's weekly e-mail.
async fn business_dashboard(
    app: &App,
    chosen: Period,
    filter: &Filter,
    named: Option<usize>,
) -> Result<Dashboard, AppError> {
    let hours = app.settings().business.hours.clone();
    let before = chosen.previous();
    let (from, until) = period(&hours, chosen.from, chosen.to);
    let (previous_from, previous_until) = period(&hours, before.from, before.to);
    let staff_id = filter.staff_id.as_deref();
    // The two periods are read side by side, each on its own connection.
    let (current, previous) = tokio::try_join!(
        app.store.insight_facts(from, until, staff_id, Reading::Whole),
        app.store
            .insight_facts(previous_from, previous_until, staff_id, Reading::Comparison),
    )?;
    let mut board = Dashboard::compute(chosen, current, previous, filter, &hours);
    name_customers(app, &mut board, named).await?;
    Ok(board)
}

/// Names the customers of the first `named` rows of each list of the dashboard (all when
/// `None`): a quarter can have tens of thousands of broken promises, of which a page shows a
/// hundred.
async fn name_customers(app: &App, board: &mut Dashboard, named: Option<usize>) -> Result<(), AppError> {
    let rows = named.unwrap_or(usize::MAX);
    let signals = &mut board.signals;
    let mut ids: Vec<String> = board
        .broken
        .iter()
        .take(rows)
        .chain(signals.frustrated_answered_late.iter().take(rows))
        .filter_map(|f| f.customer_id.clone())
        .chain(signals.broken_twice.iter().take(rows).map(|r| r.customer_id.clone()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = app.store.customer_names(&ids).await?;
    let name = |id: Option<&String>| id.and_then(|id| names.get(id)).cloned();
    for fact in board
        .broken
        .iter_mut()
        .take(rows)
        .chain(signals.frustrated_answered_late.iter_mut().take(rows))
    {
        fact.customer_name = name(fact.customer_id.as_ref());
    }
    for repeated in signals.broken_twice.iter_mut().take(rows) {
        repeated.customer_name = name(Some(&repeated.customer_id));
    }
    Ok(())
}

/// Every staff member's name by id (also those who left: their figures stay theirs).
pub async fn staff_names(app: &App) -> Result<std::collections::HashMap<String, String>, AppError> {
    Ok(app
        .store
        .list_staff()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The week a weekly e-mail is about (Monday to Sunday).
pub fn digest_week(monday: NaiveDate) -> Period {
    Period {
        from: monday,
        to: monday + Duration::days(6),
    }
}

/// The business's figures of the week starting `monday`, for the weekly e-mail.
pub async fn weekly_dashboard(app: &App, monday: NaiveDate) -> Result<Dashboard, AppError> {
    business_dashboard(app, digest_week(monday), &Filter::default(), Some(DIGEST_LIST_ROWS)).await
}

/// On Monday from 08:00 local time, queues last week's figures to every owner, once per week
/// however many nodes look; nothing when the owner switched the e-mail off. Whether it queued.
pub async fn send_weekly_digest(app: &App) -> Result<bool, AppError> {
    let settings = app.settings();
    if !settings.business_settings.weekly_figures_email {
        return Ok(false);
    }
    let now = app.clock.now();
    let local = now.with_timezone(&settings.business.time_zone());
    let due =
        local.weekday() == DIGEST_DAY && local.time() >= NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).unwrap_or_default();
    if !due {
        return Ok(false);
    }
    let last_monday = local.date_naive() - Duration::days(7);
    let owners: Vec<String> = app
        .store
        .list_staff()
        .await?
        .into_iter()
        .filter(|s| s.role == Role::Owner && s.active)
        .map(|s| s.id)
        .collect();
    Ok(app
        .store
        .claim_weekly_digest(last_monday, &owners, now, app.fanout())
        .await?)
}
