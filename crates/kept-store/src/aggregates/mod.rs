//! The store's aggregates: per aggregate, the trait kept-app calls and its implementation on
//! [`SqlStore`](crate::SqlStore), each a transaction over the table modules beside this folder
//! (`staff.rs`, `promises.rs`, ...), whose statements several aggregates' transactions share.
//! Appointments, schedules, surveys, contracts and the other later areas keep their trait in
//! their own table module: no other aggregate writes their tables.

mod access;
mod business_settings;
mod callbacks;
mod changes;
mod conversations;
mod customer_data;
mod customers;
mod deliveries;
mod follow_ups;
mod mail_details;
mod outbox;
mod promises;
mod reply_templates;
mod search;
mod team;

pub use access::Access;
pub use business_settings::BusinessSettings;
pub use callbacks::Callbacks;
pub use changes::Changes;
pub use conversations::Conversations;
pub use customer_data::CustomerData;
pub use customers::Customers;
pub use deliveries::Deliveries;
pub use follow_ups::FollowUps;
pub use mail_details::MailDetails;
pub use outbox::Outbox;
pub use promises::Promises;
pub use reply_templates::ReplyTemplates;
pub use search::Search;
pub use team::Team;
