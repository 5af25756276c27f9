//! What every handler and worker shares.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kept_domain::Clock;
use kept_store::{Fanout, Store};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use tokio::sync::Notify;

use crate::config::Settings;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Wakes the outbox worker as soon as something is queued.
    pub outbox_wake: Arc<Notify>,
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    pub mailer: Option<AsyncSmtpTransport<Tokio1Executor>>,
    pub http: reqwest::Client,
    /// The tone checker with the business's own phrases.
    pub tone: Arc<kept_tone::Checker>,
}

impl AppState {
    pub fn new(settings: Settings, clock: Arc<dyn Clock>, store: Arc<dyn Store>) -> Result<Self, String> {
        let limiter = NonZeroU32::new(settings.rate_limit_per_minute)
            .map(|per_minute| Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))));
        let mailer = settings
            .smtp_url
            .as_deref()
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|builder| builder.timeout(Some(std::time::Duration::from_secs(20))).build())
            })
            .transpose()
            .map_err(|e| format!("smtp_url: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("kept/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let tone = kept_tone::Checker::new(&settings.tone).map_err(|e| e.to_string())?;
        Ok(Self {
            tone: Arc::new(tone),
            store,
            settings: Arc::new(settings),
            clock,
            outbox_wake: Arc::new(Notify::new()),
            limiter,
            mailer,
            http,
        })
    }

    /// The channels changes are announced on: only those that are configured.
    pub fn fanout(&self) -> Fanout {
        Fanout {
            email: self.mailer.is_some(),
            webhook: self.settings.webhook_url.is_some(),
        }
    }

    /// Call after every write: wakes this node's outbox worker and tells every node's pages
    /// what changed (through the store's change feed, PostgreSQL NOTIFY between nodes).
    pub async fn announce(&self, change: Change) {
        self.outbox_wake.notify_one();
        if let Err(error) = self.store.publish_change(change.as_str()).await {
            tracing::warn!(%error, "cannot tell the other nodes about a change; their pages refresh on the next one");
        }
    }
}

/// What changed, so that the pages showing it refresh, on every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Callbacks,
    Conversations,
    /// A customer's record or timeline: notes, calls, follow-ups, merges, erasures.
    Customers,
    UnreadableMail,
    /// Reminders and escalations.
    Promises,
    Team,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Callbacks => "callbacks",
            Change::Conversations => "conversations",
            Change::Customers => "customers",
            Change::UnreadableMail => "unreadable_mail",
            Change::Promises => "promises",
            Change::Team => "team",
        }
    }
}
