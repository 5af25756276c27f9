//! The reply rules' names, ids and weights: what the rules, the language files' lexicon and
//! the learned model all refer to (its own module, so that none of them imports another for it).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    GenericGreeting,
    BlamesCustomer,
    Deflection,
    Arguing,
    EmptyApology,
    VaguePromise,
    NoAcknowledgement,
    Shouting,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::GenericGreeting,
        Rule::BlamesCustomer,
        Rule::Deflection,
        Rule::Arguing,
        Rule::EmptyApology,
        Rule::VaguePromise,
        Rule::NoAcknowledgement,
        Rule::Shouting,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::GenericGreeting => "generic_greeting",
            Rule::BlamesCustomer => "blames_customer",
            Rule::Deflection => "deflection",
            Rule::Arguing => "arguing",
            Rule::EmptyApology => "empty_apology",
            Rule::VaguePromise => "vague_promise",
            Rule::NoAcknowledgement => "no_acknowledgement",
            Rule::Shouting => "shouting",
        }
    }

    pub fn parse(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.id() == id)
    }

    /// How much a finding of this rule costs the score: blame and arguing hurt most.
    pub fn weight(self) -> u32 {
        match self {
            Rule::BlamesCustomer | Rule::Arguing => 30,
            Rule::Deflection => 25,
            Rule::EmptyApology | Rule::NoAcknowledgement | Rule::Shouting => 20,
            Rule::GenericGreeting | Rule::VaguePromise => 15,
        }
    }
}
