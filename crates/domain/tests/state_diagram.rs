//! STATE_MACHINE.txt is generated from the transition table; this test keeps it true.
//! After changing the table: `UPDATE_STATE_MACHINE=1 cargo test -p wangjian-domain --test state_diagram`.

#[test]
fn state_machine_txt_matches_the_table() {
    let rendered = wangjian_domain::render_state_diagram();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/STATE_MACHINE.txt");
    if std::env::var_os("UPDATE_STATE_MACHINE").is_some() {
        std::fs::write(path, &rendered).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "STATE_MACHINE.txt is stale: rerun with UPDATE_STATE_MACHINE=1"
    );
}
