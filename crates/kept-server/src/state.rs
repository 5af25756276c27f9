//! What every handler and worker shares.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kept_domain::Clock;
use kept_store::{Fanout, Store};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use tokio::sync::{Notify, broadcast};

use crate::config::Settings;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Wakes the outbox worker as soon as something is queued.
    pub outbox_wake: Arc<Notify>,
    /// Tells this node's dashboards that something changed.
    pub changes: broadcast::Sender<()>,
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
            changes: broadcast::channel(16).0,
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

    /// Call after a write that queued notifications or changed a promise.
    pub fn announce(&self) {
        self.outbox_wake.notify_one();
        let _ = self.changes.send(());
    }
}
