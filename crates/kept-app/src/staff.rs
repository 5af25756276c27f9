//! The team: invitations and password links, roles, who left, who is away and who stands
//! in, and API tokens.

use kept_domain::staff::{LinkPurpose, OwnerOnly};
use kept_domain::{Lang, Role};
use kept_store::{ApiTokenView, NewPasswordLink, NewStaff, PasswordLinkView, Staff, StaffChange};

use crate::auth::{PasswordError, hash_password, new_token, token_hash, verify_password};
use crate::error::AppError;
use crate::{App, Change, authorize};

/// Marks `staff_id` away with `delegate` standing in (their open promises move along), or
/// back with `None`. Anyone may mark themselves; marking someone else is for owners.
pub async fn set_away(app: &App, actor: &Staff, staff_id: &str, delegate: Option<&str>) -> Result<(), AppError> {
    if staff_id != actor.id {
        authorize(actor, OwnerOnly::MarkOthersAway)?;
    }
    if !is_on_the_team(app, staff_id).await? {
        return Err(AppError::NotFound);
    }
    if let Some(delegate) = delegate {
        if delegate == staff_id {
            return Err(AppError::invalid(
                "delegate",
                "own_delegate",
                "nobody can stand in for themselves",
            ));
        }
        if !is_on_the_team(app, delegate).await? {
            return Err(AppError::invalid(
                "delegate",
                "unknown_staff",
                "choose a stand-in from the team",
            ));
        }
    }
    app.store.set_away(staff_id, delegate, app.clock.now()).await?;
    app.announce(Change::Team);
    Ok(())
}

/// The language a staff member reads kept in, from now on (pages and e-mails).
pub async fn set_own_language(app: &App, staff: &Staff, lang: Lang) -> Result<(), AppError> {
    app.store.set_staff_lang(&staff.id, lang).await?;
    app.announce(Change::Team);
    Ok(())
}

/// How long a link an owner sends works (an invitation may wait for a Monday).
const LINK_VALID: chrono::Duration = chrono::Duration::days(7);
const MAX_NAME_CHARS: usize = 100;

/// Someone the owner adds to the team.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub lang: Lang,
}

/// A password link was made: the person gets it by e-mail; the owner may pass it on too
/// (when the business has no e-mail server yet, that is the only way).
#[derive(Debug, Clone)]
pub struct LinkSent {
    pub staff: Staff,
    pub link: String,
}

/// The owner adds someone: they get an e-mail with a link to choose their password, valid for
/// a week. Until then they cannot log in (their password hash is empty, which never verifies).
pub async fn invite(app: &App, actor: &Staff, member: NewMember) -> Result<LinkSent, AppError> {
    authorize(actor, OwnerOnly::ManageStaff)?;
    let email = member.email.trim().to_lowercase();
    // Both fields at once: the owner fixes the form in one go.
    let mut problems = crate::problems::Problems::default();
    let name = problems.take(staff_name(&member.name));
    if email.chars().count() > 254 || email.parse::<lettre::Address>().is_err() {
        problems.refuse("email", "invalid_email", "this is not an e-mail address");
    }
    let name = problems.or_refused(name)?;
    if app.store.staff_by_email(&email).await?.is_some() {
        return Err(AppError::invalid(
            "email",
            "email_taken",
            "someone on the team (or who was) already has this e-mail address",
        ));
    }
    let (token, link) = new_link(app, LinkPurpose::Invite, Some(actor), LINK_VALID);
    let now = app.clock.now();
    let staff = NewStaff {
        email,
        name,
        role: member.role,
        lang: member.lang,
        password_hash: String::new(),
        now,
    };
    let staff = app.store.invite_staff(staff, link).await.map_err(|error| match error {
        kept_store::StoreError::Duplicate => AppError::invalid("email", "email_taken", "this e-mail address is taken"),
        other => other.into(),
    })?;
    app.announce(Change::Team);
    Ok(LinkSent {
        link: password_url(app, &token),
        staff,
    })
}

/// The owner sends someone a new link to set their password (they forgot it, or the
/// invitation expired). Earlier links stop working; the current password works until the link is used.
pub async fn send_password_reset(app: &App, actor: &Staff, staff_id: &str) -> Result<LinkSent, AppError> {
    authorize(actor, OwnerOnly::ManageStaff)?;
    let staff = app.store.staff_by_id(staff_id).await?.ok_or(AppError::NotFound)?;
    let (token, link) = new_link(app, link_purpose(&staff), Some(actor), LINK_VALID);
    app.store.send_password_link(staff_id, link).await?;
    app.announce(Change::Team);
    Ok(LinkSent {
        link: password_url(app, &token),
        staff,
    })
}

/// Someone who never chose a password gets an invitation again, anyone else a reset.
pub(super) fn link_purpose(staff: &Staff) -> LinkPurpose {
    if staff.invited() {
        LinkPurpose::Invite
    } else {
        LinkPurpose::Reset
    }
}

/// A new one-time link: its token (for the URL) and what the store keeps of it. `by` is the
/// owner who sent it; `None` when the person asked for it themselves.
pub(super) fn new_link(
    app: &App,
    purpose: LinkPurpose,
    by: Option<&Staff>,
    valid: chrono::Duration,
) -> (String, NewPasswordLink) {
    let token = new_token();
    let now = app.clock.now();
    let link = NewPasswordLink {
        purpose,
        token_hash: token_hash(&token),
        token: Some(token.clone()),
        created_by: by.map(|s| s.id.clone()),
        now,
        expires_at: now + valid,
    };
    (token, link)
}

/// Where a password link points.
pub fn password_url(app: &App, token: &str) -> String {
    format!("{}/password/{token}", app.settings().base_url)
}

/// The link's owner, if the link still works (for the page that asks for the new password).
pub async fn usable_password_link(app: &App, token: &str) -> Result<PasswordLinkView, AppError> {
    app.store
        .usable_password_link(&token_hash(token), app.clock.now())
        .await?
        .ok_or_else(link_unusable)
}

fn link_unusable() -> AppError {
    AppError::Gone(
        "this link has been used, has expired or was replaced by a newer one; ask the owner for a new one".into(),
    )
}

/// Sets a password through a one-time link; the link is used up and every other session of
/// theirs ends. Returns who they are, to log them in.
pub async fn set_password_with_link(app: &App, token: &str, password: &str) -> Result<Staff, AppError> {
    let hash = new_password_hash(password)?;
    match app
        .store
        .use_password_link(&token_hash(token), &hash, app.clock.now())
        .await
    {
        Ok(staff) => {
            app.announce(Change::Team);
            Ok(staff)
        }
        Err(kept_store::StoreError::NotFound) => Err(link_unusable()),
        Err(other) => Err(other.into()),
    }
}

/// Staff change their own password; their other sessions end, this one stays.
pub async fn change_own_password(
    app: &App,
    staff: &Staff,
    session_token_hash: Option<&str>,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    if !verify_password(&staff.password_hash, current) {
        return Err(AppError::invalid(
            "current_password",
            "wrong_password",
            "the current password is not right",
        ));
    }
    let hash = new_password_hash(new)?;
    app.store.change_password(&staff.id, &hash, session_token_hash).await?;
    Ok(())
}

pub(crate) fn new_password_hash(password: &str) -> Result<String, AppError> {
    hash_password(password).map_err(|error| match error {
        PasswordError::TooShort => AppError::invalid("password", "password_too_short", error.to_string()),
        PasswordError::Hash(why) => AppError::Internal(why),
    })
}

fn staff_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "name_required",
            "fill in a name (at most 100 characters, on one line)",
        ));
    }
    Ok(name.to_string())
}

/// The owner renames someone or changes their role. The team always keeps an owner.
pub async fn change_member(app: &App, actor: &Staff, staff_id: &str, change: StaffChange) -> Result<Staff, AppError> {
    authorize(actor, OwnerOnly::ManageStaff)?;
    let change = StaffChange {
        name: change.name.as_deref().map(staff_name).transpose()?,
        role: change.role,
    };
    let staff = app.store.change_staff(staff_id, change).await?;
    app.announce(Change::Team);
    Ok(staff)
}

/// The owner takes someone off the team: their open promises and conversations go to
/// `successor`, they can no longer log in, and their API tokens stop working.
pub async fn deactivate(app: &App, actor: &Staff, staff_id: &str, successor: &str) -> Result<(), AppError> {
    authorize(actor, OwnerOnly::ManageStaff)?;
    if staff_id == actor.id {
        return Err(AppError::invalid(
            "staff",
            "own_account",
            "you cannot take yourself off the team; another owner can",
        ));
    }
    if successor == staff_id {
        return Err(AppError::invalid(
            "hand_over_to",
            "own_successor",
            "choose someone else on the team to take over the work",
        ));
    }
    if !is_on_the_team(app, successor).await? {
        return Err(AppError::invalid(
            "hand_over_to",
            "unknown_staff",
            "choose someone else on the team to take over the work",
        ));
    }
    app.store.deactivate_staff(staff_id, successor, app.clock.now()).await?;
    app.announce(Change::Team);
    app.announce(Change::Conversations);
    Ok(())
}

pub(super) async fn is_on_the_team(app: &App, staff_id: &str) -> Result<bool, AppError> {
    Ok(app.store.staff_by_id(staff_id).await?.is_some_and(|s| s.active))
}

/// A new API token for the staff member themselves, shown once; only its hash is stored.
pub async fn create_api_token(app: &App, staff: &Staff, name: &str) -> Result<(ApiTokenView, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "name_required",
            "name the token after what uses it (at most 60 characters)",
        ));
    }
    let token = new_token();
    let now = app.clock.now();
    let id = app
        .store
        .add_api_token(&token_hash(&token), &staff.id, name, now)
        .await?;
    let view = ApiTokenView {
        id,
        staff_id: staff.id.clone(),
        staff_name: staff.name.clone(),
        name: name.to_string(),
        created_at: now,
    };
    Ok((view, token))
}

/// The tokens someone may see: owners all of them, others their own.
pub async fn api_tokens(app: &App, staff: &Staff) -> Result<Vec<ApiTokenView>, AppError> {
    let whose = (!staff.role.may(OwnerOnly::ManageStaff)).then_some(staff.id.as_str());
    Ok(app.store.api_tokens(whose).await?)
}

/// Revokes a token: your own, or anyone's if you are an owner.
pub async fn revoke_api_token(app: &App, staff: &Staff, token_id: &str) -> Result<(), AppError> {
    let whose = (!staff.role.may(OwnerOnly::ManageStaff)).then_some(staff.id.as_str());
    app.store.revoke_api_token(token_id, whose).await?;
    Ok(())
}

// The team as everyone may read it.

/// Everyone on the team, and those taken off it.
pub async fn team(app: &App) -> Result<Vec<Staff>, AppError> {
    Ok(app.store.list_staff().await?)
}

/// One staff member by id.
pub async fn staff_member(app: &App, id: &str) -> Result<Option<Staff>, AppError> {
    Ok(app.store.staff_by_id(id).await?)
}

/// The staff member with this e-mail address.
pub async fn staff_by_email(app: &App, email: &str) -> Result<Option<Staff>, AppError> {
    Ok(app.store.staff_by_email(email).await?)
}
