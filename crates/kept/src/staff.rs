//! `kept user …` and `kept token …`.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Subcommand;
use kept_app::Settings;
use kept_app::error::AppError;
use kept_app::operator::{self, Member};

use crate::customer::said;
use kept_domain::{Lang, Role};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a staff member. The password is asked for, or read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["owner", "agent"])]
        role: String,
        /// Shown to colleagues; defaults to the part of the e-mail address before the @.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
        lang: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff members.
    List,
    /// Print a one-time link to choose a new password (works once, for an hour), for someone
    /// locked out — also the only owner of a business whose e-mail is not set up yet.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Make someone an owner or an agent. The team always keeps an owner.
    Role {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["owner", "agent"])]
        role: String,
    },
    /// Take someone off the team: they can no longer log in, and their open promises and
    /// conversations go to the colleague given.
    Deactivate {
        #[arg(long)]
        email: String,
        /// The e-mail address of who takes over their work.
        #[arg(long)]
        hand_over_to: String,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a staff member and print it (it is shown only once).
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for (shown in the token list on the account page).
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

pub async fn user(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    // The team needs none of the owner's saved settings: the database alone, as quickly in and
    // out as possible beside a running kept.
    let app = kept_app::App::open(settings, std::sync::Arc::new(kept_domain::SystemClock))
        .await
        .map_err(said)?;
    match command {
        UserCommand::Add {
            email,
            role,
            name,
            lang,
            password_stdin,
        } => {
            let email = email.trim().to_lowercase();
            if email.parse::<lettre::Address>().is_err() {
                bail!("'{email}' is not a valid e-mail address");
            }
            let password = if password_stdin {
                read_stdin_line()?
            } else {
                prompt_twice()?
            };
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let member = Member {
                email: &email,
                name: &name,
                role: Role::parse(&role).unwrap_or(Role::Agent),
                lang: Lang::parse(&lang).unwrap_or_default(),
                password: &password,
            };
            let staff = operator::add_member(&app, member).await.map_err(said)?;
            println!("added {} <{}> as {}", staff.name, staff.email, staff.role.as_str());
        }
        UserCommand::List => {
            for staff in kept_app::team(&app).await.map_err(said)? {
                let away = if staff.away { " (away)" } else { "" };
                let left = if staff.active { "" } else { " (off the team)" };
                println!("{}\t{}\t{}{away}{left}", staff.email, staff.role.as_str(), staff.name);
            }
        }
        UserCommand::ResetPassword { email } => {
            let (link, staff) = kept_app::printed_reset_link(&app, &email)
                .await
                .map_err(|e| on_the_team(e, &email))?;
            println!(
                "A link for {} <{}> to choose a new password (works once, for an hour):",
                staff.name, staff.email
            );
            println!("{link}");
        }
        UserCommand::Role { email, role } => {
            let role = Role::parse(&role).unwrap_or(Role::Agent);
            let staff = operator::set_role(&app, &email, role)
                .await
                .map_err(|e| on_the_team(e, &email))?;
            println!("{} <{}> is now {}", staff.name, staff.email, staff.role.as_str());
        }
        UserCommand::Deactivate { email, hand_over_to } => {
            let (staff, successor) = operator::take_off_team(&app, &email, &hand_over_to)
                .await
                .map_err(|e| on_the_team(e, &format!("{email} or {hand_over_to}")))?;
            println!(
                "{} is off the team; their open work went to {}",
                staff.email, successor.email
            );
        }
    }
    Ok(())
}

/// What a refused command says: "no one on the team has e-mail …" for an unknown address, the
/// team keeping an owner in plain words, and otherwise what the use case said.
fn on_the_team(error: AppError, email: &str) -> anyhow::Error {
    match error {
        AppError::NotFound => anyhow::anyhow!("no one on the team has e-mail {email}"),
        other => said(other),
    }
}

pub async fn token(settings: Settings, command: TokenCommand) -> anyhow::Result<()> {
    // The team needs none of the owner's saved settings: the database alone, as quickly in and
    // out as possible beside a running kept.
    let app = kept_app::App::open(settings, std::sync::Arc::new(kept_domain::SystemClock))
        .await
        .map_err(said)?;
    match command {
        TokenCommand::Create { email, name } => {
            let token = operator::create_token(&app, &email, &name)
                .await
                .map_err(|e| on_the_team(e, &email))?;
            println!("{token}");
        }
    }
    Ok(())
}

fn read_stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn prompt_twice() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        bail!("there is no terminal to ask the password on: pass it on standard input with --password-stdin");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Again: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}
