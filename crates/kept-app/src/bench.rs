//! The benchmarks' data (`kept bench …`): a generator of realistic customer messages written
//! straight through the store at full speed, a shop's appointments, and a search latency run
//! over typical queries. scripts/bench-messages and scripts/bench-appointments drive them and
//! measure the HTTP side on top. Not a use case: a tool for measuring, kept here because only
//! this crate may reach the store.

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use kept_domain::search::SearchQuery;
use kept_store::{Fanout, NewInbound, SearchFilter, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::{App, Settings};

/// One location open 08:00–20:00 every day, a 30-minute service anyone does, `staff` people,
/// and `count` appointments spread over the next 60 days (every other free time, from the
/// morning on).
pub async fn fill_appointments(app: &App, count: usize, staff: usize) -> anyhow::Result<()> {
    use kept_store::{NewAppointment, NewTime};
    let store = app.store.as_ref();
    let now = Utc::now();
    let (location, service) = bench_shop(store, staff, now).await?;
    let per_day = count.div_ceil(60);
    let mut booked = 0;
    let today = location.hours.local_date(now);
    for offset in 1..=60 {
        let date = today + Duration::days(offset);
        let mut on_this_day = 0;
        // Each pass books every other free time once; later passes fill in the other staff.
        while on_this_day < per_day && booked < count {
            let wanted = (per_day - on_this_day).min(count - booked);
            let slots = free_slots_on(store, &location, &service, date, now).await?;
            let picks: Vec<_> = slots.into_iter().step_by(2).take(wanted).collect();
            if picks.is_empty() {
                break;
            }
            for slot in picks {
                let booking = NewAppointment {
                    location_id: location.id.clone(),
                    service_id: service.id.clone(),
                    time: NewTime {
                        occupies: service.rules().occupies(slot.start),
                        staff_ids: slot.staff_ids,
                        start: slot.start,
                        end: slot.end,
                        reminders: Vec::new(),
                        call_ahead_due: None,
                        now,
                        fanout: Fanout::default(),
                    },
                    name: format!("Klant {booked}"),
                    email: format!("klant{booked}@bench.kept.invalid"),
                    phone: None,
                    note: None,
                    address: None,
                    lang: kept_domain::Lang::Nl,
                };
                store.book(booking).await?;
                booked += 1;
                on_this_day += 1;
            }
        }
    }
    println!("location={} service={} appointments={booked}", location.id, service.id);
    Ok(())
}

/// The benchmark's shop: `staff` people, one location open 08:00–20:00 every day, and a
/// 30-minute service anyone does there.
async fn bench_shop(
    store: &dyn Store,
    staff: usize,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<(kept_store::Location, kept_store::Service)> {
    use kept_domain::booking::parse_week;
    use kept_store::{LocationInput, ServiceInput};
    for n in 0..staff {
        let person = kept_store::NewStaff {
            email: format!("bench{n}@bench.kept.invalid"),
            name: format!("Bench {n}"),
            role: kept_domain::Role::Agent,
            lang: kept_domain::Lang::Nl,
            // Not a password anyone can log in with, but not an invitation either: they take work.
            password_hash: "bench".into(),
            now,
        };
        store.add_staff(person).await?;
    }
    let every_day = kept_domain::booking::DAY_KEYS.map(|day| (day, "08:00-20:00"));
    let week = parse_week(every_day).map_err(|(day, e)| anyhow::anyhow!("{day}: {e}"))?;
    let location = LocationInput {
        name: "Bench".into(),
        address: "Benchstraat 1".into(),
        time_zone: chrono_tz::Europe::Amsterdam,
        week,
        closed_days: Default::default(),
        active: true,
    };
    let location = store.add_location(location, now).await?;
    let service = ServiceInput {
        name_nl: "Afspraak".into(),
        name_en: "Appointment".into(),
        duration_minutes: 30,
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        min_notice_minutes: 0,
        horizon_days: 60,
        field_visit: false,
        visit_window_minutes: None,
        call_ahead_minutes: 30,
        location_ids: vec![location.id.clone()],
        staff_ids: Vec::new(),
        active: true,
    };
    let service = store.add_service(service, now).await?;
    Ok((location, service))
}

/// The free times of `service` at `location` on `date`, from what is booked now.
async fn free_slots_on(
    store: &dyn Store,
    location: &kept_store::Location,
    service: &kept_store::Service,
    date: chrono::NaiveDate,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<Vec<kept_domain::booking::Slot>> {
    let midnight = location.hours.instant(date, chrono::NaiveTime::MIN);
    let facts = store
        .booking_facts(
            &location.id,
            &service.id,
            midnight - Duration::days(1),
            midnight + Duration::days(2),
        )
        .await?
        .context("the bench location and service")?;
    let rules = service.rules();
    let at = kept_domain::booking::Availability {
        location: &facts.location.hours,
        service: &rules,
        staff: &facts.staff,
        busy: &facts.busy,
        now,
    };
    Ok(at.free_slots(date))
}

const NL_SENTENCES: &[&str] = &[
    "Mijn {thing} is kapot en ik heb hem pas drie weken.",
    "Wanneer is mijn {thing} klaar?",
    "Ik heb een vraag over de factuur voor de {thing}.",
    "Kan ik een afspraak maken om de {thing} te laten nakijken?",
    "De {thing} maakt een vreemd geluid bij het remmen.",
    "Valt de reparatie van de {thing} onder de garantie?",
    "Ik wacht al een week op antwoord, dit is belachelijk.",
    "Bedankt voor de snelle hulp met de {thing}!",
    "Kunt u mij terugbellen over de {thing}?",
    "De nieuwe {thing} past niet op mijn fiets.",
];
const EN_SENTENCES: &[&str] = &[
    "My {thing} broke after two weeks.",
    "When will my {thing} be ready?",
    "I have a question about the invoice for the {thing}.",
    "Can I book an appointment to have the {thing} checked?",
    "Is the repair of the {thing} covered by the warranty?",
    "I have been waiting for a week, this is ridiculous.",
    "Thanks for the quick help with the {thing}!",
    "Could you call me back about the {thing}?",
];
const NL_THINGS: &[&str] = &[
    "fiets",
    "e-bike",
    "accu",
    "ketting",
    "band",
    "versnelling",
    "rem",
    "bagagedrager",
    "verlichting",
    "zadel",
];
const EN_THINGS: &[&str] = &[
    "bike", "battery", "chain", "tyre", "gears", "brakes", "rack", "lights", "saddle",
];
const FIRST_NAMES: &[&str] = &[
    "Jan", "Sanne", "Fatima", "Peter", "Anouk", "Mohammed", "Lotte", "Daan", "Emma", "Sem", "Julia", "Noah",
];
const LAST_NAMES: &[&str] = &[
    "Jansen",
    "de Vries",
    "el Amrani",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Yilmaz",
];

fn message_text(rng: &mut StdRng) -> String {
    let dutch = rng.gen_bool(0.75);
    let (sentences, things) = if dutch {
        (NL_SENTENCES, NL_THINGS)
    } else {
        (EN_SENTENCES, EN_THINGS)
    };
    let count = rng.gen_range(1..=3);
    (0..count)
        .map(|_| {
            let sentence = sentences.choose(rng).copied().unwrap_or_default();
            sentence.replace("{thing}", things.choose(rng).copied().unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How often the customer of long standing (`klant0`) writes.
const LONG_HISTORY_EVERY: u64 = 1000;

fn generated_message(rng: &mut StdRng, settings: &Settings, number: u64, customers: u64) -> NewInbound {
    let customer = rng.gen_range(0..customers);
    // One customer of long standing writes every thousandth message (a thousand at a million):
    // the customer page and its timeline are measured on a long history too.
    let customer = if number % LONG_HISTORY_EVERY == LONG_HISTORY_EVERY - 1 {
        0
    } else {
        customer
    };
    let (channel, handle) = match customer % 5 {
        0 => ("chat", format!("chat:@klant{customer}")),
        1 => ("twitter", format!("twitter:@klant{customer}")),
        _ => ("email", format!("email:klant{customer}@example.nl")),
    };
    let name = format!(
        "{} {}",
        FIRST_NAMES[(customer % FIRST_NAMES.len() as u64) as usize],
        LAST_NAMES[(customer / 7 % LAST_NAMES.len() as u64) as usize]
    );
    // Two years of history, in order, so the newest messages are the last written.
    let start = Utc
        .with_ymd_and_hms(2024, 11, 1, 8, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let at = start + Duration::seconds((number * 63) as i64);
    let message = NewInbound {
        channel: channel.into(),
        external_id: format!("bench-{number}"),
        handle,
        name: Some(name),
        text: message_text(rng),
        subject: None,
        thread: Vec::new(),
        needs_reply: true,
        sent_at: at,
        frustration: 0,
        reply_due: at,
        now: at,
        fanout: Fanout::default(),
        attachments: Vec::new(),
    };
    crate::with_due_time_and_mood(settings, message)
}

/// What `kept bench generate` makes.
pub struct Shape {
    pub messages: u64,
    pub customers: u64,
    pub seed: u64,
    /// The percentage of messages answered.
    pub replied: u8,
}

/// Stores a generated message and, when `reply_after` is given, a staff reply that long after.
async fn store_message(store: &dyn Store, message: NewInbound, reply: Option<(&str, Duration)>) -> anyhow::Result<()> {
    let at = message.now;
    let recorded = store
        .record_inbound(message)
        .await
        .context("storing a generated message")?;
    if let Some((staff_id, after)) = reply {
        let answer = kept_store::NewReply {
            conversation_id: recorded.conversation_id,
            staff_id: staff_id.to_string(),
            text: "Dank voor uw bericht, we lossen het op.".into(),
            now: at + after,
            external_id: None,
            deliver_via: kept_domain::Delivery::Channel,
            promised: Vec::new(),
            subject: None,
        };
        store.record_reply(answer).await.context("storing a generated reply")?;
    }
    Ok(())
}

/// Messages generated between two deliveries of the replies.
const BATCH: u64 = 5_000;
/// Generated messages waiting to be stored.
const READY_AHEAD: usize = 4_096;

/// Marks everything queued as delivered, as the outbox would: a reply that reached the customer
/// keeps (or breaks) its promise, and the customer's next message makes a new one.
async fn deliver_everything(store: &dyn Store) -> anyhow::Result<()> {
    // Later than any generated message or reply.
    let later = Utc
        .with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    loop {
        let claimed = store.claim_outbox(later, Duration::hours(1), 1_000).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        futures::stream::iter(claimed)
            .map(|item| store.outbox_delivered(item.id, later))
            .buffer_unordered(64)
            .try_collect::<Vec<()>>()
            .await?;
    }
}

/// The staff member who answers generated messages.
async fn bench_agent(store: &dyn Store) -> anyhow::Result<String> {
    if let Some(found) = store.staff_by_email("replies@bench.kept.invalid").await? {
        return Ok(found.id);
    }
    let person = kept_store::NewStaff {
        email: "replies@bench.kept.invalid".into(),
        name: "Bench Replies".into(),
        role: kept_domain::Role::Agent,
        lang: kept_domain::Lang::Nl,
        password_hash: "bench".into(),
        now: Utc::now(),
    };
    Ok(store.add_staff(person).await?.id)
}

pub async fn generate(app: &App, shape: Shape) -> anyhow::Result<()> {
    let store = app.store.as_ref();
    let settings = app.settings();
    let Shape {
        messages,
        customers,
        seed,
        replied,
    } = shape;
    anyhow::ensure!(customers > 0, "--customers must be at least 1");
    anyhow::ensure!(replied <= 100, "--replied is a percentage");
    let agent = bench_agent(store).await?;
    let (ready, mut planned) = tokio::sync::mpsc::channel(READY_AHEAD);
    let settings = settings.clone();
    // The tone engine reads each generated message (its mood and due time) on a thread of
    // its own, while the messages before it are being stored.
    let producer = std::thread::spawn(move || {
        let mut rng = StdRng::seed_from_u64(seed);
        for number in 0..messages {
            let message = generated_message(&mut rng, &settings, number, customers);
            let reply_after = (rng.gen_range(0..100) < replied).then(|| Duration::seconds(rng.gen_range(300..259_200)));
            if ready.blocking_send((message, reply_after)).is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let mut done = 0u64;
    while done < messages {
        let batch = BATCH.min(messages - done);
        let stream = futures::stream::unfold(&mut planned, |planned| async move {
            let next = planned.recv().await?;
            Some((next, planned))
        })
        .take(batch as usize)
        .map(|(message, reply_after)| {
            let reply = reply_after.map(|after: Duration| (agent.as_str(), after));
            store_message(store, message, reply)
        })
        // Many writes in flight let SQLite's group commit batch them.
        .buffer_unordered(512);
        let mut stream = std::pin::pin!(stream);
        let mut stored = 0u64;
        while let Some(result) = stream.next().await {
            result?;
            stored += 1;
            if (done + stored).is_multiple_of(100_000) {
                eprintln!(
                    "{} messages, {:.0}/s",
                    done + stored,
                    (done + stored) as f64 / started.elapsed().as_secs_f64()
                );
            }
        }
        anyhow::ensure!(stored == batch, "the message generator stopped early");
        done += stored;
        if replied > 0 {
            deliver_everything(store).await?;
        }
    }
    producer
        .join()
        .map_err(|_| anyhow::anyhow!("the message generator failed"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "generated {done} messages over {customers} customers in {seconds:.1} s ({:.0} messages/s)",
        done as f64 / seconds
    );
    Ok(())
}

/// Queries staff type: one or two words, Dutch or English, some narrowed to a channel or dates.
const QUERIES: &[&str] = &[
    "fiets kapot",
    "factuur",
    "garantie accu",
    "remmen geluid",
    "afspraak",
    "terugbellen",
    "ketting",
    "belachelijk",
    "invoice",
    "battery warranty",
    "appointment",
    "brakes",
    "versnelling",
    "verlichting kapot",
    "zadel",
    "tyre",
    "bedankt snelle hulp",
    "e-bike accu",
    "nakijken",
    "ridiculous waiting",
];

pub async fn search(app: &App, count: usize) -> anyhow::Result<()> {
    let store = app.store.as_ref();
    let mut rng = StdRng::seed_from_u64(7);
    let mut latencies = Vec::with_capacity(count);
    let mut hits_total = 0;
    // Customers met in earlier results, to narrow later searches to one of them.
    let mut customers_seen: Vec<String> = Vec::new();
    for n in 0..count {
        let words = QUERIES[n % QUERIES.len()];
        let channel = match n % 4 {
            1 => Some("email"),
            2 => Some("chat"),
            _ => None,
        };
        let customer = (n % 10 == 7 && !customers_seen.is_empty())
            .then(|| customers_seen[rng.gen_range(0..customers_seen.len())].clone());
        let (from, until) = if n % 5 == 3 {
            let from = Utc.with_ymd_and_hms(2025, rng.gen_range(1..=12), 1, 0, 0, 0).single();
            (from, from.map(|f| f + Duration::days(30)))
        } else {
            (None, None)
        };
        let query =
            SearchQuery::parse(words, customer.as_deref(), channel).context("a benchmark query has no words")?;
        let mut filter = SearchFilter {
            query,
            from,
            until,
            limit: 25,
            before: None,
        };
        let started = Instant::now();
        let mut page = store.search(&filter).await?;
        // Every fifth search also turns to its second page.
        if n % 5 == 4 && page.next.is_some() {
            filter.before = page.next;
            hits_total += page.hits.len();
            page = store.search(&filter).await?;
        }
        let what = format!(
            "{words:?}{}{}{}",
            channel.map(|c| format!(" on {c}")).unwrap_or_default(),
            customer.map(|_| " for one customer").unwrap_or_default(),
            from.map(|f| format!(" in 30 days from {}", f.format("%Y-%m-%d")))
                .unwrap_or_default()
        );
        latencies.push((started.elapsed().as_secs_f64() * 1000.0, what));
        hits_total += page.hits.len();
        customers_seen.extend(page.hits.iter().take(2).map(|hit| hit.customer_id.clone()));
    }
    latencies.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |p: f64| {
        latencies[((latencies.len() as f64 * p).ceil() as usize)
            .saturating_sub(1)
            .min(latencies.len() - 1)]
        .0
    };
    println!(
        "search: {count} queries, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} results in all",
        at(0.50),
        at(0.99),
        at(1.0),
        hits_total
    );
    for (ms, what) in latencies.iter().rev().take(3) {
        println!("  slowest: {ms:.1} ms {what}");
    }
    Ok(())
}
