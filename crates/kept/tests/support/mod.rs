//! The test harness: real databases (a SQLite file, a fresh PostgreSQL database), a real SMTP
//! server, a real webhook receiver and kept itself, in process or as a separate process.
#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, TimeZone, Utc};
use kept_app::config::FileConfig;
use kept_domain::{Clock, Lang, ManualClock, Role};
use kept_server::{Running, Settings};
use kept_store::{NewStaff, Store};
use serde_json::Value;

mod booking;
mod browser;
mod postfix;
#[allow(unused_imports)]
pub use booking::*;
#[allow(unused_imports)]
pub use browser::{Browser, hidden_csrf, logged_in};
pub use postfix::Postfix;

pub const WEBHOOK_SECRET: &str = "test-webhook-secret";
pub const PASSWORD: &str = "correct horse battery staple";

/// Tuesday 24 November 2026, 10:00 in Amsterdam: inside opening hours.
pub fn tuesday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

pub use kept_testdb::{TestDatabase, databases, postgres_only};

/// A real SMTP server (mailin) that keeps what it receives.
#[derive(Clone, Default)]
pub struct SmtpSink {
    received: Arc<Mutex<Vec<Mail>>>,
    /// Mailboxes this server says do not exist (550), as a real one does.
    refused: Arc<Mutex<Vec<String>>>,
    /// Subjects of mails a person wrote that answer nothing (a conversation staff started).
    people_wrote: Arc<Mutex<Vec<String>>>,
    current: Vec<u8>,
    to: Vec<String>,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
    /// The attached calendar invitation (`text/calendar`), if there is one.
    pub calendar: Option<String>,
}

impl mailin_embedded::Handler for SmtpSink {
    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        if self.refused.lock().unwrap().iter().any(|r| r == to) {
            mailin_embedded::response::NO_MAILBOX
        } else {
            mailin_embedded::response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.current.clear();
        self.to = to.to_vec();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let parsed = mail_parser::MessageParser::default()
            .parse(&self.current)
            .expect("a parsable message");
        let mail = Mail {
            to: self.to.clone(),
            subject: parsed.subject().unwrap_or_default().to_string(),
            text: parsed.body_text(0).unwrap_or_default().to_string(),
            html: parsed.body_html(0).unwrap_or_default().to_string(),
            raw: String::from_utf8_lossy(&self.current).to_string(),
            calendar: parsed
                .attachments()
                .find(|part| {
                    mail_parser::MimeHeaders::content_type(*part).is_some_and(|t| t.subtype() == Some("calendar"))
                })
                .map(|part| String::from_utf8_lossy(part.contents()).to_string()),
        };
        self.received.lock().unwrap().push(mail);
        mailin_embedded::response::OK
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            ..Default::default()
        };
        let mut server = mailin_embedded::Server::new(sink.clone());
        // A real mail server serves many connections at once; with mailin's default of four
        // threads, kept's pooled connections beyond the fourth would wait in the backlog.
        server
            .with_name("smtp.test")
            .with_num_threads(32)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        sink
    }

    /// From now on, mail to `address` is refused with "550 Mailbox unavailable".
    pub fn refuse(&self, address: &str) {
        self.refused.lock().unwrap().push(address.to_string());
    }

    /// A mail with this subject was written by a person though it answers nothing: it must
    /// not say it was generated.
    pub fn written_by_a_person(&self, subject: &str) {
        self.people_wrote.lock().unwrap().push(subject.to_string());
    }

    pub fn accept_again(&self, address: &str) {
        self.refused.lock().unwrap().retain(|r| r != address);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }
}

/// A webhook receiver: an HTTP server that records each call.
#[derive(Clone, Default)]
pub struct HookSink {
    received: Arc<Mutex<Vec<Hook>>>,
    /// Answer 500 to this many calls first.
    failures_left: Arc<Mutex<usize>>,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Hook {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn event(&self) -> String {
        self.json()["event"].as_str().unwrap_or_default().to_string()
    }
}

impl HookSink {
    pub async fn start() -> HookSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = HookSink {
            port: listener.local_addr().unwrap().port(),
            ..Default::default()
        };
        let state = sink.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let state = state.clone();
                async move {
                    let mut failures = state.failures_left.lock().unwrap();
                    if *failures > 0 {
                        *failures -= 1;
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    let headers = headers
                        .iter()
                        .map(|(k, v)| (k.as_str().to_lowercase(), v.to_str().unwrap_or_default().to_string()))
                        .collect();
                    state.received.lock().unwrap().push(Hook {
                        headers,
                        body: body.to_vec(),
                    });
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        sink
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn fail_next(&self, count: usize) {
        *self.failures_left.lock().unwrap() = count;
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.received.lock().unwrap().clone()
    }

    pub fn events(&self, event: &str) -> Vec<Hook> {
        self.hooks().into_iter().filter(|h| h.event() == event).collect()
    }
}

/// Waits until `check` holds, polling; fails the test after `seconds`. This waits for an
/// outcome, it does not guess how long something takes.
pub async fn eventually<F, Fut>(seconds: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(seconds);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {seconds}s waiting for: {what}"
        );
        tokio::time::sleep(StdDuration::from_millis(25)).await;
    }
}

/// Waits until everything queued has been delivered (or given up on): moving the clock while a
/// delivery is leased would let it be taken over and sent twice (delivery is at least once).
pub async fn outbox_drained(server: &TestServer) {
    eventually(10, "the outbox delivered", || async {
        server.store.outbox_counts().await.unwrap().pending == 0
    })
    .await;
}

pub fn test_config(database_url: &str, smtp: &SmtpSink, hooks: &HookSink) -> FileConfig {
    let mut config = FileConfig {
        database_url: database_url.to_string(),
        listen: "127.0.0.1:0".into(),
        smtp_url: Some(smtp.url()),
        mail_from: "Fietsenmaker <kept@fiets.test>".into(),
        webhook_url: Some(hooks.url()),
        webhook_secret: Some(WEBHOOK_SECRET.into()),
        rate_limit_per_minute: 0,
        worker_interval_ms: 20,
        ..Default::default()
    };
    config.business.name = "Fietsenmaker".into();
    // The Monday e-mail would land in the owner's mailbox of any test whose clock passes a
    // Monday morning; the test of that e-mail switches it on.
    config.weekly_figures_email = false;
    // Likewise the customer's acknowledgement of every mail a test posts: the tests of it
    // switch it on (it is on by default).
    config.acknowledgements.email = false;
    config
}

/// kept running in this process with a manual clock, its own SMTP and webhook receivers,
/// an owner, an agent and an API token.
pub struct TestServer {
    pub base: String,
    pub running: Running,
    pub clock: ManualClock,
    pub smtp: SmtpSink,
    pub hooks: HookSink,
    pub store: Arc<dyn Store>,
    /// The agent's API token.
    pub token: String,
    /// The owner's API token, for owner-only actions.
    pub owner_token: String,
    pub owner_email: String,
    pub agent_email: String,
    pub http: reqwest::Client,
}

impl TestServer {
    pub async fn start(database_url: &str) -> TestServer {
        Self::start_with(database_url, |_| {}).await
    }

    pub async fn start_with(database_url: &str, adjust: impl FnOnce(&mut FileConfig)) -> TestServer {
        let smtp = SmtpSink::start();
        let hooks = HookSink::start().await;
        let mut config = test_config(database_url, &smtp, &hooks);
        adjust(&mut config);
        let settings = config.resolve().unwrap();
        let clock = ManualClock::new(tuesday_morning());
        Self::launch(settings, clock, smtp, hooks, true).await
    }

    /// Starts another node on the same database, clock and receivers.
    pub async fn another_node(&self) -> TestServer {
        let settings = test_config(&self.running.state.settings().database_url, &self.smtp, &self.hooks)
            .resolve()
            .unwrap();
        Self::launch(
            settings,
            self.clock.clone(),
            self.smtp.clone(),
            self.hooks.clone(),
            false,
        )
        .await
    }

    /// Stops this node and starts a fresh one on the same database, clock and receivers, as a
    /// restart of the process would.
    pub async fn restart_with(self, adjust: impl FnOnce(&mut FileConfig)) -> TestServer {
        let mut config = test_config(&self.running.state.settings().database_url, &self.smtp, &self.hooks);
        adjust(&mut config);
        let (clock, smtp, hooks) = (self.clock.clone(), self.smtp.clone(), self.hooks.clone());
        self.running.stop().await;
        Self::launch(config.resolve().unwrap(), clock, smtp, hooks, false).await
    }

    /// Stops this node, moves the clock to `at` while it is down, and starts it again.
    pub async fn restart_at(self, at: DateTime<Utc>) -> TestServer {
        let config = test_config(&self.running.state.settings().database_url, &self.smtp, &self.hooks);
        let (clock, smtp, hooks) = (self.clock.clone(), self.smtp.clone(), self.hooks.clone());
        self.running.stop().await;
        clock.set(at);
        Self::launch(config.resolve().unwrap(), clock, smtp, hooks, false).await
    }

    async fn launch(settings: Settings, clock: ManualClock, smtp: SmtpSink, hooks: HookSink, seed: bool) -> TestServer {
        let store = kept_store::open(&settings.database_url).await.unwrap();
        let owner_email = "olga@fiets.test".to_string();
        let agent_email = "sanne@fiets.test".to_string();
        if seed {
            add_staff(store.as_ref(), &owner_email, "Olga", Role::Owner, clock.now()).await;
            add_staff(store.as_ref(), &agent_email, "Sanne", Role::Agent, clock.now()).await;
        }
        let mut tokens = Vec::new();
        for email in [&agent_email, &owner_email] {
            let token = kept_app::auth::new_token();
            let staff = store.staff_by_email(email).await.unwrap().unwrap();
            store
                .add_api_token(&kept_app::auth::token_hash(&token), &staff.id, "tests", clock.now())
                .await
                .unwrap();
            tokens.push(token);
        }
        let (token, owner_token) = (tokens.remove(0), tokens.remove(0));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = kept_server::launch(
            listener,
            kept_app::App::new(settings, Arc::new(clock.clone()), store.clone()),
        )
        .await
        .unwrap();
        TestServer {
            base: format!("http://{}", running.addr),
            running,
            clock,
            smtp,
            hooks,
            store,
            token,
            owner_token,
            owner_email,
            agent_email,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a callback request as a customer would (no token).
    pub async fn request_callback(&self, body: Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/callback-requests"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn created(&self, body: Value) -> Value {
        let response = self.request_callback(body).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    pub async fn api_get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn api_post(&self, path: &str, body: Value) -> reqwest::Response {
        self.post_as(&self.token, path, body).await
    }

    /// POSTs as the owner.
    pub async fn owner_post(&self, path: &str, body: Value) -> reqwest::Response {
        self.post_as(&self.owner_token, path, body).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The OpenAPI document as kept serves it.
    pub async fn openapi_document(&self) -> Value {
        let answer = self.http.get(self.url("/api/openapi.json")).send().await.unwrap();
        answer.json().await.unwrap()
    }

    /// PUTs as the owner.
    pub async fn owner_put(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .bearer_auth(&self.owner_token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn owner_get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.owner_token)
            .send()
            .await
            .unwrap()
    }

    /// POSTs a raw e-mail as a mail service would.
    pub async fn post_email(&self, raw: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/inbound/email"))
            .bearer_auth(&self.token)
            .header("content-type", "message/rfc822")
            .body(raw.to_string())
            .send()
            .await
            .unwrap()
    }

    pub async fn open_ids(&self) -> Vec<String> {
        let list: Vec<Value> = self
            .api_get("/api/v1/callback-requests?status=open")
            .await
            .json()
            .await
            .unwrap();
        list.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
    }
}

pub async fn add_staff(store: &dyn Store, email: &str, name: &str, role: Role, now: DateTime<Utc>) {
    store
        .add_staff(NewStaff {
            email: email.into(),
            name: name.into(),
            role,
            lang: Lang::Nl,
            password_hash: kept_app::auth::hash_password(PASSWORD).unwrap(),
            now,
        })
        .await
        .unwrap();
}

/// Checks an `X-Kept-Signature` header against the body.
pub fn signature_is_valid(hook: &Hook) -> bool {
    use hmac::{Hmac, Mac};
    let header = hook.headers.get("x-kept-signature").cloned().unwrap_or_default();
    let Some(hex_signature) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_signature) else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(&hook.body);
    mac.verify_slice(&signature).is_ok()
}

/// A throw-away Dovecot IMAP server on a loopback port, run as an unprivileged user (the
/// `dovecot` system user when the tests run as root). Any user name logs in with
/// [`ImapServer::PASSWORD`] and gets an empty mailbox of its own.
pub struct ImapServer {
    pub port: u16,
    dir: tempfile::TempDir,
}

impl ImapServer {
    pub const PASSWORD: &'static str = "imap-test-secret";
    const DOVECOT: &'static str = "/usr/sbin/dovecot";

    /// None when Dovecot is not installed and the suite does not require it.
    pub async fn start() -> Option<ImapServer> {
        if !std::path::Path::new(Self::DOVECOT).exists() {
            assert!(
                std::env::var("KEPT_TEST_REQUIRE_IMAP").is_err(),
                "KEPT_TEST_REQUIRE_IMAP is set but {} is missing (apt-get install dovecot-imapd)",
                Self::DOVECOT
            );
            eprintln!("note: Dovecot is not installed; skipping an IMAP test");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let as_root = std::process::Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        let user = if as_root {
            "dovecot".to_string()
        } else {
            String::from_utf8(std::process::Command::new("id").arg("-un").output().unwrap().stdout)
                .unwrap()
                .trim()
                .to_string()
        };
        let root = dir.path().display().to_string();
        let config = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {root}/run\nstate_dir = {root}/state\n\
             log_path = {root}/log\nssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n\
             default_internal_user = {user}\ndefault_login_user = {user}\nfirst_valid_uid = 1\n\
             mail_location = maildir:{root}/mail/%u\n\
             passdb {{\n  driver = static\n  args = password={password}\n}}\n\
             userdb {{\n  driver = static\n  args = uid={user} gid={user} home={root}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\nservice stats {{\n  chroot =\n}}\n\
             service auth {{\n  unix_listener auth-postfix {{\n    mode = 0666\n  }}\n}}\n",
            password = Self::PASSWORD
        );
        std::fs::write(dir.path().join("dovecot.conf"), config).unwrap();
        let conf = dir.path().join("dovecot.conf").display().to_string();
        let status = if as_root {
            std::process::Command::new("chown")
                .args(["-R", &user, &root])
                .status()
                .unwrap();
            std::process::Command::new("runuser")
                .args(["-u", &user, "--", Self::DOVECOT, "-c", &conf])
                .status()
                .unwrap()
        } else {
            std::process::Command::new(Self::DOVECOT)
                .args(["-c", &conf])
                .status()
                .unwrap()
        };
        assert!(
            status.success(),
            "dovecot did not start: {:?}",
            std::fs::read_to_string(dir.path().join("log"))
        );
        // Postfix's smtpd (user postfix) asks this Dovecot to check SASL logins: it must reach
        // the socket (run/auth-postfix).
        for path in [dir.path().to_path_buf(), dir.path().join("run")] {
            std::process::Command::new("chmod")
                .arg("755")
                .arg(&path)
                .status()
                .unwrap();
        }
        let server = ImapServer { port, dir };
        eventually(20, "Dovecot accepts connections", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
        })
        .await;
        Some(server)
    }

    pub fn url(&self, user: &str) -> String {
        format!("imap://{user}:{}@127.0.0.1:{}/INBOX", Self::PASSWORD, self.port)
    }

    /// The socket over which Dovecot checks logins for Postfix (SASL).
    pub fn auth_socket(&self) -> std::path::PathBuf {
        self.dir.path().join("run/auth-postfix")
    }

    async fn session(&self, user: &str) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        let mut session = client.login(user, Self::PASSWORD).await.map_err(|(e, _)| e).unwrap();
        session.select("INBOX").await.unwrap();
        session
    }

    /// Delivers a message into `user`'s INBOX, unseen, as a mail server would.
    pub async fn deliver(&self, user: &str, raw: &[u8]) {
        self.deliver_to(user, "INBOX", raw, false).await;
    }

    /// Delivers a message into a folder; `seen`: as if read on a phone before kept looked.
    pub async fn deliver_to(&self, user: &str, folder: &str, raw: &[u8], seen: bool) {
        let mut session = self.session(user).await;
        let flags = seen.then_some("(\\Seen)");
        session.append(folder, flags, None, raw).await.unwrap();
        session.logout().await.unwrap();
    }

    /// Creates a folder; `recreate`: deletes it first (its messages and UIDVALIDITY go with it).
    pub async fn create_folder(&self, user: &str, folder: &str, recreate: bool) {
        let mut session = self.session(user).await;
        if recreate {
            session.delete(folder).await.unwrap();
        }
        session.create(folder).await.unwrap();
        session.logout().await.unwrap();
    }

    /// Moves message `uid` from INBOX to `folder` (IMAP MOVE), as a person filing it would.
    pub async fn move_to(&self, user: &str, uid: u32, folder: &str) {
        let mut session = self.session(user).await;
        session.uid_mv(uid.to_string(), folder).await.unwrap();
        session.logout().await.unwrap();
    }

    /// Moves every message of `folder` back to INBOX.
    pub async fn move_back(&self, user: &str, folder: &str) {
        let mut session = self.session(user).await;
        session.select(folder).await.unwrap();
        session.uid_mv("1:*", "INBOX").await.unwrap();
        session.logout().await.unwrap();
    }

    /// (uid, seen) of every message in `user`'s INBOX.
    pub async fn flags(&self, user: &str) -> Vec<(u32, bool)> {
        use futures::TryStreamExt;
        let mut session = self.session(user).await;
        let fetches: Vec<_> = session
            .uid_fetch("1:*", "FLAGS")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        // Untagged FETCH responses without a UID are flag changes another session (kept) made
        // meanwhile; only the answers to this UID FETCH count.
        let mut flags: Vec<(u32, bool)> = fetches
            .iter()
            .filter_map(|f| {
                let seen = f.flags().any(|flag| flag == async_imap::types::Flag::Seen);
                f.uid.map(|uid| (uid, seen))
            })
            .collect();
        drop(fetches);
        session.logout().await.unwrap();
        flags.sort_unstable();
        flags
    }

    /// Marks a message unseen again: the state a crash between storing and marking leaves.
    pub async fn mark_unseen(&self, user: &str, uid: u32) {
        use futures::TryStreamExt;
        let mut session = self.session(user).await;
        let _: Vec<_> = session
            .uid_store(uid.to_string(), "-FLAGS (\\Seen)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        session.logout().await.unwrap();
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("run/master.pid")) {
            let _ = std::process::Command::new("kill").arg(pid.trim()).status();
        }
    }
}

pub fn mail_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An iCalendar text read by an independent parser (Python's `icalendar` from PyPI, which
/// scripts/test installs and names in `KEPT_TEST_PYTHON`): the method and each event's UID,
/// SEQUENCE, STATUS and start in Europe/Amsterdam. `None` when no parser is set up (and
/// `KEPT_TEST_REQUIRE_ICALENDAR` is not set).
pub fn parse_calendar(text: &str) -> Option<Value> {
    let python = match std::env::var("KEPT_TEST_PYTHON") {
        Ok(python) => python,
        Err(_) if std::env::var("KEPT_TEST_REQUIRE_ICALENDAR").is_ok() => {
            panic!("KEPT_TEST_REQUIRE_ICALENDAR is set but KEPT_TEST_PYTHON is not")
        }
        Err(_) => {
            eprintln!("note: KEPT_TEST_PYTHON is not set; the calendar file is not parsed independently");
            return None;
        }
    };
    const READ: &str = r#"
import json, sys, zoneinfo, icalendar
calendar = icalendar.Calendar.from_ical(sys.stdin.read())
amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
events = [{
    "uid": str(e.get("UID")),
    "sequence": int(e.get("SEQUENCE", 0)),
    "status": str(e.get("STATUS", "")),
    "start": e.decoded("DTSTART").astimezone(amsterdam).isoformat(),
    "end": e.decoded("DTEND").astimezone(amsterdam).isoformat(),
} for e in calendar.walk("VEVENT")]
print(json.dumps({"method": str(calendar.get("METHOD", "")), "events": events}))
"#;
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .args(["-c", READ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the Python with icalendar");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "icalendar could not read:\n{text}");
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// Mails read by an independent, strict reader: Python's `email` package with
/// `email.policy.strict` (support/strict_mail.py), one process for all of them. Each entry is
/// what that reader sees: headers, the offset of `Date`, and every part decoded by the charset
/// it declares (US-ASCII where it declares none).
pub fn strictly_read(mails: &[Mail]) -> Vec<Value> {
    use std::io::Write;
    let python = std::env::var("KEPT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = format!("{}/tests/support/strict_mail.py", env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (its own email package reads the mails)");
    let raws: Vec<&str> = mails.iter().map(|m| m.raw.as_str()).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&raws).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "strict_mail.py failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

impl SmtpSink {
    /// Every mail received so far is MIME-correct as a strict reader sees it: readable without
    /// a defect, `MIME-Version: 1.0`, each text part declaring `charset=utf-8` and decoding
    /// without a replacement character, `Date` in Amsterdam's offset, and `Auto-Submitted:
    /// auto-generated` on all but what a person wrote (replies, which answer a message with
    /// In-Reply-To, and the first messages named by [`SmtpSink::written_by_a_person`]).
    /// Returns what the reader saw, in the order the mails arrived.
    pub fn assert_mime_correct(&self, what: &str) -> Vec<Value> {
        let mails = self.mails();
        assert!(!mails.is_empty(), "{what}: no mail to check");
        let read = strictly_read(&mails);
        for (mail, seen) in mails.iter().zip(&read) {
            let context = format!("{what}: {:?}\n{seen}", mail.subject);
            assert_eq!(seen["ok"], true, "{context}");
            assert_eq!(seen["headers"]["mime-version"], "1.0", "{context}");
            let offset = seen["date_offset_minutes"].as_i64();
            assert!(matches!(offset, Some(60 | 120)), "Date in Amsterdam's zone: {context}");
            let person = seen["headers"].get("in-reply-to").is_some()
                || self.people_wrote.lock().unwrap().contains(&mail.subject);
            let auto = seen["headers"].get("auto-submitted").and_then(Value::as_str);
            // kept's acknowledgement answers the customer's mail by itself (RFC 3834).
            let acknowledgement = auto == Some("auto-replied") && seen["headers"].get("in-reply-to").is_some();
            if !acknowledgement {
                assert_eq!(auto, (!person).then_some("auto-generated"), "{context}");
            }
            let parts = seen["parts"].as_array().unwrap();
            for part in parts
                .iter()
                .filter(|p| p["type"].as_str().unwrap().starts_with("text/"))
            {
                assert_eq!(part["charset"], "utf-8", "{context}");
                assert!(!part["text"].as_str().unwrap().contains('\u{FFFD}'), "{context}");
            }
        }
        read
    }
}
