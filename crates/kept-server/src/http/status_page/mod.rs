//! The customer's own page of a request (`/p/<token>`, no login) with its live part, and the
//! staff's view of it ("zoals de klant het ziet") with the owner's revoke.

pub(crate) mod pages;

use axum::Router;
use axum::routing::{get, post};

use kept_domain::StatusSubject;

use super::Routes;

/// The path prefix of the customers' pages: their tokens are kept out of the log by it.
pub(crate) const PREFIX: &str = "/p/";

/// This feature's pages, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        // A link cut short or with more after it gets the same plain page as a wrong one.
        public: Router::new()
            .route("/p/{token}", get(pages::show))
            .route("/p/{token}/live", get(pages::live))
            .route("/p", get(pages::no_such_page))
            .route("/p/", get(pages::no_such_page))
            .route("/p/{token}/", get(pages::no_such_page))
            .route("/p/{token}/{*rest}", get(pages::no_such_page)),
        staff: [
            (StatusSubject::Conversation, "conversations"),
            (StatusSubject::Callback, "callbacks"),
        ]
        .into_iter()
        .fold(Router::new(), |router, (subject, section)| {
            router
                .route(
                    &format!("/staff/{section}/{{id}}/as-customer"),
                    get(move |state, session, id, query| pages::preview(state, session, subject, id, query)),
                )
                .route(
                    &format!("/staff/{section}/{{id}}/status-link/revoke"),
                    post(move |state, session, id, jar, form| pages::revoke(state, session, subject, id, jar, form)),
                )
        }),
        ..Routes::default()
    }
}

/// A path as the log may show it: a customer's page without its token ("/p/…/live").
pub(crate) fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix(PREFIX) {
        Some(rest) => format!("{PREFIX}…{}", rest.find('/').map_or("", |at| &rest[at..])).into(),
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn the_log_never_sees_a_token() {
        assert_eq!(loggable_path("/p/AbC-dEf_123"), "/p/…");
        assert_eq!(loggable_path("/p/AbC-dEf_123/live"), "/p/…/live");
        assert_eq!(loggable_path("/staff/conversations/x"), "/staff/conversations/x");
    }
}
