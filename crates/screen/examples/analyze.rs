//! Prints how names are taken apart: `cargo run -p wangjian-screen --example analyze -- NAME...`.
fn main() {
    for name in std::env::args().skip(1) {
        println!("{name}\t{:?}", wangjian_screen::analyze_name(&name));
    }
}
