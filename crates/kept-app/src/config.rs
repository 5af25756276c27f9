//! Configuration: `kept.toml` (every key optional) overridden by `KEPT_*` environment variables.
//! docs/configuration.md lists every option.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use kept_domain::booking::ReminderRule;
use kept_domain::hours::parse_spans;
use kept_domain::window::default_windows;
use kept_domain::{BusinessHours, CallbackWindow};
use serde::{Deserialize, Serialize};

pub use crate::config_error::ConfigError;
pub(crate) use crate::config_error::invalid;
use crate::survey_settings::SurveySettings;

/// The file's shape; every field has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: String,
    /// PostgreSQL only: connections each node keeps open (SQLite has one writer and four readers).
    pub database_pool_size: u32,
    pub listen: String,
    pub base_url: Option<String>,
    pub smtp_url: Option<String>,
    /// A PEM file with a certificate authority to trust for the SMTP server besides the public
    /// ones (an internal mail server with its own CA).
    pub smtp_ca_file: Option<String>,
    pub mail_from: String,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub cookie_secure: bool,
    pub rate_limit_per_minute: u32,
    pub trust_forwarded_for: bool,
    /// How many proxies of your own add to `X-Forwarded-For` (1 with `trust_forwarded_for`).
    pub trusted_proxies: u32,
    /// A request's headers must arrive within this many seconds.
    pub header_read_timeout_seconds: u64,
    /// Connections one address may hold open at once (not counted behind a proxy).
    pub max_connections_per_address: usize,
    /// Connections open at once in all (below the process's file limit, so that the database
    /// and files always have room).
    pub max_connections: usize,
    /// A request's body must have arrived whole within this many seconds.
    pub body_read_timeout_seconds: u64,
    /// Speak HTTP/2 without TLS (h2c) too; off: HTTP/1.1 only, what a proxy in front speaks.
    pub http2: bool,
    pub reminder_lead_minutes: i64,
    pub retry_after_minutes: i64,
    /// When customers are reminded of an appointment: "18:00" is that time the day before,
    /// "120" that many minutes before.
    pub appointment_reminders: Vec<String>,
    /// `[surveys]`: what customers are asked after a contact, and how often.
    pub surveys: SurveySettings,
    /// Whether the owners get last week's figures by e-mail on Monday at 08:00.
    pub weekly_figures_email: bool,
    /// `[acknowledgements]`: which customers are told at once that their request arrived.
    pub acknowledgements: Acknowledgements,
    pub worker_interval_ms: u64,
    pub business: BusinessFile,
    /// A business's own tone phrases: `[tone.nl] blames_customer = ["…"]`.
    pub tone: kept_tone::CustomPhrases,
    /// Opening-hour minutes allowed for a first answer, per channel, and for other channels.
    pub first_response_minutes: BTreeMap<String, i64>,
    pub default_first_response_minutes: i64,
    /// Where replies on each channel are posted: `[channel_webhooks] twitter = "https://…"`.
    pub channel_webhooks: BTreeMap<String, String>,
    /// A mailbox to fetch customer e-mail from: `imap://user:pass@host:143/INBOX` or `imaps://…:993/INBOX`.
    pub imap_url: Option<String>,
    pub imap_poll_seconds: u64,
    /// A new mailbox is read from the moment kept starts watching it; with a date
    /// ("2026-11-01"), mail that arrived in it since that day is imported too.
    pub imap_since: Option<String>,
    /// Attachments larger than this are recorded by name and size only.
    pub max_attachment_bytes: u64,
}

impl Default for FileConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite://kept-data/kept.db".into(),
            database_pool_size: 16,
            listen: "127.0.0.1:8080".into(),
            base_url: None,
            smtp_url: None,
            smtp_ca_file: None,
            mail_from: "kept <kept@localhost>".into(),
            webhook_url: None,
            webhook_secret: None,
            cookie_secure: true,
            rate_limit_per_minute: 10,
            trust_forwarded_for: false,
            trusted_proxies: 0,
            header_read_timeout_seconds: 10,
            max_connections_per_address: 64,
            max_connections: 800,
            body_read_timeout_seconds: 120,
            http2: false,
            reminder_lead_minutes: 15,
            retry_after_minutes: 60,
            appointment_reminders: default_appointment_reminders(),
            surveys: SurveySettings::default(),
            weekly_figures_email: true,
            acknowledgements: Acknowledgements::default(),
            worker_interval_ms: 1000,
            business: BusinessFile::default(),
            tone: kept_tone::CustomPhrases::new(),
            first_response_minutes: BTreeMap::from([("email".to_string(), 240)]),
            default_first_response_minutes: 60,
            channel_webhooks: BTreeMap::new(),
            imap_url: None,
            imap_poll_seconds: 60,
            imap_since: None,
            max_attachment_bytes: 10 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessFile {
    /// Shown to customers and in staff e-mails.
    pub name: String,
    /// An IANA time zone, e.g. "Europe/Amsterdam".
    pub time_zone: String,
    /// Phone numbers without a country code are read as this country's (e.g. "NL").
    pub default_region: String,
    pub hours: WeekFile,
    /// Days the business is closed (holidays), as YYYY-MM-DD.
    pub closed_days: Vec<NaiveDate>,
    /// The callback windows customers choose from: `{"code", "label_nl", "label_en", "rule":
    /// {"kind": "within", "minutes": 90} | {"kind": "office_hours"} | {"kind": "daily_slot",
    /// "start": "20:00:00", "end": "21:30:00"}}`.
    #[schema(value_type = Vec<Object>)]
    pub windows: Vec<CallbackWindow>,
}

impl Default for BusinessFile {
    fn default() -> Self {
        Self {
            name: "kept".into(),
            time_zone: "Europe/Amsterdam".into(),
            default_region: "NL".into(),
            hours: WeekFile::default(),
            closed_days: Vec::new(),
            windows: default_windows(),
        }
    }
}

/// Opening hours per weekday: "09:00-17:30", "09:00-12:00, 13:00-17:00" or "closed".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WeekFile {
    pub mon: String,
    pub tue: String,
    pub wed: String,
    pub thu: String,
    pub fri: String,
    pub sat: String,
    pub sun: String,
}

impl WeekFile {
    /// The weekdays in order, with their keys ("mon" …), for everything that walks the week.
    pub const DAYS: [(&'static str, chrono::Weekday); 7] = [
        ("mon", chrono::Weekday::Mon),
        ("tue", chrono::Weekday::Tue),
        ("wed", chrono::Weekday::Wed),
        ("thu", chrono::Weekday::Thu),
        ("fri", chrono::Weekday::Fri),
        ("sat", chrono::Weekday::Sat),
        ("sun", chrono::Weekday::Sun),
    ];

    /// Each day's hours, Monday first (in the order of [`WeekFile::DAYS`]).
    pub fn days(&self) -> [&String; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }

    pub fn days_mut(&mut self) -> [&mut String; 7] {
        [
            &mut self.mon,
            &mut self.tue,
            &mut self.wed,
            &mut self.thu,
            &mut self.fri,
            &mut self.sat,
            &mut self.sun,
        ]
    }
}

impl Default for WeekFile {
    fn default() -> Self {
        let office = || "09:00-17:30".to_string();
        Self {
            mon: office(),
            tue: office(),
            wed: office(),
            thu: office(),
            fri: office(),
            sat: "closed".into(),
            sun: "closed".into(),
        }
    }
}

/// The business's own settings: what the owner edits on `/staff/settings` and through
/// `/api/v1/settings`. `kept.toml` gives them on the first run (same keys); once saved, the
/// database's copy is used, on every node, and a change takes effect at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessSettings {
    pub business: BusinessFile,
    /// Per channel: within how many opening-hour minutes a first answer is due.
    pub first_response_minutes: BTreeMap<String, i64>,
    /// The same, for channels not listed.
    pub default_first_response_minutes: i64,
    /// Remind a promise's owner this many minutes before it is due.
    pub reminder_lead_minutes: i64,
    /// After "no answer", call again within this many business minutes.
    pub retry_after_minutes: i64,
    /// Per channel: where kept POSTs a reply to send it (signed with webhook_secret).
    pub channel_webhooks: BTreeMap<String, String>,
    /// When customers are reminded of an appointment: "18:00" is that time the day before,
    /// "120" that many minutes before.
    #[serde(default = "default_appointment_reminders")]
    pub appointment_reminders: Vec<String>,
    /// What customers are asked after a contact, and how often.
    #[serde(default)]
    pub surveys: SurveySettings,
    /// Whether the owners get last week's figures by e-mail on Monday at 08:00.
    #[serde(default = "switched_on")]
    pub weekly_figures_email: bool,
    /// Which customers are told at once that their request arrived, who answers and by when.
    #[serde(default)]
    pub acknowledgements: Acknowledgements,
}

fn switched_on() -> bool {
    true
}

/// Telling the customer at once that their request arrived, with the promise and the link to
/// their own page of it. On by default: the silence after "we'll get back to you" is what
/// makes customers write a second and a third time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Acknowledgements {
    /// An e-mail answering the customer's mail (never an automatic one), at most one per
    /// conversation in four hours.
    pub email: bool,
    /// The call-me-back form's confirmation page links to the request's own page.
    pub callback_form: bool,
}

impl Default for Acknowledgements {
    fn default() -> Self {
        Acknowledgements {
            email: true,
            callback_form: true,
        }
    }
}

/// The evening before at 18:00, and two hours before.
fn default_appointment_reminders() -> Vec<String> {
    vec!["18:00".into(), "120".into()]
}

/// Reads the owner's reminder moments: "18:00" (that time the day before) or "120" (minutes
/// before, up to a week).
fn reminder_rules(entries: &[String]) -> Result<Vec<ReminderRule>, ConfigError> {
    entries
        .iter()
        .map(|entry| {
            let entry = entry.trim();
            // Strictly "18:00": a bare "18" is minutes, not six o'clock.
            if let Ok(time) = chrono::NaiveTime::parse_from_str(entry, "%H:%M") {
                return Ok(ReminderRule::DayBeforeAt(time));
            }
            match entry.parse::<i64>() {
                Ok(minutes) if (1..=7 * 24 * 60).contains(&minutes) => {
                    Ok(ReminderRule::Before(Duration::minutes(minutes)))
                }
                _ => Err(invalid(
                    "appointment_reminders",
                    format!("'{entry}' is neither a time like 18:00 nor minutes from 1 to 10080"),
                )),
            }
        })
        .collect()
}

/// [`BusinessSettings`] checked and ready to use.
struct BusinessRules {
    business: Business,
    reminder_lead: Duration,
    retry_after_minutes: i64,
    first_response_minutes: Vec<(String, i64)>,
    default_first_response_minutes: i64,
    channel_webhooks: BTreeMap<String, String>,
    appointment_reminders: Vec<ReminderRule>,
}

impl BusinessSettings {
    /// Checks every value; an error names the key (`business.hours.mon`). Channel webhooks
    /// are signed, so they need the webhook secret from `kept.toml`.
    fn resolve(&self, has_webhook_secret: bool) -> Result<BusinessRules, ConfigError> {
        if !(1..=24 * 60).contains(&self.reminder_lead_minutes) {
            return Err(invalid("reminder_lead_minutes", "must be between 1 and 1440"));
        }
        if !(1..=7 * 24 * 60).contains(&self.retry_after_minutes) {
            return Err(invalid("retry_after_minutes", "must be between 1 and 10080"));
        }
        for (channel, minutes) in &self.first_response_minutes {
            if !kept_domain::conversation::valid_channel(channel) {
                return Err(invalid(
                    &format!("first_response_minutes.{channel}"),
                    "not a channel code (a-z, 0-9, - and _)",
                ));
            }
            if !(1..=30 * 24 * 60).contains(minutes) {
                return Err(invalid(
                    &format!("first_response_minutes.{channel}"),
                    "must be between 1 and 43200",
                ));
            }
        }
        if !(1..=30 * 24 * 60).contains(&self.default_first_response_minutes) {
            return Err(invalid("default_first_response_minutes", "must be between 1 and 43200"));
        }
        for (channel, url) in &self.channel_webhooks {
            let key = format!("channel_webhooks.{channel}");
            if !kept_domain::conversation::valid_channel(channel) {
                return Err(invalid(&key, "not a channel code (a-z, 0-9, - and _)"));
            }
            let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&key, e))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid(&key, "must be an http:// or https:// address"));
            }
            if !has_webhook_secret {
                return Err(ConfigError::NeedsWebhookSecret { key });
            }
        }
        self.surveys.check()?;
        Ok(BusinessRules {
            business: self.business.clone().resolve()?,
            reminder_lead: Duration::minutes(self.reminder_lead_minutes),
            retry_after_minutes: self.retry_after_minutes,
            first_response_minutes: self.first_response_minutes.clone().into_iter().collect(),
            default_first_response_minutes: self.default_first_response_minutes,
            channel_webhooks: self.channel_webhooks.clone(),
            appointment_reminders: reminder_rules(&self.appointment_reminders)?,
        })
    }
}

/// The resolved settings kept runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `kept demo`: replies on the demo's chat go to kept's own demo sink (never from kept.toml).
    pub demo: bool,
    pub database_url: String,
    pub database_pool_size: u32,
    pub listen: SocketAddr,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub smtp_ca_file: Option<std::path::PathBuf>,
    pub mail_from: lettre::message::Mailbox,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub cookie_secure: bool,
    /// 0 switches the public rate limit off (benchmarks only).
    pub rate_limit_per_minute: u32,
    /// The client is the address the outermost of these proxies added to `X-Forwarded-For`;
    /// 0 ignores the header.
    pub trusted_proxies: usize,
    pub header_read_timeout: std::time::Duration,
    pub max_connections_per_address: usize,
    pub max_connections: usize,
    pub body_read_timeout: std::time::Duration,
    pub http2: bool,
    pub reminder_lead: Duration,
    pub retry_after_minutes: i64,
    pub worker_interval: std::time::Duration,
    pub business: Business,
    pub tone: kept_tone::CustomPhrases,
    pub first_response_minutes: Vec<(String, i64)>,
    pub default_first_response_minutes: i64,
    pub channel_webhooks: BTreeMap<String, String>,
    pub appointment_reminders: Vec<ReminderRule>,
    pub imap: Option<ImapSettings>,
    pub max_attachment_bytes: usize,
    /// Where `business`, the first-response targets, the reminder lead, the retry delay and
    /// the channel webhooks above come from.
    pub business_settings: BusinessSettings,
}

#[derive(Debug, Clone)]
pub struct Business {
    pub name: String,
    pub default_region: String,
    pub hours: BusinessHours,
    pub windows: Vec<CallbackWindow>,
}

impl Business {
    pub fn time_zone(&self) -> Tz {
        self.hours.time_zone
    }
}

impl Settings {
    /// These settings with the business's own part replaced by `document`; refused, naming
    /// the key, when a value does not hold.
    pub fn with_business_settings(&self, document: BusinessSettings) -> Result<Settings, ConfigError> {
        let rules = document.resolve(self.webhook_secret.is_some())?;
        Ok(Settings {
            business: rules.business,
            reminder_lead: rules.reminder_lead,
            retry_after_minutes: rules.retry_after_minutes,
            first_response_minutes: rules.first_response_minutes,
            default_first_response_minutes: rules.default_first_response_minutes,
            channel_webhooks: rules.channel_webhooks,
            appointment_reminders: rules.appointment_reminders,
            business_settings: document,
            ..self.clone()
        })
    }

    /// Reads `path` if given (it must exist), else `./kept.toml` if present, then applies the
    /// environment.
    pub fn load(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let file = match path {
            Some(path) => read_file(path)?,
            None if Path::new("kept.toml").exists() => read_file(Path::new("kept.toml"))?,
            None => FileConfig::default(),
        };
        file.with_env(env)?.resolve()
    }

    pub fn from_env_only(env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        FileConfig::default().with_env(env)?.resolve()
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.display().to_string(),
        source,
    })
}

impl FileConfig {
    /// Applies `KEPT_*` variables on top of the file.
    pub fn with_env(mut self, env: impl Fn(&str) -> Option<String>) -> Result<FileConfig, ConfigError> {
        let text = |key: &str| env(key).filter(|v| !v.trim().is_empty());
        let flag = |key: &str| -> Result<Option<bool>, ConfigError> {
            text(key)
                .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => Ok(true),
                    "0" | "false" | "no" | "off" => Ok(false),
                    _ => Err(invalid(key, "expected true or false")),
                })
                .transpose()
        };
        let number = |key: &str| -> Result<Option<i64>, ConfigError> {
            text(key)
                .map(|v| v.trim().parse::<i64>().map_err(|e| invalid(key, e)))
                .transpose()
        };
        if let Some(v) = text("KEPT_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = number("KEPT_DATABASE_POOL_SIZE")? {
            self.database_pool_size = u32::try_from(v).map_err(|e| invalid("KEPT_DATABASE_POOL_SIZE", e))?;
        }
        if let Some(v) = text("KEPT_LISTEN") {
            self.listen = v;
        }
        self.base_url = text("KEPT_BASE_URL").or(self.base_url);
        self.smtp_url = text("KEPT_SMTP_URL").or(self.smtp_url);
        self.smtp_ca_file = text("KEPT_SMTP_CA_FILE").or(self.smtp_ca_file);
        if let Some(v) = text("KEPT_MAIL_FROM") {
            self.mail_from = v;
        }
        self.webhook_url = text("KEPT_WEBHOOK_URL").or(self.webhook_url);
        self.webhook_secret = text("KEPT_WEBHOOK_SECRET").or(self.webhook_secret);
        if let Some(v) = flag("KEPT_HTTP2")? {
            self.http2 = v;
        }
        if let Some(v) = number("KEPT_MAX_CONNECTIONS")? {
            self.max_connections = usize::try_from(v).map_err(|e| invalid("KEPT_MAX_CONNECTIONS", e))?;
        }
        if let Some(v) = flag("KEPT_COOKIE_SECURE")? {
            self.cookie_secure = v;
        }
        if let Some(v) = flag("KEPT_TRUST_FORWARDED_FOR")? {
            self.trust_forwarded_for = v;
        }
        if let Some(v) = number("KEPT_RATE_LIMIT_PER_MINUTE")? {
            self.rate_limit_per_minute = u32::try_from(v).map_err(|e| invalid("KEPT_RATE_LIMIT_PER_MINUTE", e))?;
        }
        if let Some(v) = number("KEPT_TRUSTED_PROXIES")? {
            self.trusted_proxies = u32::try_from(v).map_err(|e| invalid("KEPT_TRUSTED_PROXIES", e))?;
        }
        if let Some(v) = number("KEPT_REMINDER_LEAD_MINUTES")? {
            self.reminder_lead_minutes = v;
        }
        if let Some(v) = number("KEPT_RETRY_AFTER_MINUTES")? {
            self.retry_after_minutes = v;
        }
        if let Some(v) = number("KEPT_WORKER_INTERVAL_MS")? {
            self.worker_interval_ms = u64::try_from(v).map_err(|e| invalid("KEPT_WORKER_INTERVAL_MS", e))?;
        }
        self.imap_url = text("KEPT_IMAP_URL").or(self.imap_url);
        if let Some(v) = number("KEPT_IMAP_POLL_SECONDS")? {
            self.imap_poll_seconds = u64::try_from(v).map_err(|e| invalid("KEPT_IMAP_POLL_SECONDS", e))?;
        }
        self.imap_since = text("KEPT_IMAP_SINCE").or(self.imap_since);
        if let Some(v) = number("KEPT_MAX_ATTACHMENT_BYTES")? {
            self.max_attachment_bytes = u64::try_from(v).map_err(|e| invalid("KEPT_MAX_ATTACHMENT_BYTES", e))?;
        }
        if let Some(v) = text("KEPT_BUSINESS_NAME") {
            self.business.name = v;
        }
        if let Some(v) = text("KEPT_TIME_ZONE") {
            self.business.time_zone = v;
        }
        Ok(self)
    }
}

impl FileConfig {
    pub fn resolve(self) -> Result<Settings, ConfigError> {
        let listen: SocketAddr = self.listen.parse().map_err(|e| invalid("listen", e))?;
        self.check_connections()?;
        let imap = self
            .imap_url
            .as_deref()
            .map(|url| ImapSettings::parse(url, self.imap_poll_seconds, self.imap_since.as_deref()))
            .transpose()?;
        let business_settings = BusinessSettings {
            business: self.business,
            first_response_minutes: self.first_response_minutes,
            default_first_response_minutes: self.default_first_response_minutes,
            reminder_lead_minutes: self.reminder_lead_minutes,
            retry_after_minutes: self.retry_after_minutes,
            channel_webhooks: self.channel_webhooks,
            appointment_reminders: self.appointment_reminders,
            surveys: self.surveys,
            weekly_figures_email: self.weekly_figures_email,
            acknowledgements: self.acknowledgements,
        };
        let rules = business_settings.resolve(self.webhook_secret.is_some())?;
        Ok(Settings {
            demo: false,
            database_url: self.database_url,
            database_pool_size: self.database_pool_size,
            base_url: self
                .base_url
                .unwrap_or_else(|| format!("http://{listen}"))
                .trim_end_matches('/')
                .to_string(),
            listen,
            smtp_url: self.smtp_url,
            smtp_ca_file: self.smtp_ca_file.map(std::path::PathBuf::from),
            mail_from: self.mail_from.parse().map_err(|e| invalid("mail_from", e))?,
            webhook_url: self.webhook_url,
            webhook_secret: self.webhook_secret,
            cookie_secure: self.cookie_secure,
            rate_limit_per_minute: self.rate_limit_per_minute,
            trusted_proxies: match (self.trust_forwarded_for, self.trusted_proxies) {
                (false, 0) => 0,
                (_, count) => usize::try_from(count.max(1)).unwrap_or(1),
            },
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_seconds.clamp(1, 300)),
            max_connections_per_address: self.max_connections_per_address.max(1),
            max_connections: self.max_connections.max(1),
            body_read_timeout: std::time::Duration::from_secs(self.body_read_timeout_seconds.clamp(1, 3600)),
            http2: self.http2,
            reminder_lead: rules.reminder_lead,
            retry_after_minutes: rules.retry_after_minutes,
            worker_interval: std::time::Duration::from_millis(self.worker_interval_ms.max(10)),
            business: rules.business,
            tone: {
                kept_tone::Checker::new(&self.tone).map_err(|e| invalid("tone", e))?;
                self.tone
            },
            first_response_minutes: rules.first_response_minutes,
            default_first_response_minutes: rules.default_first_response_minutes,
            channel_webhooks: rules.channel_webhooks,
            appointment_reminders: rules.appointment_reminders,
            imap,
            max_attachment_bytes: usize::try_from(self.max_attachment_bytes).unwrap_or(usize::MAX),
            business_settings,
        })
    }

    /// The outgoing mail server, the webhook and the limits that are not the business's: each
    /// refused with what is wrong, before anything starts.
    fn check_connections(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.smtp_url {
            crate::smtp_url::check(url, self.smtp_ca_file.as_deref().map(std::path::Path::new))
                .map_err(|e| invalid("smtp_url", e))?;
        }
        if let Some(url) = &self.webhook_url {
            reqwest::Url::parse(url).map_err(|e| invalid("webhook_url", e))?;
            if self.webhook_secret.is_none() {
                return Err(invalid("webhook_secret", "is required when webhook_url is set"));
            }
        }
        if !(1..=3600).contains(&self.imap_poll_seconds) {
            return Err(invalid("imap_poll_seconds", "must be between 1 and 3600"));
        }
        if self.max_attachment_bytes > MAX_RAW_EMAIL_BYTES as u64 {
            return Err(invalid(
                "max_attachment_bytes",
                "must be at most 26214400 (25 MB, the largest e-mail kept takes)",
            ));
        }
        if !(1..=1000).contains(&self.database_pool_size) {
            return Err(invalid("database_pool_size", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

/// The largest raw e-mail kept accepts (over HTTP or IMAP), attachments included.
pub const MAX_RAW_EMAIL_BYTES: usize = 25 * 1024 * 1024;

/// The mailbox kept fetches customer e-mail from.
#[derive(Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    /// `imaps://`: TLS from the first byte (port 993 by default).
    pub tls: bool,
    pub user: String,
    pub password: String,
    pub mailbox: String,
    pub poll: std::time::Duration,
    /// Import what arrived since this day when the mailbox is new to kept.
    pub since: Option<chrono::NaiveDate>,
}

impl std::fmt::Debug for ImapSettings {
    // The password stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}@{}:{}/{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port,
            self.mailbox
        )
    }
}

impl ImapSettings {
    /// What identifies this mailbox's state (never the password).
    pub fn key(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.mailbox)
    }

    fn parse(url: &str, poll_seconds: u64, since: Option<&str>) -> Result<ImapSettings, ConfigError> {
        let since = since
            .map(|day| {
                chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
                    .map_err(|_| invalid("imap_since", "must be a date such as 2026-11-01"))
            })
            .transpose()?;
        let bad = |why: &str| invalid("imap_url", why);
        let url = reqwest::Url::parse(url).map_err(|e| invalid("imap_url", e))?;
        let tls = match url.scheme() {
            "imap" => false,
            "imaps" => true,
            _ => return Err(bad("must start with imap:// or imaps://")),
        };
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8_lossy()
                .into_owned()
        };
        let user = decode(url.username());
        let password = url.password().map(decode).unwrap_or_default();
        if user.is_empty() || password.is_empty() {
            return Err(bad("needs a user and password: imap://user:password@host/INBOX"));
        }
        let mailbox = url.path().trim_start_matches('/');
        Ok(ImapSettings {
            host: url.host_str().ok_or_else(|| bad("needs a host"))?.to_string(),
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            tls,
            user,
            password,
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                decode(mailbox)
            },
            poll: std::time::Duration::from_secs(poll_seconds),
            since,
        })
    }
}

/// The longest callback window: a promise to call back within a week, not within a century.
pub const MAX_WINDOW_MINUTES: i64 = 7 * 24 * 60;

impl BusinessFile {
    fn resolve(self) -> Result<Business, ConfigError> {
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return Err(invalid("business.name", "must be 1 to 100 characters"));
        }
        // The name goes into mail headers and bodies and the SUMMARY of `.ics` files: a line
        // break there would start a header or a property of its own.
        if self.name.chars().any(char::is_control) {
            return Err(invalid(
                "business.name",
                "must not hold line breaks or control characters",
            ));
        }
        let time_zone: Tz = self.time_zone.parse().map_err(|e| invalid("business.time_zone", e))?;
        let mut weekly: [Vec<_>; 7] = Default::default();
        let days = WeekFile::DAYS.iter().map(|(day, _)| day).zip(self.hours.days());
        for (slot, (day, text)) in weekly.iter_mut().zip(days) {
            *slot = parse_spans(text).map_err(|e| invalid(&format!("business.hours.{day}"), e))?;
        }
        if self.windows.is_empty() {
            return Err(invalid("business.windows", "at least one callback window is needed"));
        }
        let too_long = self
            .windows
            .iter()
            .any(|w| matches!(w.rule, kept_domain::WindowRule::Within { minutes } if !(1..=MAX_WINDOW_MINUTES).contains(&minutes)));
        if too_long {
            return Err(invalid(
                "business.windows",
                format!("a window's minutes must be between 1 and {MAX_WINDOW_MINUTES} (a week)"),
            ));
        }
        let bad_text = |t: &str| t.trim().is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control);
        let unreadable = self.windows.iter().any(|w| {
            !kept_domain::conversation::valid_channel(&w.code) || bad_text(&w.label_nl) || bad_text(&w.label_en)
        });
        if unreadable {
            return Err(invalid(
                "business.windows",
                "a window's code is a-z, 0-9, - and _ (at most 32), its labels one line of 1 to 100 characters",
            ));
        }
        let codes: BTreeSet<_> = self.windows.iter().map(|w| &w.code).collect();
        if codes.len() != self.windows.len() {
            return Err(invalid("business.windows", "window codes must be unique"));
        }
        if !kept_domain::phone::is_region(&self.default_region) {
            return Err(invalid("business.default_region", "expected a country code such as NL"));
        }
        Ok(Business {
            name: self.name,
            default_region: self.default_region,
            hours: BusinessHours {
                time_zone,
                weekly,
                closed_days: self.closed_days.into_iter().collect(),
            },
            windows: self.windows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_file_and_no_environment() {
        let settings = Settings::from_env_only(|_| None).unwrap();
        assert_eq!(settings.database_url, "sqlite://kept-data/kept.db");
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.business.windows.len(), 3);
        assert_eq!(settings.business.time_zone(), chrono_tz::Europe::Amsterdam);
    }

    #[test]
    fn environment_overrides_the_file() {
        let file: FileConfig = toml::from_str("listen = '0.0.0.0:9000'\n[business]\nname = 'Fietsen'").unwrap();
        let settings = file
            .with_env(|key| (key == "KEPT_LISTEN").then(|| "127.0.0.1:9100".to_string()))
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(settings.listen.port(), 9100);
        assert_eq!(settings.business.name, "Fietsen");
    }

    #[test]
    fn imap_urls_are_read_with_escaped_passwords_and_checked() {
        let env = |url: &'static str| move |key: &str| (key == "KEPT_IMAP_URL").then(|| url.to_string());
        let settings =
            Settings::from_env_only(env("imaps://service%40fiets.test:p%40ss%20w@mail.fiets.test/Klanten")).unwrap();
        let imap = settings.imap.unwrap();
        assert_eq!(
            (imap.user.as_str(), imap.password.as_str()),
            ("service@fiets.test", "p@ss w")
        );
        assert_eq!(
            (imap.host.as_str(), imap.port, imap.tls, imap.mailbox.as_str()),
            ("mail.fiets.test", 993, true, "Klanten")
        );
        assert!(!format!("{imap:?}").contains("p@ss"), "the password stays out of logs");
        for bad in ["pop3://u:p@host/", "imap://host/INBOX", "imap://user@host/"] {
            let error = Settings::from_env_only(env(bad)).unwrap_err().to_string();
            assert!(error.contains("imap_url"), "{bad}: {error}");
        }
    }

    #[test]
    fn the_documented_example_file_is_valid() {
        let file: FileConfig = toml::from_str(include_str!("../../../kept.toml.example")).unwrap();
        let settings = file.resolve().unwrap();
        assert_eq!(settings.business.hours.weekly[3].len(), 2, "Thursday has a lunch break");
        assert_eq!(settings.business.windows[2].code, "evening");
        assert_eq!(settings.business.hours.closed_days.len(), 3);
    }

    #[test]
    fn reminders_are_times_the_day_before_or_minutes_ahead() {
        let rules = reminder_rules(&["18:00".into(), " 90 ".into()]).unwrap();
        assert_eq!(rules[1], ReminderRule::Before(Duration::minutes(90)));
        let error = reminder_rules(&["morgen".into()]).unwrap_err();
        assert!(error.to_string().contains("appointment_reminders"), "{error}");
        assert!(reminder_rules(&["0".into()]).is_err());
    }

    #[test]
    fn mistakes_are_named() {
        let error = toml::from_str::<FileConfig>("[business.hours]\nmon = '9-5'")
            .unwrap()
            .resolve()
            .unwrap_err();
        assert!(error.to_string().contains("business.hours.mon"), "{error}");
        let error = FileConfig::default()
            .with_env(|key| (key == "KEPT_WEBHOOK_URL").then(|| "http://127.0.0.1:1/hook".to_string()))
            .unwrap()
            .resolve()
            .unwrap_err();
        assert!(error.to_string().contains("webhook_secret"), "{error}");
        assert!(toml::from_str::<FileConfig>("lisen = 'typo'").is_err());
    }
}
