//! The login pages' view structs.

use askama::Template;

use crate::i18n::Texts;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub texts: &'static Texts,
    pub csrf: String,
    pub email: String,
    pub failed: bool,
}

/// "Forgot your password": the form, or that a link is on its way (whether or not the address
/// is on the team).
#[derive(Template)]
#[template(path = "forgot_password.html")]
pub struct ForgotPasswordPage {
    pub texts: &'static Texts,
    pub csrf: String,
    pub sent: bool,
}
