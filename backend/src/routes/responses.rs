//! Answers many operations share, documented once.

use crate::error::ErrorBody;
use utoipa::IntoResponses;

/// The `401` of every operation that needs a signed-in caller.
#[derive(IntoResponses)]
pub enum NotAuthenticated {
    #[response(status = 401, description = "Not authenticated")]
    NotAuthenticated(ErrorBody),
}

/// The `413` and `415` of every operation that takes a JSON body.
#[derive(IntoResponses)]
pub enum JsonBodyRefused {
    #[response(status = 413, description = "The request body is too large")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "The body is not `application/json`")]
    NotJson(ErrorBody),
}
