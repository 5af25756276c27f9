//! A way back in: "forgot your password" on the login page (the same answer for any address,
//! a one-time link by e-mail, a few an hour), and `kept user` for a locked-out owner: a printed
//! link, roles, taking someone off the team, and a clear word when there is no terminal.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::*;
use crate::team::{link_in_mail, local, login_status};
use reqwest::StatusCode;

const KEPT: &str = env!("CARGO_BIN_EXE_kept");

/// Asks for a link on the login page, as a person would: the login page's link, the form.
async fn ask_for_link(server: &TestServer, email: &str) -> (StatusCode, String) {
    let mut browser = Browser::new();
    let (_, login) = browser.get(&server.url("/login?lang=nl")).await;
    assert!(login.contains("href=\"/login/forgot?lang=nl\""), "{login}");
    assert!(login.contains("Wachtwoord vergeten?"));
    let (_, form) = browser.get(&server.url("/login/forgot?lang=nl")).await;
    let sent = browser
        .post(
            &server.url("/login/forgot?lang=nl"),
            &[("email", email), ("csrf", &hidden_csrf(&form))],
        )
        .await;
    let status = sent.status();
    (status, sent.text().await.unwrap())
}

fn reset_mails(server: &TestServer, address: &str) -> usize {
    server
        .smtp
        .to(address)
        .iter()
        .filter(|m| m.subject.contains("Nieuw wachtwoord"))
        .count()
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_link_from_the_login_page() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (status, page) = ask_for_link(&server, &server.agent_email.to_uppercase()).await;
        assert_eq!(status, StatusCode::OK, "{}", db.name);
        assert!(page.contains("id=\"forgot-sent\""), "{page}");
        eventually(10, "the reset e-mail", || async {
            reset_mails(&server, &server.agent_email) == 1
        })
        .await;
        let mail = server.smtp.to(&server.agent_email).pop().unwrap();
        assert!(
            mail.text.contains("Op het inlogscherm is een nieuw wachtwoord"),
            "{}",
            mail.text
        );

        // An unknown address: the same page, and no e-mail to anyone.
        let sent_before = server.smtp.mails().len();
        let (status, unknown) = ask_for_link(&server, "niemand@fiets.test").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            without_csrf(&unknown),
            without_csrf(&page),
            "the same page for any address"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(server.smtp.mails().len(), sent_before, "{}: nothing sent", db.name);

        // The link, a new password, logged in; the old password no longer works.
        let link = link_in_mail(&server, &server.agent_email);
        let mut browser = Browser::new();
        let new = [
            ("password", "een heel nieuw wachtwoord"),
            ("repeat", "een heel nieuw wachtwoord"),
        ];
        let set = browser.post(&link, &new).await;
        assert_eq!(set.status(), StatusCode::SEE_OTHER, "{}", db.name);
        assert_eq!(browser.get(&server.url("/staff")).await.0, StatusCode::OK, "logged in");
        assert_eq!(
            login_status(&server, &server.agent_email, "een heel nieuw wachtwoord").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            login_status(&server, &server.agent_email, PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        // The link works once, and an hour at most.
        assert_eq!(Browser::new().post(&link, &new).await.status(), StatusCode::GONE);
        ask_for_link(&server, &server.agent_email).await;
        eventually(10, "a second e-mail", || async {
            reset_mails(&server, &server.agent_email) == 2
        })
        .await;
        let late = link_in_mail(&server, &server.agent_email);
        server.clock.advance(chrono::Duration::minutes(61));
        assert_eq!(Browser::new().get(&late).await.0, StatusCode::GONE, "{}", db.name);
        server.running.stop().await;
    }
}

fn without_csrf(page: &str) -> String {
    page.lines()
        .filter(|l| !l.contains("csrf"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_few_reset_mails_an_hour_per_account() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |c| c.rate_limit_per_minute = 10).await;
    // One at a time, as each e-mail arrives (a newer link replaces an unsent older one).
    for sent in 1..=5 {
        let (status, _) = ask_for_link(&server, &server.agent_email).await;
        assert_eq!(status, StatusCode::OK);
        eventually(10, "the next e-mail", || async {
            reset_mails(&server, &server.agent_email) == sent
        })
        .await;
    }
    for _ in 0..3 {
        let (status, page) = ask_for_link(&server, &server.agent_email).await;
        assert_eq!(status, StatusCode::OK, "the page says nothing about the account");
        assert!(page.contains("id=\"forgot-sent\""));
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        reset_mails(&server, &server.agent_email),
        5,
        "not more than five an hour"
    );
    server.running.stop().await;
}

/// Runs `kept` with `args` on the database, the way an operator would beside a running kept.
/// The wait is off the test's runtime: the kept running in this test shares that runtime, and a
/// blocked runtime would hold whatever write transaction it had begun — the command then waits
/// out SQLite's busy timeout and fails with "database is locked" (seen 1 run in ~10).
async fn kept_cli(database_url: &str, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(KEPT);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KEPT_DATABASE_URL", database_url)
        .env("KEPT_BASE_URL", "http://kept.test")
        .args(args)
        .stdin(Stdio::null());
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_locked_out_owner_gets_back_in_from_the_command_line() {
    for db in databases().await {
        // The command line writes beside a running kept, as on a server (see kept_cli for why it
        // runs off this runtime); timers once a second, as in production.
        let server = TestServer::start_with(&db.url, |c| c.worker_interval_ms = 1000).await;
        let owner = server.owner_email.clone();
        let printed = kept_cli(&db.url, &["user", "reset-password", "--email", &owner]).await;
        assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
        let printed = String::from_utf8(printed.stdout).unwrap();
        let link = printed
            .lines()
            .find(|l| l.starts_with("http://kept.test/password/"))
            .expect(&printed);
        let mut browser = Browser::new();
        let new = [
            ("password", "terug naar binnen 2026"),
            ("repeat", "terug naar binnen 2026"),
        ];
        assert_eq!(
            browser.post(&local(&server, link), &new).await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            login_status(&server, &owner, "terug naar binnen 2026").await,
            StatusCode::SEE_OTHER
        );
        assert!(server.smtp.to(&owner).is_empty(), "{}: printed, not mailed", db.name);

        let unknown = kept_cli(&db.url, &["user", "reset-password", "--email", "niemand@fiets.test"]).await;
        assert!(!unknown.status.success());
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no one on the team"));

        // Roles and leaving, with the team keeping an owner.
        let agent = server.agent_email.clone();
        let last = kept_cli(&db.url, &["user", "role", "--email", &owner, "--role", "agent"]).await;
        assert!(!last.status.success(), "{}: the only owner stays owner", db.name);
        let said = String::from_utf8_lossy(&last.stderr);
        assert!(said.contains("must keep an owner"), "{said}");
        let promoted = kept_cli(&db.url, &["user", "role", "--email", &agent, "--role", "owner"]).await;
        assert!(
            promoted.status.success(),
            "{}",
            String::from_utf8_lossy(&promoted.stderr)
        );
        let off = kept_cli(
            &db.url,
            &["user", "deactivate", "--email", &owner, "--hand-over-to", &agent],
        )
        .await;
        assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
        let listed = String::from_utf8(kept_cli(&db.url, &["user", "list"]).await.stdout).unwrap();
        assert!(
            listed.contains(&format!("{owner}\towner")) && listed.contains("(off the team)"),
            "{listed}"
        );
        assert!(listed.contains(&format!("{agent}\towner")), "{listed}");
        assert_eq!(
            login_status(&server, &owner, "terug naar binnen 2026").await,
            StatusCode::UNAUTHORIZED
        );

        // No terminal to ask the password on: say what to do instead.
        let mut add = Command::new(KEPT)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KEPT_DATABASE_URL", &db.url)
            .args(["user", "add", "--email", "nieuw@fiets.test", "--role", "agent"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(add.stdin.take().map(|mut s| s.write_all(b"")));
        let added = add.wait_with_output().unwrap();
        assert!(!added.status.success());
        assert!(
            String::from_utf8_lossy(&added.stderr).contains("--password-stdin"),
            "{}",
            db.name
        );
        server.running.stop().await;
    }
}
