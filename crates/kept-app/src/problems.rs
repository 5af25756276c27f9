//! Refusing a form with all its mistakes at once, so that it is fixed in one go.

use kept_domain::FieldError;

use crate::error::AppError;

/// Every refused field of a form, collected so that the writer sees them all at once.
#[derive(Default)]
pub(super) struct Problems(Vec<FieldError>);

impl Problems {
    /// One more refused field.
    pub(super) fn refuse(&mut self, field: &'static str, code: &'static str, message: &str) {
        self.0.push(FieldError {
            field,
            code,
            message: message.to_string(),
        });
    }

    /// The value when it holds; else its refusal joins the others.
    pub(super) fn take<T>(&mut self, checked: Result<T, AppError>) -> Option<T> {
        match checked {
            Ok(value) => Some(value),
            Err(AppError::Invalid(mut fields)) => {
                self.0.append(&mut fields);
                None
            }
            Err(other) => {
                self.0.push(FieldError {
                    field: "body",
                    code: "invalid",
                    message: other.to_string(),
                });
                None
            }
        }
    }

    /// The built value when nothing was refused; every refusal otherwise.
    pub(super) fn or_refused<T>(self, built: Option<T>) -> Result<T, AppError> {
        match (self.0.is_empty(), built) {
            (true, Some(value)) => Ok(value),
            (true, None) => Err(AppError::Internal("a form value went missing".into())),
            (false, _) => Err(AppError::Invalid(self.0)),
        }
    }
}
