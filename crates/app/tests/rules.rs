//! The active rule set: the marks files are read once per process, the registry is
//! followed, and what loading noted is kept for the adapter to say.

use std::sync::Arc;

use wangjian_app::{ActiveRules, RuleSource};
use wangjian_detect::parse_marks;
use wangjian_store::Store;

const HEADER: &str = "mark,aliases,owner,categories,reference_price_cny,authorized_shops\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_read_once_and_the_registry_is_followed() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    let dir = std::env::temp_dir().join(format!("wj-app-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("marks.csv");
    // One word, two owners, and one row repeated: merged with a note, never refused.
    std::fs::write(
        &file,
        format!(
            "{HEADER}长城,,中粮酒业,葡萄酒,200,\n长城,,长城汽车,汽车,100000,\n长城,,中粮酒业,葡萄酒,200,\n"
        ),
    )
    .unwrap();
    let rules = ActiveRules::new(RuleSource {
        marks_files: vec![file.clone()],
        ..RuleSource::default()
    });
    assert!(
        rules.loaded().await.is_none(),
        "nothing read before the first build"
    );
    let first = rules.detector(&store).await.unwrap();
    let loaded = rules.loaded().await.expect("the files' notes are kept");
    assert_eq!(loaded.marks.len(), 2, "one entry per word and owner");
    assert_eq!(loaded.merged.len(), 1, "the repeated row is noted once");
    // Served from the cache: the same detector.
    assert!(Arc::ptr_eq(&first, &rules.detector(&store).await.unwrap()));

    // The file is gone, the registry gains a mark: the rebuild takes the registry's new
    // mark and the files as first read (no second read of the file).
    std::fs::remove_file(&file).unwrap();
    let added = parse_marks("registry", &format!("{HEADER}熊猫,,熊猫乳品,乳制品,30,\n")).unwrap();
    store.put_marks(&added).await.unwrap();
    rules.invalidate().await;
    let second = rules.detector(&store).await.unwrap();
    assert_ne!(first.ruleset_version(), second.ruleset_version());

    // Invalidated again with an unchanged registry: a rebuild gives the same version.
    rules.invalidate().await;
    let third = rules.detector(&store).await.unwrap();
    assert_eq!(second.ruleset_version(), third.ruleset_version());
    std::fs::remove_dir_all(&dir).ok();
}
