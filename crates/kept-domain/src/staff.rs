//! Staff roles, who gets new work, and who takes over when someone is away.

use serde::{Deserialize, Serialize};

use crate::promise::str_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the business: receives escalations, manages staff.
    Owner,
    Agent,
}

str_enum!(Role { Owner => "owner", Agent => "agent" });

/// Why a one-time password link was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPurpose {
    /// A new staff member chooses their first password.
    Invite,
    /// The owner reset someone's password.
    Reset,
}

str_enum!(LinkPurpose { Invite => "invite", Reset => "reset" });

/// The actions only the business's owners may take; everything else any staff member may do.
/// The application layer checks these before it validates or writes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerOnly {
    MergeCustomers,
    ExportCustomer,
    EraseCustomer,
    ChangeSettings,
    ManageStaff,
    DeleteSavedReply,
    /// Marking someone else away (anyone may mark themselves).
    MarkOthersAway,
    /// Locations, services and who works when.
    ManageAppointments,
    /// Importing and saving contracts (their values are the business's figures).
    ManageContracts,
    /// Seeing another staff member's figures (everyone sees their own).
    SeeOthersFigures,
    /// The list of everything kept sent or tried (addresses, errors), and sending again.
    SeeDeliveries,
    /// Taking away a customer's page of a request (a link sent to the wrong person).
    RevokeStatusLink,
}

impl Role {
    pub fn may(self, _action: OwnerOnly) -> bool {
        self == Role::Owner
    }

    /// For the pages: whether to link to the settings (the use case checks again).
    pub fn may_change_settings(self) -> bool {
        self.may(OwnerOnly::ChangeSettings)
    }

    /// For the pages: whether to link to the list of deliveries (the use case checks again).
    pub fn may_see_deliveries(self) -> bool {
        self.may(OwnerOnly::SeeDeliveries)
    }
}

/// What assignment needs to know about a staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub away: bool,
    pub delegate_id: Option<String>,
    /// When this person last got new work; `None` if never.
    pub last_assigned_ms: Option<i64>,
}

/// Round robin: the available agent who waited longest for new work. Owners take work only
/// when no agent is available, and if everyone is away the first owner still gets it, so that
/// nothing is left without an owner.
pub fn pick_assignee(candidates: &[Candidate]) -> Option<&Candidate> {
    let longest_waiting = |role: Role| {
        candidates
            .iter()
            .filter(|c| c.role == role && !c.away)
            .min_by_key(|c| (c.last_assigned_ms.unwrap_or(i64::MIN), c.id.clone()))
    };
    longest_waiting(Role::Agent)
        .or_else(|| longest_waiting(Role::Owner))
        .or_else(|| candidates.iter().find(|c| c.role == Role::Owner))
}

/// Who actually handles work of `id`: the person, or while they are away their delegate
/// (followed along a chain, stopping at a loop).
pub fn acting_for<'a>(candidates: &'a [Candidate], id: &str) -> Option<&'a Candidate> {
    let find = |id: &str| candidates.iter().find(|c| c.id == id);
    let mut current = find(id)?;
    for _ in 0..candidates.len() {
        let Some(next) = current.delegate_id.as_deref().filter(|_| current.away).and_then(find) else {
            break;
        };
        current = next;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, role: Role, away: bool, last: Option<i64>) -> Candidate {
        Candidate {
            id: id.into(),
            name: id.into(),
            role,
            away,
            delegate_id: None,
            last_assigned_ms: last,
        }
    }

    #[test]
    fn round_robin_prefers_the_agent_who_waited_longest() {
        let staff = [
            person("owner", Role::Owner, false, None),
            person("a", Role::Agent, false, Some(20)),
            person("b", Role::Agent, false, Some(10)),
            person("c", Role::Agent, true, None),
        ];
        assert_eq!(pick_assignee(&staff).map(|c| c.id.as_str()), Some("b"));
    }

    #[test]
    fn owner_takes_work_when_all_agents_are_away() {
        let staff = [
            person("owner", Role::Owner, true, None),
            person("a", Role::Agent, true, None),
        ];
        assert_eq!(pick_assignee(&staff).map(|c| c.id.as_str()), Some("owner"));
    }

    #[test]
    fn delegation_follows_the_chain_and_survives_loops() {
        let mut a = person("a", Role::Agent, true, None);
        a.delegate_id = Some("b".into());
        let mut b = person("b", Role::Agent, true, None);
        b.delegate_id = Some("a".into());
        let staff = [a, b];
        assert!(acting_for(&staff, "a").is_some());
        let mut staff = staff.to_vec();
        staff[1].away = false;
        assert_eq!(acting_for(&staff, "a").map(|c| c.id.as_str()), Some("b"));
    }
}
