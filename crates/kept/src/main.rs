//! The `kept` command: run the server, manage staff and API tokens.

mod bench;
mod contracts;
mod customer;
mod demo;
mod staff;
mod tone;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kept_app::Settings;
use kept_domain::SystemClock;

#[derive(Parser)]
#[command(name = "kept", version, about = "kept — no customer is ever forgotten")]
struct Cli {
    /// Configuration file (default: ./kept.toml when it exists). KEPT_* variables override it.
    #[arg(long, global = true, env = "KEPT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server and its background workers.
    Serve {
        /// Create a demo business with an owner, an agent and sample callback requests.
        #[arg(long)]
        demo: bool,
    },
    /// Same as `serve --demo`.
    Demo,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(staff::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(staff::TokenCommand),
    /// A customer's data: export it or erase it (AVG/GDPR), as an owner.
    #[command(subcommand)]
    Customer(customer::CustomerCommand),
    /// Contracts and subscriptions: import a CSV file, as an owner.
    #[command(subcommand)]
    Contracts(contracts::ContractsCommand),
    /// Check the tone of a reply, or the mood of an incoming message.
    #[command(subcommand)]
    Tone(tone::ToneCommand),
    /// Benchmark helpers: generate messages, measure search.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("kept: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kept: {error:#}");
            if error.is::<tone::UnusableInput>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref(), |key| std::env::var(key).ok())?;
    match cli.command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Demo => serve(settings, true).await,
        Command::User(command) => staff::user(settings, command).await,
        Command::Token(command) => staff::token(settings, command).await,
        Command::Customer(command) => customer::run(settings, command).await,
        Command::Contracts(command) => contracts::run(settings, command).await,
        Command::Tone(command) => tone::run(&settings, command),
        Command::Bench(command) => bench::run(settings, command).await,
    }
}

async fn serve(mut settings: Settings, demo: bool) -> anyhow::Result<()> {
    if demo {
        demo::configure(&mut settings);
    }
    let app = kept_app::App::open(settings.clone(), Arc::new(SystemClock))
        .await
        .map_err(customer::said)?;
    kept_app::outbox::release_leases_at_start(&app)
        .await
        .map_err(customer::said)?;
    if demo {
        demo::seed(&app, &settings).await?;
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    if settings.smtp_url.is_none() {
        tracing::warn!("no KEPT_SMTP_URL set: staff will not get e-mail");
    }
    let running = kept_server::launch(listener, app).await.map_err(anyhow::Error::msg)?;
    // Printed for people and scripts alike (with KEPT_LISTEN=…:0 this names the chosen port).
    println!("kept is listening on http://{}", running.addr);
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("stopping"),
        _ = terminate() => tracing::info!("stopping"),
    }
    running.stop().await;
    Ok(())
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending().await
}
