//! `kept customer export|erase`: a customer's AVG/GDPR requests from the command line, through
//! the same use cases (and owner check) as the API and the customer page.

use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use kept_app::error::AppError;
use kept_app::{self as app, App, Settings};
use kept_domain::SystemClock;

#[derive(Subcommand)]
pub enum CustomerCommand {
    /// Print everything kept holds about a customer as JSON.
    Export {
        /// The customer's id (from the customer page's address).
        id: String,
        /// The owner who handles the request (their e-mail address).
        #[arg(long)]
        by: String,
    },
    /// Erase a customer and everything kept holds about them; an anonymous record stays.
    Erase {
        id: String,
        /// The owner who handles the request (their e-mail address).
        #[arg(long)]
        by: String,
        /// Why, e.g. "asked for it by e-mail on 30 November".
        #[arg(long)]
        reason: String,
    },
}

/// The application on the configured database, with the owner's saved settings.
pub async fn open_app(settings: Settings) -> anyhow::Result<App> {
    let app = App::open(settings, Arc::new(SystemClock)).await.map_err(said)?;
    app::load_saved_settings(&app).await.map_err(said)?;
    Ok(app)
}

/// What a refused command prints: the team keeping an owner in plain words, each refused
/// field's message, and for a failure on our side its details (the operator reads them).
pub fn said(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(fields) if fields.iter().any(|f| f.code == "last_owner") => {
            anyhow::anyhow!("the team must keep an owner: make someone else owner first")
        }
        AppError::Invalid(fields) => {
            anyhow::anyhow!(
                "{}",
                fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ")
            )
        }
        AppError::Internal(detail) => anyhow::anyhow!("{detail}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// The staff member who does something from the command line, by e-mail address.
pub async fn staff_member(state: &App, email: &str) -> anyhow::Result<kept_app::records::Staff> {
    kept_app::staff_by_email(state, email)
        .await?
        .with_context(|| format!("no staff member with e-mail address {email}"))
}

pub async fn run(settings: Settings, command: CustomerCommand) -> anyhow::Result<()> {
    let state = open_app(settings).await?;
    let by = |email: String| {
        let state = state.clone();
        async move { staff_member(&state, &email).await }
    };
    match command {
        CustomerCommand::Export { id, by: email } => {
            let staff = by(email).await?;
            let export = app::export_customer(&state, &staff, &id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&export)?);
        }
        CustomerCommand::Erase { id, by: email, reason } => {
            let staff = by(email).await?;
            let erasure = app::erase_customer(&state, &staff, &id, &reason)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("erased; record {} at {}: {}", erasure.id, erasure.at, erasure.removed);
        }
    }
    Ok(())
}
