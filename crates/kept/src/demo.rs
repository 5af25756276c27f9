//! Demo data, so that a newcomer has something to click on at once.

use std::sync::Arc;

use chrono::Duration;
use kept_app::auth::new_token;
use kept_app::operator::{self, Member};
use kept_app::{self as app, MailSource};
use kept_app::{App, Settings};
use kept_domain::conversation::{FromInput, InboundInput};
use kept_domain::{CallOutcome, CallbackInput, Clock, Lang, ManualClock, Role, SystemClock};
use kept_server::AppState;

const OWNER: &str = "owner@demo.kept.invalid";
const AGENT: &str = "sanne@demo.kept.invalid";

/// Makes every demo conversation answerable without other servers: e-mail (when no SMTP server
/// is configured) is written to `kept-data/demo-mail/` as .eml files, and replies on the demo's
/// chat go to kept's own demo chat sink (`Settings::demo`; kept-server sets its address).
pub fn configure(settings: &mut Settings) {
    settings.demo = true;
    if settings.smtp_url.is_none() {
        settings.smtp_url = Some("file://kept-data/demo-mail".into());
    }
    if settings.webhook_secret.is_none() {
        settings.webhook_secret = Some(new_token());
    }
}

/// Creates the demo staff (or gives them a new password) and, on a fresh database, a few
/// open callback requests. Prints how to log in.
pub async fn seed(app: &App, settings: &Settings) -> anyhow::Result<()> {
    let password = new_token()[..16].to_string();
    let fresh = app::team(app).await?.is_empty();
    for (email, name, role) in [(OWNER, "Olga Owner", Role::Owner), (AGENT, "Sanne Agent", Role::Agent)] {
        let member = Member {
            email,
            name,
            role,
            lang: Lang::Nl,
            password: &password,
        };
        operator::add_or_renew(app, member).await?;
    }
    if fresh {
        add_samples(app).await?;
    }
    println!();
    println!("  kept demo is ready: http://{}/staff", settings.listen);
    println!("  customer form:      http://{}/callback", settings.listen);
    println!("  log in as {OWNER} or {AGENT}");
    println!("  password (both):    {password}");
    println!();
    Ok(())
}

/// The sample data goes through the same use cases as real data, each at its own moment of
/// an injected clock, so the demo shows what kept really does with it.
async fn add_samples(app: &App) -> anyhow::Result<()> {
    let start = SystemClock.now();
    let clock = Arc::new(ManualClock::new(start));
    // A whole node's state, so replies written in the past weeks are also sent (to the demo's
    // mail folder) as they would have been.
    let state = AppState::new(app.with_clock(clock.clone())).map_err(|e| anyhow::anyhow!(e))?;
    add_callbacks(&state, &clock, start).await?;
    add_waiting_messages(&state, &clock, start).await?;
    clock.set(start);
    add_templates(&state).await?;
    add_history(&state, &clock, start)
        .await
        .map_err(|e| anyhow::anyhow!("adding the demo's past weeks: {e}"))?;
    clock.set(start);
    add_appointments(&state, &clock, start)
        .await
        .map_err(|e| anyhow::anyhow!("adding demo appointments: {e}"))?;
    add_contracts(&state, start)
        .await
        .map_err(|e| anyhow::anyhow!("adding demo contracts: {e}"))
}

/// Three callback requests: one just now, one twenty minutes ago, one hours ago.
async fn add_callbacks(
    state: &AppState,
    clock: &ManualClock,
    start: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let requests = [
        (
            "06 12345678",
            "Jan Jansen",
            "asap",
            "Mijn fiets is nog niet klaar, wanneer kan ik hem ophalen?",
            0,
        ),
        (
            "+31 20 123 4567",
            "Fatima el Amrani",
            "office",
            "Vraag over mijn factuur",
            -20,
        ),
        ("0031687654321", "Peter de Vries", "evening", "", -200),
    ];
    for (phone, name, window, note, minutes_ago) in requests {
        clock.set(start + Duration::minutes(minutes_ago));
        let input = CallbackInput {
            phone: Some(phone.into()),
            name: Some(name.into()),
            window: Some(window.into()),
            note: Some(note.into()),
            ..Default::default()
        };
        app::accept_callback(state, &input, Lang::Nl)
            .await
            .map_err(|e| anyhow::anyhow!("adding demo callback requests: {e}"))?;
    }
    Ok(())
}

/// Messages waiting for an answer: two e-mails (one from a frustrated customer) and a chat.
async fn add_waiting_messages(
    state: &AppState,
    clock: &ManualClock,
    start: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let emails = [
        (
            "Jan Jansen <jan@example.nl>",
            "Mijn fiets",
            "Goedemorgen,\r\n\r\nIk wacht nu al twee weken op mijn fiets en niemand belt terug. Dit is echt belachelijk.\r\n\r\nJan",
            -90,
        ),
        (
            "Fatima el Amrani <fatima@example.nl>",
            "Factuur 2026-118",
            "Hallo,\r\n\r\nOp mijn factuur staat twee keer een nieuwe ketting. Kunt u dat nakijken?\r\n\r\nGroet, Fatima",
            -30,
        ),
    ];
    for (from, subject, body, minutes_ago) in emails {
        clock.set(start + Duration::minutes(minutes_ago));
        let raw = format!(
            "From: {from}\r\nTo: winkel@demo.kept.invalid\r\nSubject: {subject}\r\nMessage-ID: <demo-{}@demo.kept.invalid>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
            kept_domain::new_id()
        );
        app::accept_email(state, raw.as_bytes(), MailSource::Http)
            .await
            .map_err(|e| anyhow::anyhow!("adding demo e-mail: {e}"))?;
    }
    clock.set(start + Duration::minutes(-5));
    let chat = InboundInput {
        channel: Some("chat".into()),
        external_id: Some(format!("demo-{}", kept_domain::new_id())),
        from: Some(FromInput {
            handle: Some("@peter".into()),
            name: Some("Peter de Vries".into()),
        }),
        text: Some("Do you also repair electric bikes? Mine makes a clicking noise.".into()),
        sent_at: None,
    };
    app::accept_inbound(state, &chat)
        .await
        .map_err(|e| anyhow::anyhow!("adding a demo chat message: {e}"))?;
    Ok(())
}

/// Two saved replies to start from.
async fn add_templates(state: &AppState) -> anyhow::Result<()> {
    let templates = [
        (
            "Fiets klaar",
            "{{ greeting }}\n\nUw fiets is klaar; u kunt hem ophalen tijdens onze openingstijden.\n\nMet vriendelijke groet,\n{{ staff.first_name }}, {{ business.name }}",
        ),
        (
            "We zoeken het uit",
            "{{ greeting }}\n\nDank u voor uw bericht. Ik zoek het voor u uit en u hoort uiterlijk {{ promise.due }} van mij.\n\nMet vriendelijke groet,\n{{ staff.first_name }}, {{ business.name }}",
        ),
    ];
    for (name, body) in templates {
        app::save_template(state, name, body)
            .await
            .map_err(|e| anyhow::anyhow!("adding demo reply templates: {e}"))?;
    }
    Ok(())
}

/// The past two weeks, so the figures have something to show: each working day a callback
/// (called back after 12 to 150 opening minutes — the slowest too late) and an e-mail (answered
/// after 40 minutes to a day), the same few customers coming back.
async fn add_history(
    state: &AppState,
    clock: &ManualClock,
    start: chrono::DateTime<chrono::Utc>,
) -> Result<(), kept_app::error::AppError> {
    let hours = state.settings().business.hours.clone();
    let (owner, agent) = (
        kept_app::staff_by_email(state, OWNER).await?,
        kept_app::staff_by_email(state, AGENT).await?,
    );
    let (Some(owner), Some(agent)) = (owner, agent) else {
        return Ok(());
    };
    let customers = [
        ("06 11223344", "Kees Bakker", "kees@example.nl"),
        ("06 22334455", "Anouk Visser", "anouk@example.nl"),
        ("06 33445566", "Ruben Smit", "ruben@example.nl"),
    ];
    let call_after = [12, 35, 70, 150];
    let answer_after = [40, 300, 1500];
    let today = hours.local_date(start);
    let at = |day, h, m| hours.instant(day, chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
    for (n, days_ago) in (1..=14).rev().enumerate() {
        let day = today - Duration::days(days_ago);
        if !hours.is_working_day(day) {
            continue;
        }
        let (phone, name, email) = customers[n % customers.len()];
        let (caller, writer) = if n % 2 == 0 { (&owner, &agent) } else { (&agent, &owner) };
        clock.set(at(day, 10, 0));
        let input = CallbackInput {
            phone: Some(phone.into()),
            name: Some(name.into()),
            window: Some("asap".into()),
            ..Default::default()
        };
        let accepted = app::accept_callback(state, &input, Lang::Nl).await?;
        clock.set(at(day, 10, 0) + Duration::minutes(call_after[n % call_after.len()]));
        app::record_outcome(state, caller, &accepted.callback.id, CallOutcome::Reached, None).await?;

        clock.set(at(day, 13, 0));
        let raw = format!(
            "From: {name} <{email}>\r\nTo: winkel@demo.kept.invalid\r\nSubject: Vraag over mijn fiets\r\n\
             Message-ID: <demo-{}@demo.kept.invalid>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Hallo, wanneer kan ik mijn fiets ophalen?\r\n",
            kept_domain::new_id()
        );
        let mail = app::accept_email(state, raw.as_bytes(), MailSource::Http).await?;
        if let app::EmailAccepted::Stored(stored) = mail {
            clock.set(at(day, 13, 0) + Duration::minutes(answer_after[n % answer_after.len()]));
            let answer = "Uw fiets staat klaar; u kunt hem vandaag ophalen.";
            app::reply(
                state,
                writer,
                &stored.conversation_id,
                answer,
                &app::CommitmentChoices::default(),
            )
            .await?;
            // Sent at once (to the demo's mail folder): the reply keeps its promise, and the
            // customer's next e-mail makes a new one.
            kept_server::workers::deliver_due(state).await;
        }
    }
    Ok(())
}

/// Two service contracts, one ending within weeks (its outreach call is due at once), one next
/// year; imported as the owner would import a file.
async fn add_contracts(state: &App, start: chrono::DateTime<chrono::Utc>) -> Result<(), kept_app::error::AppError> {
    let owner = kept_app::staff_by_email(state, OWNER)
        .await?
        .ok_or(kept_app::error::AppError::NotFound)?;
    let ends = |days: i64| (start + Duration::days(days)).date_naive();
    let file = format!(
        "external_id,customer_name,customer_email,customer_phone,product,start_date,end_date,value_per_year\n\
         DEMO-1,Jan Jansen,,06 12345678,Onderhoudsabonnement,2022-03-01,{},\"149,00\"\n\
         DEMO-2,Marieke de Wit,marieke@example.nl,,Fietslease,2024-06-15,{},\"780,00\"\n",
        ends(30),
        ends(400)
    );
    app::import_contracts(state, &owner, file.as_bytes()).await?;
    app::open_outreach(state).await?;
    Ok(())
}

/// A shop with a check-up at the counter and repairs at home, and the first customers expected
/// on the next day the shop is open (booked three days ago).
async fn add_appointments(
    state: &App,
    clock: &ManualClock,
    start: chrono::DateTime<chrono::Utc>,
) -> Result<(), kept_app::error::AppError> {
    let owner = kept_app::staff_by_email(state, OWNER)
        .await?
        .ok_or(kept_app::error::AppError::NotFound)?;
    let (location, check_up, repair) = demo_shop(state, &owner).await?;
    clock.set(start - Duration::days(3));
    let today = location.hours.local_date(start);
    let mut day = today;
    let slots = loop {
        let free = app::free_slots(state, &location.id, &check_up.id, day).await?;
        if free.len() > 6 || day > today + Duration::days(14) {
            break free;
        }
        day += Duration::days(1);
    };
    let customers = [
        ("Henk Reichardt", "henk@example.nl", "06 11112222", 2, &check_up, None),
        (
            "Fatima el Amrani",
            "fatima@example.nl",
            "+31 20 123 4567",
            6,
            &check_up,
            None,
        ),
        (
            "Jan Jansen",
            "jan@example.nl",
            "06 12345678",
            4,
            &repair,
            Some("Lange Nieuwstraat 12, Utrecht"),
        ),
    ];
    for (name, email, phone, slot, service, address) in customers {
        let Some(at) = slots.get(slot) else { continue };
        let input = kept_domain::BookingInput {
            location: Some(location.id.clone()),
            service: Some(service.id.clone()),
            start: Some(at.start.to_rfc3339()),
            name: Some(name.into()),
            email: Some(email.into()),
            phone: Some(phone.into()),
            address: address.map(String::from),
            ..Default::default()
        };
        // A taken or unsuitable time only means one demo appointment fewer.
        if let Err(error) = app::book(state, &input, Lang::Nl).await {
            tracing::info!(%error, "a demo appointment was left out");
        }
    }
    clock.set(start);
    Ok(())
}

/// The shop's counter and its two services: a check-up there, a repair at the customer's home.
async fn demo_shop(
    state: &App,
    owner: &kept_app::records::Staff,
) -> Result<
    (
        kept_app::records::Location,
        kept_app::records::Service,
        kept_app::records::Service,
    ),
    kept_app::error::AppError,
> {
    let shop = app::LocationForm {
        name: "Winkel Centrum".into(),
        address: "Oudegracht 1, Utrecht".into(),
        ..Default::default()
    };
    let location = app::save_location(state, owner, None, &shop).await?;
    let check_up = app::ServiceForm {
        name_nl: "Fietscontrole".into(),
        name_en: "Bike check-up".into(),
        duration_minutes: 30,
        buffer_after_minutes: 10,
        location_ids: vec![location.id.clone()],
        ..Default::default()
    };
    let check_up = app::save_service(state, owner, None, &check_up).await?;
    let repair = app::ServiceForm {
        name_nl: "Reparatie aan huis".into(),
        name_en: "Repair at home".into(),
        duration_minutes: 60,
        field_visit: true,
        visit_window_minutes: Some(120),
        location_ids: vec![location.id.clone()],
        ..Default::default()
    };
    let repair = app::save_service(state, owner, None, &repair).await?;
    Ok((location, check_up, repair))
}
