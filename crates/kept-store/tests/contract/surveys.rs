//! Surveys and fans, contracts and their outreach, and the figures: every method of their
//! traits, on both databases.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kept_domain::contract::ContractInput;
use kept_domain::{
    ContractOutcome, ContractStatus, Lang, PromiseKind, PromiseStatus, Role, SurveyKind, SurveyStatus, SurveyTrigger,
};
use kept_store::{
    ImportAction, NewContract, NewInbound, NewRecovery, NewSurvey, Reading, Store, StoreError, SurveyAnswer,
    SurveyFilter,
};

use crate::{ALL, callback, monday, reached, staff, stores};

/// A customer who wrote an e-mail now; their id.
async fn emailing_customer(store: &dyn Store, address: &str, now: DateTime<Utc>) -> String {
    let inbound = NewInbound {
        channel: "email".into(),
        external_id: format!("<{address}-{}>", now.timestamp()),
        handle: format!("email:{address}"),
        name: Some(address.split('@').next().unwrap_or_default().into()),
        text: "Hoe staat het met mijn bestelling?".into(),
        subject: Some("Bestelling".into()),
        thread: Vec::new(),
        needs_reply: true,
        sent_at: now,
        frustration: 0,
        reply_due: now + Duration::hours(4),
        now,
        fanout: ALL,
        attachments: Vec::new(),
    };
    store.record_inbound(inbound).await.unwrap().customer_id
}

fn survey(customer_id: &str, kind: SurveyKind, about: Option<&str>, handler: Option<&str>) -> NewSurvey {
    NewSurvey {
        customer_id: customer_id.into(),
        kind,
        trigger: SurveyTrigger::Callback,
        about_id: about.map(str::to_string),
        handler_id: handler.map(str::to_string),
        email: "jan@example.nl".into(),
        name: Some("Jan".into()),
        lang: Lang::Nl,
        send_at: monday() + Duration::hours(1),
        cap: Duration::days(30),
        now: monday(),
    }
}

fn answer(score: i64, recovery: Option<NewRecovery>, now: DateTime<Utc>) -> SurveyAnswer {
    SurveyAnswer {
        score: Some(score),
        reason: (score < 3).then(|| "te laat".to_string()),
        comment: Some("opmerking".into()),
        recovery,
        now,
        fanout: ALL,
    }
}

#[tokio::test]
async fn a_survey_is_planned_once_sent_reminded_answered_and_a_low_score_gets_a_recovery_call() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let request = store.create_callback(callback("+31612345678", monday())).await.unwrap();
        assert_eq!(
            store.handled_by(SurveyTrigger::Callback, &request.id).await.unwrap(),
            None
        );
        let reached = reached(&request.id, &anna, None, monday());
        store.record_outcome(reached).await.unwrap();
        let handler = store.handled_by(SurveyTrigger::Callback, &request.id).await.unwrap();
        assert_eq!(
            handler.as_deref(),
            Some(anna.as_str()),
            "who reached the customer on {name}"
        );

        let customer = request.customer_id.clone();
        let planned = survey(&customer, SurveyKind::Csat, Some(&request.id), Some(&anna));
        let id = store.plan_survey(planned.clone()).await.unwrap().expect("planned");
        assert_eq!(
            store.plan_survey(planned).await.unwrap(),
            None,
            "asked once within the cap on {name}"
        );
        assert_eq!(store.survey(&id).await.unwrap().unwrap().status, SurveyStatus::Planned);

        let remind_after = Duration::days(3);
        assert_eq!(
            store.send_due_surveys(monday(), remind_after, ALL).await.unwrap(),
            0,
            "{name}"
        );
        let sent_at = monday() + Duration::hours(1);
        assert_eq!(
            store.send_due_surveys(sent_at, remind_after, ALL).await.unwrap(),
            1,
            "{name}"
        );
        assert_eq!(
            store.send_due_surveys(sent_at, remind_after, ALL).await.unwrap(),
            0,
            "once on {name}"
        );
        let reminder = sent_at + remind_after;
        assert_eq!(
            store.send_due_surveys(reminder, remind_after, ALL).await.unwrap(),
            1,
            "reminded on {name}"
        );
        let sent = store.survey(&id).await.unwrap().unwrap();
        assert_eq!(
            (sent.status, sent.sent_at, sent.reminded_at),
            (SurveyStatus::Sent, Some(sent_at), Some(reminder))
        );

        let recovery = NewRecovery {
            owner_id: Some(anna.clone()),
            due_at: reminder + Duration::hours(4),
        };
        let answered = store
            .answer_survey(&id, answer(2, Some(recovery), reminder))
            .await
            .unwrap();
        assert_eq!((answered.status, answered.score), (SurveyStatus::Answered, Some(2)));
        assert_eq!(
            answered.recovery_status,
            Some(PromiseStatus::Open),
            "a recovery call on {name}"
        );
        let low = SurveyFilter {
            status: None,
            kind: Some(SurveyKind::Csat),
            customer_id: Some(customer.clone()),
            max_score: Some(3),
            limit: 10,
        };
        assert_eq!(store.surveys(&low).await.unwrap().len(), 1, "{name}");
        let planned_only = SurveyFilter {
            status: Some(SurveyStatus::Planned),
            ..low
        };
        assert!(store.surveys(&planned_only).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_customer_who_rates_us_highest_is_a_fan_until_thanked_and_nps_asks_those_in_touch() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let fan = emailing_customer(store, "fan@example.nl", monday()).await;
        let critic = emailing_customer(store, "critic@example.nl", monday()).await;
        let quiet = emailing_customer(store, "quiet@example.nl", monday()).await;
        let now = monday() + Duration::days(1);
        let due: Vec<String> = store
            .nps_due(now, Duration::days(90), Duration::days(30), 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 3, "all three were in touch on {name}");
        for (customer, score) in [(&fan, 5), (&critic, 2)] {
            let id = store
                .plan_survey(survey(customer, SurveyKind::Csat, None, Some(&anna)))
                .await
                .unwrap()
                .unwrap();
            store.send_due_surveys(now, Duration::days(3), ALL).await.unwrap();
            store.answer_survey(&id, answer(score, None, now)).await.unwrap();
        }
        let due = store
            .nps_due(now, Duration::days(90), Duration::days(30), 10)
            .await
            .unwrap();
        assert_eq!(
            due,
            vec![quiet.clone()],
            "those asked anything within the cap wait on {name}"
        );

        let fans = store.fans(now, Duration::zero(), 10).await.unwrap();
        assert_eq!(
            fans.iter().map(|f| f.customer_id.as_str()).collect::<Vec<_>>(),
            [fan.as_str()],
            "{name}"
        );
        assert!(
            store.fans(now, Duration::days(365), 10).await.unwrap().is_empty(),
            "customers for a day"
        );
        store
            .thank_fan(&fan, &anna, Some("kaartje gestuurd"), now)
            .await
            .unwrap();
        let thanked = &store.fans(now, Duration::zero(), 10).await.unwrap()[0];
        assert_eq!(
            (thanked.thanked_at, thanked.thanked_note.as_deref()),
            (Some(now), Some("kaartje gestuurd"))
        );
        let unknown = store.thank_fan("nobody", &anna, None, now).await;
        assert!(matches!(unknown, Err(StoreError::NotFound)), "{name}");
    }
}

fn contract(external_id: &str, email: &str, end: NaiveDate) -> NewContract {
    NewContract {
        input: ContractInput {
            external_id: external_id.into(),
            customer_name: Some("Jan Jansen".into()),
            customer_email: Some(email.into()),
            customer_phone: None,
            product: "Onderhoud e-bike".into(),
            start_date: NaiveDate::from_ymd_opt(2026, 2, 1),
            end_date: end,
            value_cents: Some(12_000),
        },
        outreach_at: monday() + Duration::days(1),
    }
}

#[tokio::test]
async fn contracts_import_all_or_nothing_get_one_outreach_each_and_end_renewed_or_left() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let olga = staff(store, "olga@x.test", Role::Owner).await;
        let january = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        let march = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let file = [
            contract("K-1", "jan@example.nl", january),
            contract("K-2", "piet@example.nl", march),
        ];
        let counts = store.import_contracts(&file, monday()).await.unwrap();
        assert_eq!((counts.created, counts.updated, counts.unchanged), (2, 0, 0), "{name}");
        let changed = [
            contract("K-1", "jan@example.nl", january),
            contract("K-2", "piet@example.nl", january),
        ];
        let preview = store.preview_contracts(&changed, monday()).await.unwrap();
        assert_eq!(preview, [ImportAction::Unchanged, ImportAction::Update], "{name}");
        assert_eq!(
            store.contract_by_external_id("K-2").await.unwrap().unwrap().end_date,
            march,
            "a preview writes nothing"
        );
        let counts = store.import_contracts(&changed, monday()).await.unwrap();
        assert_eq!((counts.created, counts.updated, counts.unchanged), (0, 1, 1), "{name}");

        let k1 = store.contract_by_external_id("K-1").await.unwrap().unwrap();
        assert_eq!(store.contract(&k1.id).await.unwrap().unwrap().external_id, "K-1");
        assert_eq!(store.contracts(Some(january), None).await.unwrap().len(), 2);
        assert_eq!(
            store.contracts(None, Some(&k1.customer_id)).await.unwrap().len(),
            1,
            "{name}"
        );

        let due_at = monday() + Duration::days(3);
        assert_eq!(
            store.open_due_outreach(monday(), due_at, Some(&olga)).await.unwrap(),
            0,
            "{name}"
        );
        let tuesday = monday() + Duration::days(1);
        assert_eq!(
            store.open_due_outreach(tuesday, due_at, Some(&olga)).await.unwrap(),
            2,
            "{name}"
        );
        assert_eq!(
            store.open_due_outreach(tuesday, due_at, Some(&olga)).await.unwrap(),
            0,
            "once each on {name}"
        );
        let k1 = store.contract(&k1.id).await.unwrap().unwrap();
        assert_eq!(
            (k1.outreach_status, k1.outreach_owner.as_deref()),
            (Some(PromiseStatus::Open), Some(olga.as_str()))
        );

        let outcome = |outcome, minutes| kept_store::ContractChange {
            outcome,
            note: Some("gebeld".into()),
            staff_id: olga.clone(),
            now: tuesday + Duration::minutes(minutes),
            again_at: None,
        };
        let renewed = store
            .record_contract_outcome(&k1.id, outcome(ContractOutcome::Renewed, 1))
            .await
            .unwrap();
        assert_eq!(
            (renewed.status, renewed.outreach_status),
            (ContractStatus::Renewed, Some(PromiseStatus::Kept))
        );
        let k2 = store.contract_by_external_id("K-2").await.unwrap().unwrap();
        store
            .record_contract_outcome(&k2.id, outcome(ContractOutcome::Left, 2))
            .await
            .unwrap();
        let finished: Vec<String> = store
            .finished_contracts(10)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.external_id)
            .collect();
        assert_eq!(finished, ["K-2", "K-1"], "most recent first on {name}");
        assert!(
            store.contracts(None, None).await.unwrap().is_empty(),
            "none running any more on {name}"
        );
    }
}

#[tokio::test]
async fn the_figures_read_the_periods_promises_and_the_weekly_email_is_claimed_once() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let request = store.create_callback(callback("+31612345678", monday())).await.unwrap();
        let week = (monday() - Duration::hours(9), monday() + Duration::days(7));
        let facts = store.insight_facts(week.0, week.1, None, Reading::Whole).await.unwrap();
        assert_eq!(facts.promises.len(), 1, "{name}");
        assert_eq!(
            (facts.promises[0].kind, facts.promises[0].status),
            (PromiseKind::Callback, PromiseStatus::Open)
        );
        let someone_else = store
            .insight_facts(week.0, week.1, Some("nobody"), Reading::Comparison)
            .await
            .unwrap();
        assert!(someone_else.promises.is_empty(), "narrowed to a person on {name}");
        let before = store
            .insight_facts(week.0 - Duration::days(7), week.0, None, Reading::Whole)
            .await
            .unwrap();
        assert!(before.promises.is_empty());

        let names = store
            .customer_names(&[request.customer_id.clone(), "nobody".into()])
            .await
            .unwrap();
        assert_eq!(
            names.get(&request.customer_id).map(String::as_str),
            Some("Jan"),
            "{name}"
        );
        assert_eq!(names.len(), 1);

        let monday_date = monday().date_naive();
        assert!(
            store
                .claim_weekly_digest(monday_date, std::slice::from_ref(&anna), monday(), ALL)
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_weekly_digest(monday_date, &[anna], monday(), ALL)
                .await
                .unwrap(),
            "once on {name}"
        );
        let queued = store.claim_outbox(monday(), Duration::minutes(5), 100).await.unwrap();
        let digest = queued
            .iter()
            .find(|i| i.event == kept_domain::OutboxEvent::InsightsDigest)
            .expect("queued");
        assert_eq!(
            store.weekly_digest_week(&digest.subject_id).await.unwrap(),
            Some(monday_date),
            "{name}"
        );
        assert_eq!(store.weekly_digest_week("nothing").await.unwrap(), None);
    }
}
