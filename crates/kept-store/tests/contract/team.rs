//! The team, log-in sessions and API tokens, the business's settings, tone dismissals and the
//! mailboxes' bookkeeping: every method of their traits, on both databases.

use chrono::Duration;
use kept_domain::staff::LinkPurpose;
use kept_domain::{Lang, Role};
use kept_store::{NewPasswordLink, NewSession, NewStaff, Polled, SettingChange, StaffChange};

use crate::{ALL, monday, staff, stores};

fn link(token_hash: &str, purpose: LinkPurpose, by: Option<&str>) -> NewPasswordLink {
    NewPasswordLink {
        purpose,
        token: Some(format!("token-{token_hash}")),
        token_hash: token_hash.into(),
        created_by: by.map(str::to_string),
        now: monday(),
        expires_at: monday() + Duration::days(7),
    }
}

fn session(token_hash: &str, staff_id: &str) -> NewSession {
    NewSession {
        token_hash: token_hash.into(),
        staff_id: staff_id.into(),
        csrf_token: format!("csrf-{token_hash}"),
        now: monday(),
        expires_at: monday() + Duration::hours(12),
    }
}

#[tokio::test]
async fn an_invited_member_sets_a_password_through_a_link_once_and_is_logged_out_elsewhere() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let olga = staff(store, "olga@x.test", Role::Owner).await;
        let invited = store
            .invite_staff(
                NewStaff {
                    email: "sanne@x.test".into(),
                    name: "Sanne".into(),
                    role: Role::Agent,
                    lang: Lang::En,
                    password_hash: String::new(),
                    now: monday(),
                },
                link("invite-hash", LinkPurpose::Invite, Some(&olga)),
            )
            .await
            .unwrap();
        assert!(invited.invited(), "no password yet on {name}");
        assert_eq!(
            store.staff_by_email("sanne@x.test").await.unwrap().unwrap().id,
            invited.id
        );
        assert_eq!(store.staff_by_id(&invited.id).await.unwrap().unwrap().lang, Lang::En);
        let team: Vec<String> = store.list_staff().await.unwrap().into_iter().map(|s| s.email).collect();
        assert!(
            team.contains(&"sanne@x.test".to_string()) && team.len() == 2,
            "{team:?} on {name}"
        );

        let usable = store
            .usable_password_link("invite-hash", monday())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (usable.purpose, usable.staff_email.as_str()),
            (LinkPurpose::Invite, "sanne@x.test")
        );
        assert_eq!(usable.created_by_name.as_deref(), Some("olga"));
        assert_eq!(
            store.password_link(&usable.id).await.unwrap().unwrap().staff_id,
            invited.id
        );
        let later = monday() + Duration::days(8);
        assert!(
            store
                .usable_password_link("invite-hash", later)
                .await
                .unwrap()
                .is_none(),
            "expired on {name}"
        );

        store.create_session(session("phone", &invited.id)).await.unwrap();
        let sanne = store
            .use_password_link("invite-hash", "argon-hash", monday())
            .await
            .unwrap();
        assert_eq!(sanne.password_hash, "argon-hash");
        assert!(
            store
                .usable_password_link("invite-hash", monday())
                .await
                .unwrap()
                .is_none(),
            "used up"
        );
        assert!(
            store.session("phone", monday()).await.unwrap().is_none(),
            "logged out elsewhere on {name}"
        );
        assert!(matches!(
            store.use_password_link("invite-hash", "again", monday()).await,
            Err(kept_store::StoreError::NotFound)
        ));

        // A reset by e-mail, then one handed over on the command line: the first stops working.
        store
            .send_password_link(&invited.id, link("reset-1", LinkPurpose::Reset, Some(&olga)))
            .await
            .unwrap();
        store
            .make_password_link(&invited.id, link("reset-2", LinkPurpose::Reset, None))
            .await
            .unwrap();
        assert!(
            store.usable_password_link("reset-1", monday()).await.unwrap().is_none(),
            "{name}"
        );
        let printed = store.usable_password_link("reset-2", monday()).await.unwrap().unwrap();
        assert_eq!(printed.token, None, "a printed link's token is not stored on {name}");
        assert!(
            store
                .send_password_link("nobody", link("x", LinkPurpose::Reset, None))
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn a_password_change_ends_other_sessions_and_changes_count_for_tokens_at_once() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        staff(store, "olga@x.test", Role::Owner).await;
        for hash in ["laptop", "phone"] {
            store.create_session(session(hash, &anna)).await.unwrap();
        }
        let found = store.session("laptop", monday()).await.unwrap().unwrap();
        assert_eq!(
            (found.staff.id.as_str(), found.csrf_token.as_str()),
            (anna.as_str(), "csrf-laptop")
        );
        assert!(
            store
                .session("laptop", monday() + Duration::hours(13))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        store.delete_session("phone").await.unwrap();
        assert!(
            store.session("phone", monday()).await.unwrap().is_none(),
            "logged out on {name}"
        );
        store.create_session(session("tablet", &anna)).await.unwrap();
        store.change_password(&anna, "new-hash", Some("laptop")).await.unwrap();
        assert!(
            store.session("laptop", monday()).await.unwrap().is_some(),
            "this one stays on {name}"
        );
        assert!(
            store.session("tablet", monday()).await.unwrap().is_none(),
            "the other ends on {name}"
        );
        store.set_password(&anna, "newer-hash").await.unwrap();
        assert_eq!(
            store.staff_by_id(&anna).await.unwrap().unwrap().password_hash,
            "newer-hash"
        );
        assert!(
            store.session("laptop", monday()).await.unwrap().is_none(),
            "set_password ends every session"
        );

        let token_id = store
            .add_api_token("token-hash", &anna, "zapier", monday())
            .await
            .unwrap();
        let tokens = store.api_tokens(Some(&anna)).await.unwrap();
        assert_eq!(
            (tokens.len(), tokens[0].id.as_str(), tokens[0].name.as_str()),
            (1, token_id.as_str(), "zapier")
        );
        assert!(store.api_tokens(Some("someone-else")).await.unwrap().is_empty());
        assert_eq!(store.api_tokens(None).await.unwrap().len(), 1);
        // Cached for a few seconds, yet a change on this node counts at once.
        assert_eq!(
            store
                .staff_by_api_token("token-hash", monday())
                .await
                .unwrap()
                .unwrap()
                .lang,
            Lang::Nl
        );
        store.set_staff_lang(&anna, Lang::En).await.unwrap();
        assert_eq!(
            store
                .staff_by_api_token("token-hash", monday())
                .await
                .unwrap()
                .unwrap()
                .lang,
            Lang::En,
            "{name}"
        );
        let renamed = store
            .change_staff(
                &anna,
                StaffChange {
                    name: Some("Anna de Vries".into()),
                    role: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.name, "Anna de Vries");
        assert_eq!(
            store
                .staff_by_api_token("token-hash", monday())
                .await
                .unwrap()
                .unwrap()
                .name,
            "Anna de Vries"
        );
        store.revoke_api_token(&token_id, Some("someone-else")).await.ok();
        assert!(
            store
                .staff_by_api_token("token-hash", monday())
                .await
                .unwrap()
                .is_some(),
            "not theirs to revoke"
        );
        store.revoke_api_token(&token_id, Some(&anna)).await.unwrap();
        assert!(
            store
                .staff_by_api_token("token-hash", monday())
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn settings_are_one_document_with_a_history_of_who_changed_what() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let olga = staff(store, "olga@x.test", Role::Owner).await;
        assert_eq!(store.settings_document().await.unwrap(), None, "never saved on {name}");
        let change = |setting: &str, old: Option<&str>, new: &str| SettingChange {
            setting: setting.into(),
            old_value: old.map(str::to_string),
            new_value: Some(new.into()),
        };
        store
            .save_settings_document(
                r#"{"business":{"name":"Fietsen"}}"#,
                &[change("business.name", None, "\"Fietsen\"")],
                &olga,
                monday(),
            )
            .await
            .unwrap();
        let later = monday() + Duration::hours(1);
        store
            .save_settings_document(
                r#"{"business":{"name":"Fietsen Jansen"}}"#,
                &[change("business.name", Some("\"Fietsen\""), "\"Fietsen Jansen\"")],
                &olga,
                later,
            )
            .await
            .unwrap();
        assert_eq!(
            store.settings_document().await.unwrap().unwrap(),
            r#"{"business":{"name":"Fietsen Jansen"}}"#
        );
        let history = store.settings_changes(10).await.unwrap();
        assert_eq!(history.len(), 2, "{name}");
        assert_eq!(
            (history[0].at, history[0].staff_name.as_deref()),
            (later, Some("olga")),
            "newest first"
        );
        assert_eq!(history[0].change.old_value.as_deref(), Some("\"Fietsen\""));
        assert_eq!(store.settings_changes(1).await.unwrap().len(), 1, "limited on {name}");
    }
}

#[tokio::test]
async fn a_dismissed_tone_finding_is_listed_once_and_can_be_undone() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        store
            .dismiss_finding("generic_greeting", "beste klant", &anna, monday())
            .await
            .unwrap();
        store
            .dismiss_finding("generic_greeting", "beste klant", &anna, monday())
            .await
            .unwrap();
        let dismissed = store.tone_dismissals().await.unwrap();
        assert_eq!(dismissed.len(), 1, "once on {name}");
        assert_eq!(
            (
                dismissed[0].rule.as_str(),
                dismissed[0].excerpt.as_str(),
                dismissed[0].staff_name.as_deref()
            ),
            ("generic_greeting", "beste klant", Some("anna"))
        );
        assert!(store.undo_tone_dismissal(&dismissed[0].id).await.unwrap());
        assert!(
            !store.undo_tone_dismissal(&dismissed[0].id).await.unwrap(),
            "already undone on {name}"
        );
        assert!(store.tone_dismissals().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_mailbox_remembers_how_far_it_imported_and_owners_hear_when_it_fails_for_half_an_hour() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        staff(store, "olga@x.test", Role::Owner).await;
        let key = "imap://kept@mail.test/INBOX";
        assert!(store.mailbox(key).await.unwrap().is_none());
        store.watch_mailbox(key, 7, 100, monday()).await.unwrap();
        store.mailbox_imported(key, 7, 101).await.unwrap();
        store.mailbox_imported(key, 7, 99).await.unwrap();
        store.mailbox_imported(key, 8, 500).await.unwrap();
        let state = store.mailbox(key).await.unwrap().unwrap();
        assert_eq!(
            (state.uid_validity, state.last_uid, state.started_at),
            (7, 101, monday()),
            "{name}"
        );

        let polled = |minutes: i64, error: Option<&str>| Polled {
            now: monday() + Duration::minutes(minutes),
            error: error.map(str::to_string),
            waiting: Some(3),
            fanout: ALL,
        };
        store.mailbox_polled(key, polled(1, None)).await.unwrap();
        let healthy = store.mailbox(key).await.unwrap().unwrap();
        assert_eq!(
            (healthy.fetched_at, healthy.waiting, healthy.error),
            (Some(monday() + Duration::minutes(1)), 3, None)
        );
        let before = store.outbox_counts().await.unwrap().pending;
        for minutes in [2, 20] {
            store
                .mailbox_polled(key, polled(minutes, Some("login failed")))
                .await
                .unwrap();
        }
        assert_eq!(
            store.outbox_counts().await.unwrap().pending,
            before,
            "not yet on {name}"
        );
        for minutes in [33, 40] {
            store
                .mailbox_polled(key, polled(minutes, Some("login failed")))
                .await
                .unwrap();
        }
        assert_eq!(
            store.outbox_counts().await.unwrap().pending,
            before + 1,
            "one alert on {name}"
        );
        let failing = store.mailbox(key).await.unwrap().unwrap();
        assert_eq!(failing.failing_since, Some(monday() + Duration::minutes(2)));
        assert_eq!(failing.error.as_deref(), Some("login failed"));
        // A mailbox never reached has its health recorded too.
        store
            .mailbox_polled("imap://other", polled(5, Some("no route")))
            .await
            .unwrap();
        assert_eq!(store.mailbox("imap://other").await.unwrap().unwrap().uid_validity, -1);
    }
}
