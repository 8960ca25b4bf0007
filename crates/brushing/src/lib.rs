//! Brushing (刷单炒信) detection: fake orders and reviews that inflate a shop's sales and
//! reputation (2017 网剑 campaign 004 二(三); 电子商务法 第十七条; 反不正当竞争法 第八条).
//!
//! Input is a platform's orders ([`order`]: one JSON object per line); output is groups of
//! accounts and shops ([`Group`]), each with a score from 0 to 1, a decision, the reasons
//! in Chinese and the order ids that are its evidence.
//!
//! How groups are found ([`detect`]):
//!
//! 1. **Dense blocks** in the buyer × shop graph by greedy peeling after FRAUDAR
//!    ([`fraudar`]: column weights 1/ln(d + 5) against camouflage, repeat orders weighted
//!    up, the ½-optimum guarantee), block after block, each removed before the next.
//! 2. **Seeded searches** for what global density misses (a ring of tens of accounts is
//!    never the densest thing on a platform): around known brushers, around the buyers
//!    of a shop's burst (a 3-day window far above the shop's share of the platform's
//!    orders then), and around accounts sharing a device or an address.
//! 3. **Scoring** each candidate on evidence measured in nats (natural-log likelihood
//!    units): the block's edges against what the accounts' and shops' activity would give
//!    by chance (a Poisson tail under the Chung–Lu expectation), less the cost of having
//!    picked these accounts and shops among all (so that searching cannot manufacture
//!    evidence); the same test inside the busiest time window; and behaviour no honest
//!    crowd shows together: shared devices, addresses and IPs (under caps, so a campus
//!    pickup point or a carrier's NAT links nobody), tiny amounts, template reviews
//!    ([`review`]: near-duplicate text in the match form of `wangjian-text`), empty
//!    parcels. Structure counts in full only for a tight group: at least half of its
//!    shops' orders (in the month or its busiest week), or its accounts each on 20–30% or
//!    more of its shops; a community of honest regulars (a region's active buyers and
//!    shops) is dense too, but diffuse and a minority of its shops' orders. Behaviour
//!    counts only next to structure. Before scoring, a block is trimmed (members no
//!    denser in it than their activity explains: the popular shops of biased
//!    camouflage) and grown (outside accounts and shops with an improbable number of
//!    edges into it), by the same Poisson tail. The score is 1 − 2^(−evidence / 40
//!    nats); `suspicious` from 0.5.
//!
//! What it must never do: read files, the clock or entropy (the caller hands in lines;
//! [`synth`] is seeded), panic on outside input (a bad line is an error naming why), or
//! decide on behaviour alone without structure (a family sharing a tablet is not a ring).
//! A `suspicious` group is a lead for an officer, not a finding.
//!
//! For a store: [`OrdersBuilder`] takes a platform's upload line by line (or
//! [`Preparer::prepare`] on many threads, then [`OrdersBuilder::push`] in order);
//! [`detect`] returns groups whose [`Group::group_id`] is a hash of their accounts and
//! shops, stable across runs, so a re-upload updates the same group.

#![deny(missing_docs)]

mod detect;
mod fastline;
pub mod fraudar;
mod graph;
pub mod order;
mod orders;
pub mod review;
pub mod synth;

pub use detect::{detect, Config, Decision, Group, Reason, Report, Window};
pub use graph::Graph;
pub use order::{parse_order_line, LineError, OrderLine};
pub use orders::{Orders, OrdersBuilder, Prepared, Preparer, EMPTY_PARCEL_KG, EMPTY_PARCEL_WORDS};
