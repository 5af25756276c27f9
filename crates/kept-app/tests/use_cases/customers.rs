//! Customers' data: erasing it.

use crate::support::*;

use kept_app::error::AppError;
use kept_domain::{CallbackStatus, Lang};

#[tokio::test]
async fn a_customer_is_erased_by_an_owner_with_a_reason_and_never_by_an_agent() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let asked = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap();
        let customer = asked.callback.customer_id.clone();

        let refused = kept_app::erase_customer(app, &shop.agent, &customer, "asked by e-mail").await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");
        let refused = kept_app::erase_customer(app, &shop.owner, &customer, "  ").await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "{db}: a reason is required: {refused:?}"
        );
        assert!(
            kept_app::customer(app, &customer).await.unwrap().is_some(),
            "{db}: nothing went yet"
        );

        let export = kept_app::export_customer(app, &shop.owner, &customer).await.unwrap();
        let exported = serde_json::to_string(&export).unwrap();
        assert!(
            exported.contains("Jan Jansen"),
            "{db}: the export holds what kept knows"
        );
        let erased = kept_app::erase_customer(app, &shop.owner, &customer, "asked by e-mail")
            .await
            .unwrap();
        assert_eq!(erased.reason, "asked by e-mail", "{db}");
        let left = kept_app::customer(app, &customer).await.unwrap();
        let left = serde_json::to_string(&format!("{left:?}")).unwrap();
        assert!(
            !left.contains("Jan Jansen") && !left.contains("612345678"),
            "{db}: {left}"
        );
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert!(
            open.iter().all(|c| c.customer_id != customer),
            "{db}: nothing of theirs is open"
        );
    }
}
