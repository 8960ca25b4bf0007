//! Accounts: password hashing, sessions, API tokens, the login throttle, and the secrets
//! they are made of.

pub mod password;
pub mod secret;
pub mod session;
pub mod throttle;
pub mod token;
