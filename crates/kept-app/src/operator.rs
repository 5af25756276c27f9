//! What the server's operator does from the command line (`kept user`, `kept token`) and what
//! the demo sets up: whoever runs commands on the machine holds the database already, so no
//! role is checked here — the team's own pages go through `staff.rs`, which checks them. Every
//! change is still announced, so open pages show it.

use kept_domain::{Lang, Role};
use kept_store::{NewStaff, Staff, StaffChange, StoreError};

use crate::auth::{new_token, token_hash};
use crate::error::AppError;
use crate::staff::new_password_hash;
use crate::{App, Change};

/// Someone to add to the team.
pub struct Member<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub lang: Lang,
    pub password: &'a str,
}

/// Adds a staff member who logs in with `password`.
pub async fn add_member(app: &App, member: Member<'_>) -> Result<Staff, AppError> {
    let staff = app
        .store
        .add_staff(NewStaff {
            email: member.email.trim().to_lowercase(),
            name: member.name.to_string(),
            role: member.role,
            lang: member.lang,
            password_hash: new_password_hash(member.password)?,
            now: app.clock.now(),
        })
        .await
        .map_err(|error| match error {
            StoreError::Duplicate => {
                AppError::Conflict("a staff member with this e-mail address exists already".into())
            }
            other => other.into(),
        })?;
    app.announce(Change::Team);
    Ok(staff)
}

/// Adds the member, or — when their address is on the team already — gives them `password`.
/// Whether they were new.
pub async fn add_or_renew(app: &App, member: Member<'_>) -> Result<bool, AppError> {
    match app.store.staff_by_email(member.email).await? {
        Some(existing) => {
            app.store
                .set_password(&existing.id, &new_password_hash(member.password)?)
                .await?;
            Ok(false)
        }
        None => add_member(app, member).await.map(|_| true),
    }
}

/// The active staff member with this e-mail address.
pub async fn active_member(app: &App, email: &str) -> Result<Staff, AppError> {
    app.store
        .staff_by_email(&email.trim().to_lowercase())
        .await?
        .filter(|s| s.active)
        .ok_or(AppError::NotFound)
}

/// Makes the active member with this address owner or agent (the team keeps an owner).
pub async fn set_role(app: &App, email: &str, role: Role) -> Result<Staff, AppError> {
    let staff = active_member(app, email).await?;
    let change = StaffChange {
        name: None,
        role: Some(role),
    };
    let staff = app.store.change_staff(&staff.id, change).await?;
    app.announce(Change::Team);
    Ok(staff)
}

/// Takes someone off the team; their open work goes to `hand_over_to`: (who left, who took
/// over).
pub async fn take_off_team(app: &App, email: &str, hand_over_to: &str) -> Result<(Staff, Staff), AppError> {
    let staff = active_member(app, email).await?;
    let successor = active_member(app, hand_over_to).await?;
    if successor.id == staff.id {
        return Err(AppError::invalid(
            "hand_over_to",
            "own_successor",
            format!("someone else must take over the work of {email}"),
        ));
    }
    app.store
        .deactivate_staff(&staff.id, &successor.id, app.clock.now())
        .await?;
    app.announce(Change::Team);
    Ok((staff, successor))
}

/// A new API token for the active member with this address, named `name`: the token itself,
/// shown once (only its hash is kept).
pub async fn create_token(app: &App, email: &str, name: &str) -> Result<String, AppError> {
    let staff = active_member(app, email).await?;
    let token = new_token();
    app.store
        .add_api_token(&token_hash(&token), &staff.id, name, app.clock.now())
        .await?;
    Ok(token)
}
