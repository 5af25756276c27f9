//! What every handler and worker shares.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::Arc;

use crate::notify::Couriers;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use kept_app::App;

/// How many "forgot password" e-mails one account, and one address, may ask for in an hour.
const RESET_MAILS_PER_ACCOUNT: NonZeroU32 = NonZeroU32::MIN.saturating_add(4);
const RESET_MAILS_PER_ADDRESS: NonZeroU32 = NonZeroU32::MIN.saturating_add(19);
/// Loads of the customers' own pages per address and minute (a page refreshes itself every 20 s).
const STATUS_PAGES_PER_MINUTE: NonZeroU32 = NonZeroU32::MIN.saturating_add(59);

#[derive(Clone)]
pub struct ResetLimits {
    pub per_account: Arc<DefaultKeyedRateLimiter<u64>>,
    pub per_address: Arc<DefaultKeyedRateLimiter<u64>>,
}

/// The application plus what only a running server needs: the rate limiter, the SMTP and
/// HTTP clients that deliver the outbox, and the tone checker the composer asks.
#[derive(Clone)]
pub struct AppState {
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    /// Log-in attempts, counted per address and per account apart from the public form, so
    /// that customers on an office's address do not lock its staff out (and one account
    /// cannot be guessed at from many addresses). Keyed by a hash (`rate_keys`): a stranger
    /// trying 20 KB addresses makes 8-byte keys, not 20 KB ones.
    pub login_limiter: Option<Arc<DefaultKeyedRateLimiter<u64>>>,
    /// "Forgot password" e-mails: a few an hour per account, and more per address (an office
    /// shares one), so that nobody can fill a colleague's mailbox from the login page. Keyed
    /// by a hash like the above.
    pub reset_limiter: Option<ResetLimits>,
    /// The customers' own pages of their requests (`/p/<token>`), per address: a page open in a
    /// few tabs refreshes itself, a stranger trying tokens is stopped (they are 256 bits anyway).
    pub status_limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    /// Hashes login keys with a secret of this process, so no one can aim at a collision.
    pub rate_keys: std::hash::RandomState,
    /// The application and the SMTP and HTTP clients that deliver the outbox.
    pub couriers: Couriers,
    /// The tone checker with the business's own phrases.
    pub tone: Arc<kept_tone::Checker>,
}

impl AppState {
    /// Forgets the rate-limit keys of everyone who is no longer limited, so that the limiters
    /// hold the last minute's callers, not everyone who ever came.
    pub fn forget_idle_rate_keys(&self) {
        for limiter in self.limiter.iter().chain(&self.status_limiter) {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let resets = self.reset_limiter.iter().flat_map(|r| [&r.per_account, &r.per_address]);
        for limiter in self.login_limiter.iter().chain(resets) {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Handlers and workers reach the store, settings and clock through the application.
impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.couriers.app
    }
}

impl AppState {
    /// The application with what serving it needs, as its settings say.
    pub fn new(app: App) -> Result<Self, String> {
        let settings = app.settings();
        let limiter = NonZeroU32::new(settings.rate_limit_per_minute)
            .map(|per_minute| Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))));
        let login_limiter = NonZeroU32::new(settings.rate_limit_per_minute)
            .map(|per_minute| Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))));
        // Off with the other limits (a benchmark or a load test sets 0).
        let reset_limiter = (settings.rate_limit_per_minute > 0).then(|| ResetLimits {
            per_account: Arc::new(RateLimiter::keyed(Quota::per_hour(RESET_MAILS_PER_ACCOUNT))),
            per_address: Arc::new(RateLimiter::keyed(Quota::per_hour(RESET_MAILS_PER_ADDRESS))),
        });
        let status_limiter = (settings.rate_limit_per_minute > 0)
            .then(|| Arc::new(RateLimiter::keyed(Quota::per_minute(STATUS_PAGES_PER_MINUTE))));
        let tone = kept_tone::Checker::new(&settings.tone).map_err(|e| e.to_string())?;
        Ok(Self {
            tone: Arc::new(tone),
            couriers: Couriers::new(app)?,
            limiter,
            login_limiter,
            reset_limiter,
            status_limiter,
            rate_keys: std::hash::RandomState::new(),
        })
    }
}
