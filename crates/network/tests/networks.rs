//! The public behaviour of `Networks`: linking, provenance, caps, and the one semantics
//! whatever the order and batching of the sightings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;
use wangjian_network::{normalize, Caps, Identifier, Kind, Networks, Options, Sighting, Space};

fn id(kind: Kind, v: &str) -> Identifier {
    normalize(kind, v, Options::default()).unwrap()
}

fn sight<'a>(shop: &'a str, ident: &'a Identifier, at: i64) -> Sighting<'a> {
    Sighting {
        shop,
        identifier: ident,
        source: "platform:云集",
        at: Some(at),
    }
}

#[test]
fn shops_sharing_a_normalized_value_are_one_network_with_provenance() {
    let phone_a = id(Kind::Phone, "+86 138-0013-8000");
    let phone_b = id(Kind::Phone, "13800138000");
    let ret = id(Kind::ReturnAddress, "浙江省杭州市西湖区文三路90号");
    let ship = id(Kind::ShipFromAddress, "浙江杭州西湖区文三路９０号");
    let other = id(Kind::Phone, "13900139000");
    let mut n = Networks::default();
    let u = n.add([
        sight("淘宝:a", &phone_a, 100),
        sight("京东:b", &phone_b, 200),
        sight("京东:b", &ret, 200),
        sight("拼多多:c", &ship, 300),
        sight("拼多多:d", &other, 300),
    ]);
    assert_eq!(u.new_shops, 4);
    assert_eq!(u.new_sightings, 5);
    let net = n.network_of("拼多多:c", false).unwrap();
    assert_eq!(net.shops, ["京东:b", "拼多多:c", "淘宝:a"]);
    assert_eq!(net.network_id, "N:京东:b");
    assert_eq!(net.links.len(), 2);
    let phone = net.links.iter().find(|l| l.space == Space::Phone).unwrap();
    assert_eq!(phone.value, "138****8000");
    assert_eq!(phone.carriers[0].shop, "京东:b");
    assert_eq!(phone.carriers[0].source, "platform:云集");
    assert_eq!(phone.carriers[0].first_seen, Some(200));
    let place = net
        .links
        .iter()
        .find(|l| l.space == Space::Address)
        .unwrap();
    let kinds: BTreeSet<Kind> = place.carriers.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([Kind::ReturnAddress, Kind::ShipFromAddress])
    );
    assert_eq!(n.network_of("拼多多:d", false).unwrap().shops, ["拼多多:d"]);
    assert_eq!(n.networks(2, false).len(), 1);
    assert!(n.network_of("nobody", false).is_none());
    // The same sighting again only widens its dates.
    let u = n.add([sight("淘宝:a", &phone_a, 50)]);
    assert_eq!((u.new_shops, u.new_sightings), (0, 0));
    let net = n.network_of("淘宝:a", true).unwrap();
    let phone = net.links.iter().find(|l| l.space == Space::Phone).unwrap();
    assert_eq!(phone.value, "13800138000");
    let a = phone.carriers.iter().find(|c| c.shop == "淘宝:a").unwrap();
    assert_eq!((a.first_seen, a.last_seen), (Some(50), Some(100)));
}

#[test]
fn a_value_crossing_its_cap_withdraws_its_links() {
    let mut caps = Caps::default();
    caps.set(Space::Phone, 3);
    let mut n = Networks::new(caps);
    let hub = id(Kind::Phone, "4008208820");
    let own = id(Kind::Email, "boss@qq.com");
    let shops = ["s1", "s2", "s3", "s4"];
    let u = n.add([
        sight("s1", &hub, 1),
        sight("s2", &hub, 1),
        sight("s3", &hub, 1),
    ]);
    assert!(u.newly_capped.is_empty());
    assert_eq!(n.networks(2, false)[0].shops.len(), 3);
    // s1 and s3 also share an e-mail box: that link survives the cap.
    n.add([sight("s1", &own, 2), sight("s3", &own, 2)]);
    let u = n.add([sight(shops[3], &hub, 3)]);
    assert_eq!(u.newly_capped.len(), 1);
    assert_eq!(u.newly_capped[0].value, "4008208820");
    assert_eq!(u.changed, ["s1", "s2", "s4"]);
    let nets = n.networks(1, false);
    let sizes: Vec<usize> = nets.iter().map(|x| x.shops.len()).collect();
    assert_eq!(sizes, [2, 1, 1]);
    assert_eq!(nets[0].shops, ["s1", "s3"]);
    assert_eq!(nets[0].capped.len(), 1);
    assert_eq!(nets[0].capped[0].shops, 4);
    assert_eq!(n.capped(false)[0].value, "400***8820");
    // Raising the cap links them all again.
    let mut caps = Caps::default();
    caps.set(Space::Phone, 10);
    n.set_caps(caps);
    assert_eq!(n.networks(2, false)[0].shops.len(), 4);
}

/// The definition, computed from scratch: components of shops joined by values carried
/// by at most `cap` shops.
fn reference(sightings: &[(u8, u8)], cap: u32) -> BTreeSet<BTreeSet<u8>> {
    let mut carriers: BTreeMap<u8, BTreeSet<u8>> = BTreeMap::new();
    let mut shops: BTreeSet<u8> = BTreeSet::new();
    for &(s, v) in sightings {
        carriers.entry(v).or_default().insert(s);
        shops.insert(s);
    }
    let mut adj: HashMap<u8, Vec<u8>> = HashMap::new();
    for c in carriers.values().filter(|c| c.len() as u32 <= cap) {
        let first = *c.iter().next().unwrap();
        for &s in c {
            adj.entry(first).or_default().push(s);
            adj.entry(s).or_default().push(first);
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = BTreeSet::new();
    for &s in &shops {
        if !seen.insert(s) {
            continue;
        }
        let mut comp = BTreeSet::from([s]);
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            for &y in adj.get(&x).into_iter().flatten() {
                if seen.insert(y) {
                    comp.insert(y);
                    stack.push(y);
                }
            }
        }
        out.insert(comp);
    }
    out
}

fn grouped(n: &Networks) -> BTreeSet<BTreeSet<u8>> {
    n.networks(1, true)
        .into_iter()
        .map(|net| net.shops.iter().map(|s| s.parse::<u8>().unwrap()).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Any order, any batching, any cap: the networks are the components of the
    /// definition.
    #[test]
    fn incremental_grouping_equals_the_definition(
        sightings in prop::collection::vec((0u8..40, 0u8..25), 0..150),
        cuts in prop::collection::vec(0usize..150, 0..6),
        cap in 2u32..6,
    ) {
        let idents: Vec<Identifier> = (0..25)
            .map(|v| id(Kind::Phone, &format!("1380013{:04}", v)))
            .collect();
        let names: Vec<String> = (0..40).map(|s| s.to_string()).collect();
        let mut caps = Caps::default();
        caps.set(Space::Phone, cap);
        let mut n = Networks::new(caps);
        let mut bounds: Vec<usize> = cuts.into_iter().filter(|&c| c < sightings.len()).collect();
        bounds.push(0);
        bounds.push(sightings.len());
        bounds.sort_unstable();
        for w in bounds.windows(2) {
            n.add(sightings[w[0]..w[1]].iter().map(|&(s, v)| Sighting {
                shop: &names[s as usize],
                identifier: &idents[v as usize],
                source: "t",
                at: None,
            }));
            prop_assert_eq!(grouped(&n), reference(&sightings[..w[1]], cap));
        }
        // A full rebuild agrees too.
        n.set_caps(n.caps().clone());
        prop_assert_eq!(grouped(&n), reference(&sightings, cap));
    }
}
