//! Surveys: planned under the frequency cap, sent and reminded once each however many nodes
//! look, answered (again: the answer changes), and a low answer's recovery promise. The only
//! SQL on `surveys` and `customers.last_survey_ms`.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use const_format::concatcp;
use kept_domain::AppointmentStatus;
use kept_domain::conversation::Direction;
use kept_domain::promise::Closing;
use kept_domain::{
    CallOutcome, CancelReason, Lang, OutboxEvent, PromiseKind, PromiseStatus, SurveyKind, SurveyStatus, SurveyTrigger,
    new_id,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::dialect::parse_enum;
use crate::model::Fanout;
use crate::outbox::{self, Announcement, customer_email_row};
use crate::promises::{self, Actor, NewPromise};
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// A survey to plan: sent at `send_at` unless the customer was asked anything within `cap`.
#[derive(Debug, Clone)]
pub struct NewSurvey {
    pub customer_id: String,
    pub kind: SurveyKind,
    pub trigger: SurveyTrigger,
    /// The callback request, conversation, appointment or contract it is about.
    pub about_id: Option<String>,
    /// Who handled the contact.
    pub handler_id: Option<String>,
    pub email: String,
    pub name: Option<String>,
    pub lang: Lang,
    pub send_at: DateTime<Utc>,
    pub cap: Duration,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct SurveyView {
    pub id: String,
    pub customer_id: String,
    /// The customer's name on their record, else the name the survey was sent to.
    pub customer_name: Option<String>,
    pub kind: SurveyKind,
    pub trigger: SurveyTrigger,
    pub about_id: Option<String>,
    pub handler_id: Option<String>,
    pub handler_name: Option<String>,
    pub email: String,
    pub name: Option<String>,
    pub lang: Lang,
    pub status: SurveyStatus,
    pub send_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub score: Option<i64>,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub recovery_id: Option<String>,
    pub recovery_status: Option<PromiseStatus>,
    pub created_at: DateTime<Utc>,
}

/// A customer's answer. `None` fields keep what was answered before (a comment sent after
/// the score keeps the score).
#[derive(Debug, Clone)]
pub struct SurveyAnswer {
    pub score: Option<i64>,
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// The call to make when this answer asks for one and none was promised yet.
    pub recovery: Option<NewRecovery>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

#[derive(Debug, Clone)]
pub struct NewRecovery {
    pub owner_id: Option<String>,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    pub status: Option<SurveyStatus>,
    pub kind: Option<SurveyKind>,
    pub customer_id: Option<String>,
    /// Answered with at most this score.
    pub max_score: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait Surveys {
    /// Plans a survey, unless the customer was asked anything within the cap (also by a
    /// trigger racing this one on another node). The new survey's id, or `None` when capped.
    async fn plan_survey(&self, survey: NewSurvey) -> Result<Option<String>>;
    /// Queues every survey due to be sent, and the one reminder of those sent `remind_after`
    /// ago without an answer, each exactly once. How many e-mails were queued.
    async fn send_due_surveys(&self, now: DateTime<Utc>, remind_after: Duration, fanout: Fanout) -> Result<usize>;
    async fn survey(&self, id: &str) -> Result<Option<SurveyView>>;
    /// Records (or changes) an answer; `Conflict` when the survey was never sent.
    async fn answer_survey(&self, id: &str, answer: SurveyAnswer) -> Result<SurveyView>;
    /// Surveys, newest first.
    async fn surveys(&self, filter: &SurveyFilter) -> Result<Vec<SurveyView>>;
    /// Customers with an e-mail address who were in touch within `every` (a conversation, a
    /// callback request, an appointment that took place), were not asked to recommend us within
    /// it and not asked anything within `cap`: who is due the periodic NPS question.
    async fn nps_due(&self, now: DateTime<Utc>, every: Duration, cap: Duration, limit: i64) -> Result<Vec<String>>;
    /// Who did the work of a contact, for the survey to name and the figures to count: the
    /// last one on the team who answered in a conversation, who reached the customer on a
    /// callback request. `None` for other contacts, or when nobody on the team did.
    async fn handled_by(&self, trigger: SurveyTrigger, about_id: &str) -> Result<Option<String>>;
}

const SURVEY_SELECT: &str = "SELECT v.*, COALESCE(cu.name, v.name) AS customer_name, st.name AS handler_name, \
     p.status AS recovery_status FROM surveys v JOIN customers cu ON cu.id = v.customer_id \
     LEFT JOIN staff st ON st.id = v.handler_id LEFT JOIN promises p ON p.id = v.recovery_id";

fn from_row(row: &AnyRow) -> Result<SurveyView> {
    let lang: String = row.try_get("lang")?;
    let at =
        |column: &str| -> Result<Option<DateTime<Utc>>> { Ok(row.try_get::<Option<i64>, _>(column)?.map(from_ms)) };
    let recovery_status = row
        .try_get::<Option<String>, _>("recovery_status")?
        .map(|s| parse_enum(s, PromiseStatus::parse))
        .transpose()?;
    Ok(SurveyView {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        kind: parse_enum(row.try_get("kind")?, SurveyKind::parse)?,
        trigger: parse_enum(row.try_get("trigger_kind")?, SurveyTrigger::parse)?,
        about_id: row.try_get("about_id")?,
        handler_id: row.try_get("handler_id")?,
        handler_name: row.try_get("handler_name")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        status: parse_enum(row.try_get("status")?, SurveyStatus::parse)?,
        send_at: from_ms(row.try_get("send_ms")?),
        sent_at: at("sent_ms")?,
        reminded_at: at("reminded_ms")?,
        score: row.try_get("score")?,
        reason: row.try_get("reason")?,
        comment: row.try_get("comment")?,
        answered_at: at("answered_ms")?,
        recovery_id: row.try_get("recovery_id")?,
        recovery_status,
        created_at: from_ms(row.try_get("created_ms")?),
    })
}

async fn survey(conn: &mut AnyConnection, id: &str) -> Result<Option<SurveyView>> {
    let row = sqlx::query(&format!("{SURVEY_SELECT} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Marks the surveys a statement selects (`id`) as done with `mark` and queues `event`'s
/// e-mail for each one this call marked.
async fn queue_marked(
    conn: &mut AnyConnection,
    due: Vec<AnyRow>,
    mark: &str,
    event: OutboxEvent,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut queued = 0;
    for row in due {
        let id: String = row.try_get("id")?;
        let marked = sqlx::query(mark).bind(to_ms(now)).bind(&id).execute(&mut *conn).await?;
        if marked.rows_affected() == 1 {
            outbox::insert(conn, &[customer_email_row(event, &id, now)]).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// The recovery call a low answer asks for, written once per survey: the caller holds the
/// survey's row (it updated it in this transaction), so `current` is up to date.
async fn promise_recovery(
    conn: &mut AnyConnection,
    current: &SurveyView,
    recovery: &NewRecovery,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    if current.recovery_status == Some(PromiseStatus::Open) {
        return Ok(None);
    }
    let promise_id = new_id();
    let promise = NewPromise {
        id: &promise_id,
        kind: PromiseKind::Recovery,
        subject_id: &current.id,
        customer_id: &current.customer_id,
        owner_id: recovery.owner_id.as_deref(),
        channel: None,
        not_before: now,
        due_at: recovery.due_at,
        now,
    };
    promises::insert(conn, &[promise]).await?;
    sqlx::query("UPDATE surveys SET recovery_id = $1 WHERE id = $2")
        .bind(&promise_id)
        .bind(&current.id)
        .execute(&mut *conn)
        .await?;
    Ok(Some(promise_id))
}

/// How long an answer may still change (a click in the e-mail, then the comment on the page)
/// before integrations and the recovery call's owner hear of it; a comment ends the wait.
pub const ANSWER_SETTLES: Duration = Duration::minutes(10);

/// A customer who raised a low score after all needs no recovery call any more: an open one
/// is withdrawn (a low score again later makes a new one).
async fn settle_changed_mind(conn: &mut AnyConnection, current: &SurveyView, now: DateTime<Utc>) -> Result<()> {
    let open = current.recovery_status == Some(PromiseStatus::Open);
    if let (true, false, Some(promise)) = (open, current.kind.needs_recovery(current.score), &current.recovery_id) {
        let closing = Closing::Cancelled(CancelReason::Withdrawn);
        promises::close(conn, promise, closing, Actor::default(), now).await?;
    }
    Ok(())
}

#[async_trait]
impl Surveys for SqlStore {
    async fn plan_survey(&self, new: NewSurvey) -> Result<Option<String>> {
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE customers SET last_survey_ms = $1 WHERE id = $2 AND (last_survey_ms IS NULL OR last_survey_ms <= $3)",
        )
        .bind(to_ms(new.now))
        .bind(&new.customer_id)
        .bind(to_ms(new.now - new.cap))
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO surveys (id, customer_id, kind, trigger_kind, about_id, handler_id, email, name, lang, status, \
             send_ms, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&id)
        .bind(&new.customer_id)
        .bind(new.kind.as_str())
        .bind(new.trigger.as_str())
        .bind(new.about_id.as_deref())
        .bind(new.handler_id.as_deref())
        .bind(&new.email)
        .bind(new.name.as_deref())
        .bind(new.lang.code())
        .bind(SurveyStatus::Planned.as_str())
        .bind(to_ms(new.send_at))
        .bind(to_ms(new.now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn send_due_surveys(&self, now: DateTime<Utc>, remind_after: Duration, fanout: Fanout) -> Result<usize> {
        if !fanout.email {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let due = sqlx::query(&format!(
            "SELECT id FROM surveys WHERE status = {planned_survey_status} AND send_ms <= $1 ORDER BY send_ms LIMIT 200 {}",
            self.dialect.skip_locked(), planned_survey_status = SurveyStatus::Planned.sql()))
        .bind(to_ms(now))
        .fetch_all(&mut *tx)
        .await?;
        let mark = concatcp!(
            "UPDATE surveys SET status = ",
            SurveyStatus::Sent.sql(),
            ", sent_ms = $1 WHERE id = $2 AND status = ",
            SurveyStatus::Planned.sql()
        );
        let mut queued = queue_marked(&mut tx, due, mark, OutboxEvent::SurveyRequest, now).await?;
        let unanswered = sqlx::query(&format!(
            "SELECT id FROM surveys WHERE status = {sent_survey_status} AND reminded_ms IS NULL AND sent_ms <= $1 \
             ORDER BY sent_ms LIMIT 200 {}",
            self.dialect.skip_locked(),
            sent_survey_status = SurveyStatus::Sent.sql()
        ))
        .bind(to_ms(now - remind_after))
        .fetch_all(&mut *tx)
        .await?;
        let mark = concatcp!(
            "UPDATE surveys SET reminded_ms = $1 WHERE id = $2 AND status = ",
            SurveyStatus::Sent.sql(),
            " AND reminded_ms IS NULL"
        );
        queued += queue_marked(&mut tx, unanswered, mark, OutboxEvent::SurveyReminder, now).await?;
        tx.commit().await?;
        Ok(queued)
    }

    async fn survey(&self, id: &str) -> Result<Option<SurveyView>> {
        let mut conn = self.read.acquire().await?;
        survey(&mut conn, id).await
    }

    async fn answer_survey(&self, id: &str, answer: SurveyAnswer) -> Result<SurveyView> {
        let mut tx = self.begin_write().await?;
        // The row is held first (on PostgreSQL a second answer at the same moment waits here),
        // so what is read next is current.
        let lock = format!(
            "SELECT status, score FROM surveys WHERE id = $1 {}",
            self.dialect.lock_rows()
        );
        let before = sqlx::query(&lock)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let was_answered = before.try_get::<String, _>("status")? == SurveyStatus::Answered.as_str();
        let score_before: Option<i64> = before.try_get("score")?;
        let answered = sqlx::query(
            "UPDATE surveys SET status = $6, score = COALESCE($1, score), reason = COALESCE($2, reason), \
             comment = COALESCE($3, comment), answered_ms = $4 WHERE id = $5 AND status <> $7",
        )
        .bind(answer.score)
        .bind(answer.reason.as_deref())
        .bind(answer.comment.as_deref())
        .bind(to_ms(answer.now))
        .bind(id)
        .bind(SurveyStatus::Answered.as_str())
        .bind(SurveyStatus::Planned.as_str())
        .execute(&mut *tx)
        .await?;
        let current = survey(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        if answered.rows_affected() == 0 {
            return Err(StoreError::Conflict("this survey was not sent".into()));
        }
        settle_changed_mind(&mut tx, &current, answer.now).await?;
        let recovery = match &answer.recovery {
            Some(recovery) => promise_recovery(&mut tx, &current, recovery, answer.now).await?,
            None => None,
        };
        let owner: Vec<String> = recovery
            .as_ref()
            .and(answer.recovery.as_ref())
            .and_then(|r| r.owner_id.clone())
            .into_iter()
            .collect();
        let low = |score| current.kind.needs_recovery(score);
        let news = !was_answered || low(score_before) != low(current.score) || recovery.is_some();
        let announcement = Announcement {
            event: OutboxEvent::SurveyAnswered,
            subject_id: id,
            recipients: &owner,
            fanout: answer.fanout,
            now: answer.now,
        };
        let settled = answer.comment.is_some();
        outbox::announce_settling(&mut tx, &announcement, news, settled, answer.now + ANSWER_SETTLES).await?;
        let answered = survey(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(answered)
    }

    async fn surveys(&self, filter: &SurveyFilter) -> Result<Vec<SurveyView>> {
        let mut conditions = Vec::new();
        let mut values: Vec<&str> = Vec::new();
        let text_filters = [
            ("v.status", filter.status.map(SurveyStatus::as_str)),
            ("v.kind", filter.kind.map(SurveyKind::as_str)),
            ("v.customer_id", filter.customer_id.as_deref()),
        ];
        for (column, value) in text_filters {
            if let Some(value) = value {
                values.push(value);
                conditions.push(format!("{column} = ${}", values.len()));
            }
        }
        // A number, never text from a request: written into the statement as it is.
        if let Some(max) = filter.max_score {
            conditions.push(format!("v.score <= {max}"));
        }
        let condition = match conditions.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", conditions.join(" AND ")),
        };
        let sql = format!(
            "{SURVEY_SELECT} {condition} ORDER BY COALESCE(v.answered_ms, v.sent_ms, v.send_ms) DESC, v.id DESC LIMIT ${}",
            values.len() + 1
        );
        let rows = values
            .iter()
            .fold(sqlx::query(&sql), |q, v| q.bind(*v))
            .bind(filter.limit.clamp(1, 500))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(from_row).collect()
    }

    async fn nps_due(&self, now: DateTime<Utc>, every: Duration, cap: Duration, limit: i64) -> Result<Vec<String>> {
        let rows = sqlx::query(concatcp!(
            "SELECT c.id FROM customers c \
             WHERE (c.last_survey_ms IS NULL OR c.last_survey_ms <= $1) \
             AND EXISTS (SELECT 1 FROM customer_handles h WHERE h.customer_id = c.id AND h.handle LIKE 'email:%') \
             AND NOT EXISTS (SELECT 1 FROM surveys v WHERE v.customer_id = c.id AND v.kind = ",
            SurveyKind::Nps.sql(),
            " AND v.created_ms > $2) \
             AND (EXISTS (SELECT 1 FROM conversations k WHERE k.customer_id = c.id AND k.updated_ms > $2) \
               OR EXISTS (SELECT 1 FROM callback_requests r WHERE r.customer_id = c.id AND r.created_ms > $2) \
               OR EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id AND a.status = ",
            AppointmentStatus::Done.sql(),
            " AND a.start_ms > $2)) \
             ORDER BY c.id LIMIT $3"
        ))
        .bind(to_ms(now - cap))
        .bind(to_ms(now - every))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("id")?)).collect()
    }

    async fn handled_by(&self, trigger: SurveyTrigger, about_id: &str) -> Result<Option<String>> {
        let (sql, kind) = match trigger {
            SurveyTrigger::Conversation => (
                "SELECT staff_id FROM messages WHERE conversation_id = $1 AND direction = $2 \
                 AND staff_id IS NOT NULL ORDER BY sent_ms DESC, created_ms DESC LIMIT 1",
                Direction::Outbound.as_str(),
            ),
            SurveyTrigger::Callback => (
                "SELECT staff_id FROM calls WHERE callback_id = $1 AND outcome = $2 \
                 AND staff_id IS NOT NULL ORDER BY at_ms DESC LIMIT 1",
                CallOutcome::Reached.as_str(),
            ),
            _ => return Ok(None),
        };
        let row = sqlx::query(sql)
            .bind(about_id)
            .bind(kind)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>("staff_id")).transpose()?)
    }
}
