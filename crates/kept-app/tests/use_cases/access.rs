//! Who may do what, and logging in.

use crate::support::*;

use chrono::Duration;
use kept_app::auth::token_hash;
use kept_app::error::AppError;
use kept_app::operator::{self};
use kept_app::records::DeliveryFilter;
use serde_json::json;

#[tokio::test]
async fn what_only_owners_may_do_is_refused_to_an_agent_before_anything_is_written() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let rename = json!({"business": {"name": "Fietsen van Sanne"}});
        let refused = kept_app::change_settings(app, &shop.agent, &rename).await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");
        assert_ne!(app.settings().business.name, "Fietsen van Sanne", "{db}");
        let refused = kept_app::deliveries(app, &shop.agent, &DeliveryFilter::default()).await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");

        // The same for the owner: done.
        let changed = kept_app::change_settings(app, &shop.owner, &rename).await.unwrap();
        assert_eq!(changed.business.name, "Fietsen van Sanne", "{db}");
        assert_eq!(
            app.settings().business.name,
            "Fietsen van Sanne",
            "{db}: in force at once"
        );
        assert!(
            kept_app::deliveries(app, &shop.owner, &DeliveryFilter::default())
                .await
                .is_ok(),
            "{db}"
        );
    }
}

#[tokio::test]
async fn logging_in_takes_the_right_password_of_someone_still_on_the_team() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let token = kept_app::log_in(app, "olga@fiets.test", PASSWORD).await.unwrap();
        let token = token.unwrap_or_else(|| panic!("{db}: the owner logs in"));
        let session = kept_app::session(app, &token_hash(&token)).await.unwrap();
        assert_eq!(session.map(|s| s.staff.id), Some(shop.owner.id.clone()), "{db}");
        assert_eq!(
            kept_app::log_in(app, "olga@fiets.test", "wrong password")
                .await
                .unwrap(),
            None,
            "{db}"
        );
        assert_eq!(
            kept_app::log_in(app, "nobody@fiets.test", PASSWORD).await.unwrap(),
            None,
            "{db}"
        );

        // Taken off the team: the right password no longer opens kept.
        operator::take_off_team(app, "sanne@fiets.test", "olga@fiets.test")
            .await
            .unwrap();
        assert_eq!(
            kept_app::log_in(app, "sanne@fiets.test", PASSWORD).await.unwrap(),
            None,
            "{db}"
        );

        // Logged out: the session is gone; and a session ends after its length.
        kept_app::log_out(app, &token_hash(&token)).await.unwrap();
        assert!(
            kept_app::session(app, &token_hash(&token)).await.unwrap().is_none(),
            "{db}"
        );
        let token = kept_app::log_in(app, "olga@fiets.test", PASSWORD)
            .await
            .unwrap()
            .unwrap();
        shop.clock
            .set(tuesday_morning() + kept_app::SESSION_LENGTH + Duration::minutes(1));
        assert!(
            kept_app::session(app, &token_hash(&token)).await.unwrap().is_none(),
            "{db}"
        );
    }
}
