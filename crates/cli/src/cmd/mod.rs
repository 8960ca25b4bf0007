//! One module per subcommand.

pub mod calendar;
pub mod check;
pub mod ledger;
pub mod region;
pub mod rules;
pub mod scan;
pub mod serve;
pub mod text;
pub mod verify;
