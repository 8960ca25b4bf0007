//! Seller networks (循线深挖, 反向追溯): which shops are run by the same people.
//!
//! Counterfeit sellers run many shops, on many platforms, under many names; closing one
//! is useless unless its siblings are found (2017 网剑 campaign 004 二(三); 000 四(一);
//! 001 二(一)). What gives them away is what they cannot cheaply change: a phone, an
//! e-mail box, a messaging handle, the operator's identity number or credit code, the
//! bank account the money goes to, the return or ship-from address, the device and the
//! IP address the back office is used from.
//!
//! - [`normalize`] turns an identifier as written into its normalized form, so that two
//!   spellings of one phone, box or place agree ([`normalize_address`] for addresses:
//!   GB/T 2260 division plus house numbers written one way), and refuses values that
//!   identify nobody (placeholders, private IP ranges, an address without a house number).
//! - [`Networks`] links shops carrying the same normalized value and keeps the networks
//!   (connected groups) up to date as sightings arrive, with the provenance of every link
//!   (which identifier, from which source, first and last seen). Values carried by more
//!   shops than their space's cap ([`Caps`]: a platform's default phone, a cloud
//!   warehouse, an ERP service's IP) are reported, not linked; the exact semantics,
//!   including a value crossing its cap later, are on [`Networks`].
//! - [`Interner`] and [`DisjointSets`] are the building blocks, public for the brushing
//!   detector, which groups accounts the same way.
//!
//! For a store: keep the sightings (shop, kind, normalized value, source, first/last
//! seen) as rows, replay them into a [`Networks`] at start (`add`), feed each platform
//! push through `add`, and rewrite the network rows of the shops [`Update::changed`]
//! names; [`Networks::network_of`] gives one shop's network page with its evidence.
//!
//! This crate must never do I/O, read the clock (times come in as arguments), draw
//! randomness that changes a result, or panic on outside input; and it must never show a
//! personal value (phone, e-mail, handle, identity number, bank account) unmasked unless
//! the caller asks ([`display_value`]).

#![deny(missing_docs)]

mod address;
mod identifier;
mod networks;
mod sets;

pub use address::{display_address, normalize_address};
pub use identifier::{
    display_value, normalize, Identifier, Invalid, Kind, Options, Space, UnknownKind,
};
pub use networks::{Capped, Caps, Carrier, Link, Network, Networks, Sighting, Update, ValueRef};
pub use sets::{DisjointSets, Interner};
