//! Accounts: password hashing, sessions, API tokens, the login throttle, the signed
//! pre-session CSRF tokens, and the secrets they are made of.

pub mod password;
pub mod presession;
pub mod secret;
pub mod session;
pub mod throttle;
pub mod token;
