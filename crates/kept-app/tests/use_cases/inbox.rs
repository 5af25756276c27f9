//! The inbox a page at a time: "show more" to the end gives every conversation once, in the
//! list's order, while messages arrive between pages; a refresh through the last row shown
//! gives the rows shown.

use crate::support::*;

use std::collections::HashSet;

use chrono::Duration;
use kept_app::App;
use kept_app::records::{AssigneeFilter, ConversationChange, ConversationFilter, ListPage};
use kept_domain::conversation::ConversationStatus;

/// Rows per page: small, so that every view takes several.
const PAGE: i64 = 3;

/// Thirteen customers on the chat: two of them upset, four answered, three resolved, three
/// tagged "garantie". Returns the conversations' ids in the order they came in.
async fn busy_morning(shop: &Shop) -> Vec<String> {
    let app = &shop.app;
    let mut ids = Vec::new();
    for n in 0..13 {
        let text = match n {
            4 | 9 => "IK WACHT AL DRIE WEKEN. Belachelijk!!",
            _ => "Graag een offerte voor een nieuwe fiets.",
        };
        let handle = format!("@klant{n}");
        let message = chat_message(&format!("m-{n}"), (&handle, &format!("Klant {n}")), text);
        ids.push(kept_app::accept_inbound(app, &message).await.unwrap().conversation_id);
        shop.clock.advance(Duration::minutes(1));
    }
    let choices = kept_app::CommitmentChoices::default();
    for id in &ids[0..4] {
        kept_app::reply(app, &shop.agent, id, "Hij staat klaar.", &choices)
            .await
            .unwrap();
        shop.clock.advance(Duration::minutes(1));
    }
    for id in &ids[4..7] {
        let resolved = ConversationChange::Status(ConversationStatus::Resolved);
        kept_app::change_conversation(app, &shop.agent, id, resolved)
            .await
            .unwrap();
        shop.clock.advance(Duration::minutes(1));
    }
    for id in &ids[8..11] {
        let tagged = ConversationChange::Tags {
            add: vec!["garantie".into()],
            remove: Vec::new(),
        };
        kept_app::change_conversation(app, &shop.agent, id, tagged)
            .await
            .unwrap();
    }
    ids
}

async fn everything(app: &App, filter: &ConversationFilter) -> Vec<String> {
    let page = kept_app::conversations(app, filter, &ListPage::First, 1000)
        .await
        .unwrap();
    assert!(!page.more);
    page.rows.into_iter().map(|c| c.id).collect()
}

/// Walks the list page by page; before each next page a new customer writes and a customer
/// shown already writes again. Returns the rows walked and the conversations written in.
async fn walk(shop: &Shop, filter: &ConversationFilter, arrivals: &mut u32) -> (Vec<String>, HashSet<String>) {
    let mut seen = Vec::new();
    let mut written = HashSet::new();
    let mut wanted = ListPage::First;
    loop {
        let page = kept_app::conversations(&shop.app, filter, &wanted, PAGE).await.unwrap();
        assert!(page.rows.len() as i64 <= PAGE);
        seen.extend(page.rows.iter().map(|c| c.id.clone()));
        if !page.more {
            return (seen, written);
        }
        wanted = ListPage::After(page.last.expect("the last row's place"));
        *arrivals += 1;
        let handle = format!("@nieuw{arrivals}");
        let new = chat_message(&format!("new-{arrivals}"), (&handle, "Nieuw"), "Hallo, een vraag");
        written.insert(kept_app::accept_inbound(&shop.app, &new).await.unwrap().conversation_id);
        let again = chat_message(
            &format!("again-{arrivals}"),
            ("@klant11", "Klant 11"),
            "Wanneer zijn jullie open?",
        );
        written.insert(
            kept_app::accept_inbound(&shop.app, &again)
                .await
                .unwrap()
                .conversation_id,
        );
        shop.clock.advance(Duration::seconds(20));
    }
}

#[tokio::test]
async fn show_more_to_the_end_gives_every_conversation_once_in_order_while_messages_arrive() {
    for shop in shops().await {
        let db = shop.db.name;
        let ids = busy_morning(&shop).await;
        let view = |status, assignee| ConversationFilter {
            status,
            assignee,
            ..ConversationFilter::default()
        };
        let views = [
            view(Some(ConversationStatus::Open), AssigneeFilter::Anyone),
            view(
                Some(ConversationStatus::Open),
                AssigneeFilter::Staff(shop.agent.id.clone()),
            ),
            view(Some(ConversationStatus::Open), AssigneeFilter::Nobody),
            view(Some(ConversationStatus::WaitingOnCustomer), AssigneeFilter::Anyone),
            view(Some(ConversationStatus::Resolved), AssigneeFilter::Anyone),
            view(None, AssigneeFilter::Anyone),
            ConversationFilter {
                tag: Some("garantie".into()),
                ..view(Some(ConversationStatus::Open), AssigneeFilter::Anyone)
            },
            ConversationFilter {
                channel: Some("chat".into()),
                ..view(Some(ConversationStatus::Open), AssigneeFilter::Anyone)
            },
        ];
        let open = everything(&shop.app, &views[0]).await;
        // Upset customers first, then by due time (here: who wrote first).
        let expected = vec![&ids[9], &ids[7], &ids[8], &ids[10], &ids[11], &ids[12]];
        assert_eq!(open.iter().collect::<Vec<_>>(), expected, "{db}: the open view's order");
        let mut arrivals = 0;
        for filter in &views {
            let before = everything(&shop.app, filter).await;
            let (walked, written) = walk(&shop, filter, &mut arrivals).await;
            let after = everything(&shop.app, filter).await;
            let unique: HashSet<&String> = walked.iter().collect();
            assert_eq!(unique.len(), walked.len(), "{db} {filter:?}: a row twice: {walked:?}");
            for id in before.iter().filter(|id| after.contains(id)) {
                assert!(
                    walked.contains(id),
                    "{db} {filter:?}: {id} skipped: {walked:?} of {after:?}"
                );
            }
            // In the list's order: those nobody wrote in meanwhile (a new message moves a
            // conversation up) stand as they stand in the list now.
            let unmoved = |id: &&String| after.contains(*id) && walked.contains(*id) && !written.contains(*id);
            let in_list_order: Vec<&String> = after.iter().filter(unmoved).collect();
            let as_walked: Vec<&String> = walked.iter().filter(unmoved).collect();
            assert_eq!(as_walked, in_list_order, "{db} {filter:?}: out of order");
        }
        assert!(arrivals >= 6, "{db}: messages arrived between pages ({arrivals})");
    }
}

#[tokio::test]
async fn a_refresh_through_the_last_row_shown_keeps_the_rows_shown() {
    for shop in shops().await {
        let db = shop.db.name;
        busy_morning(&shop).await;
        let open = ConversationFilter {
            status: Some(ConversationStatus::Open),
            ..ConversationFilter::default()
        };
        // Two pages of two of the six waiting.
        let first = kept_app::conversations(&shop.app, &open, &ListPage::First, 2)
            .await
            .unwrap();
        let last = first.last.clone().expect("a first page");
        let second = kept_app::conversations(&shop.app, &open, &ListPage::After(last), 2)
            .await
            .unwrap();
        let shown: Vec<String> = first.rows.iter().chain(&second.rows).map(|c| c.id.clone()).collect();
        let through = ListPage::Through(second.last.clone().expect("a second page"));

        // Someone else upset writes: their conversation comes after the upset customer shown,
        // before the calm ones, and the rows shown stay.
        let upset = chat_message("upset", ("@boos", "Boos"), "IK WACHT AL DRIE WEKEN. Belachelijk!!");
        let upset = kept_app::accept_inbound(&shop.app, &upset)
            .await
            .unwrap()
            .conversation_id;
        let refreshed = kept_app::conversations(&shop.app, &open, &through, PAGE).await.unwrap();
        let ids: Vec<String> = refreshed.rows.iter().map(|c| c.id.clone()).collect();
        let mut expected = shown.clone();
        expected.insert(1, upset);
        assert_eq!(
            ids, expected,
            "{db}: the rows shown, in their order, the new one among them"
        );
        assert!(refreshed.more, "{db}: and more below them");
        assert_eq!(refreshed.last, second.last, "{db}");

        // Shown to its end, the list's refresh also brings what came after the last row since.
        let all = kept_app::conversations(&shop.app, &open, &ListPage::First, 100)
            .await
            .unwrap();
        assert!(!all.more, "{db}");
        let calm = chat_message("calm", ("@kalm", "Kalm"), "Graag een offerte voor een nieuwe fiets.");
        let calm = kept_app::accept_inbound(&shop.app, &calm)
            .await
            .unwrap()
            .conversation_id;
        let ended = ListPage::ThroughAndAfter(all.last.clone().expect("rows"));
        let refreshed = kept_app::conversations(&shop.app, &open, &ended, PAGE).await.unwrap();
        let mut expected: Vec<String> = all.rows.iter().map(|c| c.id.clone()).collect();
        expected.push(calm);
        let ids: Vec<String> = refreshed.rows.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, expected, "{db}: the rows shown and the new one after them");
        assert!(!refreshed.more, "{db}");
        let through = ListPage::Through(all.last.expect("rows"));
        let kept_to = kept_app::conversations(&shop.app, &open, &through, PAGE).await.unwrap();
        assert_eq!(
            kept_to.rows.len(),
            expected.len() - 1,
            "{db}: without it, only a 'show more'"
        );
        assert!(kept_to.more, "{db}");
    }
}
