//! Demo data, so that a newcomer has something to click on at once.

use anyhow::Context;
use chrono::Duration;
use kept_domain::{CallbackInput, Clock, Lang, Role, SystemClock};
use kept_server::Settings;
use kept_server::auth::{hash_password, new_token};
use kept_store::{Fanout, NewCallback, NewInbound, NewStaff, Store};

const OWNER: &str = "owner@demo.kept.invalid";
const AGENT: &str = "sanne@demo.kept.invalid";

/// Creates the demo staff (or gives them a new password) and, on a fresh database, a few
/// open callback requests. Prints how to log in.
pub async fn seed(store: &dyn Store, settings: &Settings) -> anyhow::Result<()> {
    let password = new_token()[..16].to_string();
    let hash = hash_password(&password)?;
    let now = SystemClock.now();
    let fresh = store.list_staff().await?.is_empty();
    for (email, name, role) in [(OWNER, "Olga Owner", Role::Owner), (AGENT, "Sanne Agent", Role::Agent)] {
        match store.staff_by_email(email).await? {
            Some(existing) => store.set_password(&existing.id, &hash).await?,
            None => {
                store
                    .add_staff(NewStaff {
                        email: email.into(),
                        name: name.into(),
                        role,
                        lang: Lang::Nl,
                        password_hash: hash.clone(),
                        now,
                    })
                    .await?;
            }
        }
    }
    if fresh {
        add_sample_requests(store, settings).await?;
        add_sample_conversations(store, settings).await?;
        add_sample_templates(store).await?;
    }
    println!();
    println!("  kept demo is ready: http://{}/staff", settings.listen);
    println!("  customer form:      http://{}/callback", settings.listen);
    println!("  log in as {OWNER} or {AGENT}");
    println!("  password (both):    {password}");
    println!();
    Ok(())
}

async fn add_sample_requests(store: &dyn Store, settings: &Settings) -> anyhow::Result<()> {
    let business = &settings.business;
    let samples = [
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
    for (phone, name, window, note, minutes_ago) in samples {
        let input = CallbackInput {
            phone: Some(phone.into()),
            name: Some(name.into()),
            window: Some(window.into()),
            note: Some(note.into()),
            ..Default::default()
        };
        let valid = input
            .validate(&business.windows, &business.default_region, Lang::Nl)
            .map_err(|errors| anyhow::anyhow!("demo sample invalid: {errors:?}"))?;
        let at = SystemClock.now() + Duration::minutes(minutes_ago);
        let window = valid.window.schedule(&business.hours, at);
        store
            .create_callback(NewCallback {
                phone: valid.phone,
                name: valid.name,
                window_code: valid.window.code,
                note: valid.note,
                lang: valid.lang,
                not_before: window.not_before,
                due_at: window.due_at,
                now: at,
                fanout: Fanout::default(),
            })
            .await
            .context("adding demo callback requests")?;
    }
    Ok(())
}

/// Messages on e-mail and chat waiting for an answer (one from a frustrated customer).
async fn add_sample_conversations(store: &dyn Store, settings: &Settings) -> anyhow::Result<()> {
    let samples = [
        (
            "email",
            "email:jan@example.nl",
            "Jan Jansen",
            Some("Mijn fiets"),
            "Goedemorgen,\n\nIk wacht nu al twee weken op mijn fiets en niemand belt terug. Dit is echt belachelijk.\n\nJan",
            -90,
        ),
        (
            "email",
            "email:fatima@example.nl",
            "Fatima el Amrani",
            Some("Factuur 2026-118"),
            "Hallo,\n\nOp mijn factuur staat twee keer een nieuwe ketting. Kunt u dat nakijken?\n\nGroet, Fatima",
            -30,
        ),
        (
            "chat",
            "chat:@peter",
            "Peter de Vries",
            None,
            "Do you also repair electric bikes? Mine makes a clicking noise.",
            -5,
        ),
    ];
    for (channel, handle, name, subject, text, minutes_ago) in samples {
        let now = SystemClock.now() + Duration::minutes(minutes_ago);
        let message = NewInbound {
            channel: channel.into(),
            external_id: format!("demo-{}", kept_domain::new_id()),
            handle: handle.into(),
            name: Some(name.into()),
            text: text.into(),
            subject: subject.map(str::to_string),
            thread: Vec::new(),
            needs_reply: true,
            sent_at: now,
            frustration: 0,
            reply_due: now,
            now,
            fanout: Fanout::default(),
            attachments: Vec::new(),
        };
        store
            .record_inbound(kept_server::service::with_due_time_and_mood(settings, message))
            .await
            .context("adding demo messages")?;
    }
    Ok(())
}

async fn add_sample_templates(store: &dyn Store) -> anyhow::Result<()> {
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
        store
            .save_reply_template(name, body, SystemClock.now())
            .await
            .context("adding demo reply templates")?;
    }
    Ok(())
}
