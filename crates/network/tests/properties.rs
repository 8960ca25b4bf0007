//! Normalizers never panic on outside input, and a normalized value normalizes to itself.

use proptest::prelude::*;
use wangjian_network::{normalize, Kind, Options};

/// Kinds whose normalized value is itself a valid input of the kind.
const STABLE: [Kind; 7] = [
    Kind::Phone,
    Kind::Email,
    Kind::Social,
    Kind::CitizenId,
    Kind::Uscc,
    Kind::BankAccount,
    Kind::Device,
];

proptest! {
    #[test]
    fn never_panics(s in any::<String>(), k in 0usize..10) {
        let _ = normalize(Kind::ALL[k], &s, Options::default());
        let _ = normalize(Kind::ALL[k], &s, Options { email_subaddress: true });
    }

    #[test]
    fn never_panics_on_likely_shapes(
        s in "[0-9０-９+\\-#@.:a-fA-F 号栋单元室层楼一二三十百零〇省市区路]{0,40}",
        k in 0usize..10,
    ) {
        let _ = normalize(Kind::ALL[k], &s, Options::default());
    }

    #[test]
    fn idempotent(s in "[0-9a-zA-Z@.+:_\\- ]{1,30}", k in 0usize..7) {
        let kind = STABLE[k];
        if let Ok(once) = normalize(kind, &s, Options::default()) {
            let twice = normalize(kind, &once.value, Options::default());
            prop_assert_eq!(twice.map(|i| i.value), Ok(once.value));
        }
    }

    #[test]
    fn addresses_are_stable_under_width_and_spacing(n in 1u32..2000, b in 1u32..40, r in 101u32..2000) {
        let plain = format!("浙江省杭州市西湖区文三路{n}号{b}栋{r}室");
        let wide: String = format!("浙江省 杭州市 西湖区 文三路{n}号{b}幢{r}")
            .chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
            .collect();
        let a = normalize(Kind::ReturnAddress, &plain, Options::default()).unwrap();
        let w = normalize(Kind::ShipFromAddress, &wide, Options::default()).unwrap();
        prop_assert_eq!(a.value, w.value);
    }
}
