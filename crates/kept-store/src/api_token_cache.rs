//! The staff member behind an API token, remembered for a few seconds. An integration posts
//! every message with the same token; looking it up each time was a round trip to a reader
//! connection per request (on SQLite a hop to sqlx's thread and back: a tenth of the CPU of
//! an import). Only tokens that were found are remembered, so unknown tokens cannot fill it.
//!
//! Every change this node makes to staff or tokens forgets everything at once: each `SqlStore`
//! method that changes them calls [`ApiTokenCache::forget`] after its commit, and a new one must
//! too (the two-node contract test checks the role, revoke and departure). A change made by
//! another node sharing the database counts here within [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::model::Staff;

/// How long a token's lookup stays valid on this node.
pub const FRESH_FOR: Duration = Duration::seconds(5);

/// More live tokens than this on one node is not an integration posting: start afresh.
const MOST_TOKENS: usize = 1024;

#[derive(Default)]
pub(crate) struct ApiTokenCache {
    inner: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    /// Bumped by every change: a lookup that began before it may have read the old row.
    generation: u64,
    staff: HashMap<String, (Staff, DateTime<Utc>)>,
}

/// Taken before reading the database, given back with what was read.
#[derive(Clone, Copy)]
pub(crate) struct Lookup(u64);

impl ApiTokenCache {
    /// The remembered staff member, or a ticket for the lookup the caller must make.
    pub(crate) fn get(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Staff, Lookup> {
        let remembered = self.lock();
        match remembered.staff.get(token_hash) {
            Some((staff, read_at)) if *read_at <= now && now - *read_at < FRESH_FOR => Ok(staff.clone()),
            _ => Err(Lookup(remembered.generation)),
        }
    }

    /// Remembers what a lookup found, unless staff or tokens changed while it read.
    pub(crate) fn put(&self, lookup: Lookup, token_hash: &str, staff: &Staff, now: DateTime<Utc>) {
        let mut remembered = self.lock();
        if remembered.generation != lookup.0 {
            return;
        }
        if remembered.staff.len() >= MOST_TOKENS {
            remembered.staff.clear();
        }
        remembered.staff.insert(token_hash.to_string(), (staff.clone(), now));
    }

    /// Staff or tokens changed on this node.
    pub(crate) fn forget(&self) {
        let mut remembered = self.lock();
        remembered.generation += 1;
        remembered.staff.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        // A panic while holding the lock leaves a map that is still whole: use it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_domain::{Lang, Role};

    fn someone() -> Staff {
        Staff {
            id: "s1".into(),
            email: "a@example.org".into(),
            name: "A".into(),
            role: Role::Agent,
            lang: Lang::Nl,
            password_hash: String::new(),
            away: false,
            delegate_id: None,
            active: true,
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap_or_default()
    }

    #[test]
    fn a_lookup_is_remembered_for_a_few_seconds() {
        let cache = ApiTokenCache::default();
        let lookup = cache.get("h", at(0)).expect_err("nothing remembered yet");
        cache.put(lookup, "h", &someone(), at(0));
        assert_eq!(cache.get("h", at(4)).ok().map(|s| s.id), Some("s1".to_string()));
        assert!(cache.get("h", at(5)).is_err(), "stale after FRESH_FOR");
        assert!(cache.get("h", at(-1)).is_err(), "a clock set back does not stretch it");
        assert!(cache.get("other", at(1)).is_err());
    }

    #[test]
    fn a_change_forgets_and_a_lookup_from_before_it_is_not_remembered() {
        let cache = ApiTokenCache::default();
        let lookup = cache.get("h", at(0)).expect_err("nothing remembered yet");
        cache.put(lookup, "h", &someone(), at(0));
        cache.forget();
        let before_change = cache.get("h", at(1)).expect_err("forgotten");
        cache.forget();
        cache.put(before_change, "h", &someone(), at(1));
        assert!(cache.get("h", at(1)).is_err(), "read before the change: not remembered");
    }
}
