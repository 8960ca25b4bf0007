//! One module per subcommand.

pub mod brushing;
pub mod calendar;
pub mod case;
pub mod check;
pub mod cluster;
pub mod db;
pub mod demo;
pub mod evidence;
pub mod import;
pub mod ingest;
pub mod ledger;
pub mod log;
pub mod network;
pub mod notice;
pub mod patrol;
pub mod region;
pub mod report;
pub mod rules;
pub mod scan;
pub mod screen;
pub mod serve;
pub mod text;
pub mod token;
pub mod verify;
pub mod worker;
