//! `kept contracts import FILE.csv`: contracts from a file, through the same use case (and
//! owner check) as the API.

use anyhow::Context;
use clap::Subcommand;
use kept_app::{self as app, Settings};

use crate::customer::{open_app, staff_member};

#[derive(Subcommand)]
pub enum ContractsCommand {
    /// Import contracts from a CSV file with the header row
    /// external_id,customer_name,customer_email,customer_phone,product,start_date,end_date,value_per_year.
    /// All of it or, when a row does not hold, nothing (the line is named).
    Import {
        file: std::path::PathBuf,
        /// The owner who imports (their e-mail address).
        #[arg(long)]
        by: String,
    },
}

pub async fn run(settings: Settings, command: ContractsCommand) -> anyhow::Result<()> {
    let ContractsCommand::Import { file, by } = command;
    let text = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let state = open_app(settings).await?;
    let owner = staff_member(&state, &by).await?;
    let counts = app::import_contracts(&state, &owner, &text)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!(
        "created {}, updated {}, unchanged {}",
        counts.created, counts.updated, counts.unchanged
    );
    Ok(())
}
