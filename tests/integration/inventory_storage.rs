//! Inventory storage on both backends: a level that arrives while its SKU is
//! being pushed stays pending (the push records what Salesforce now holds,
//! not that the SKU is done), and an older level never replaces a newer one.

use forcesync::domain::inventory::Level;
use forcesync::storage::inventory::{Accepted, LevelResult, LevelState};

use crate::helpers::spawn_app_on;
use crate::inventory::databases;

fn level(quantity: &str, as_of: i64) -> Level {
    Level { sku: "A".into(), quantity: quantity.into(), as_of }
}

fn written(quantity: &str, as_of: i64) -> LevelResult {
    LevelResult {
        sku: "A".into(),
        as_of,
        state: LevelState::Written,
        written: Some(quantity.into()),
        record_id: Some("01t000000000001AAA".into()),
        error: None,
    }
}

#[tokio::test]
async fn a_level_arriving_during_its_push_stays_pending_and_an_older_one_changes_nothing() {
    for database in databases().await {
        let app = spawn_app_on(database).await;
        app.create_store("main").await;
        let storage = &app.server.storage;
        let store = storage.store_id("main").await.expect("store");
        let first = storage.accept_inventory(store, "e1", b"h1", &[level("1", 10)], false, 1).await.expect("e1");
        assert_eq!(first, Accepted::New { received_at: 1, accepted: 1, superseded: 0 });
        let pushed = storage.pending_levels(store).await.expect("pending");
        assert_eq!(pushed.len(), 1);

        // While level 1 is pushed, level 2 (newer) and level 3 (older than 2) arrive.
        let newer = storage.accept_inventory(store, "e2", b"h2", &[level("2", 20)], false, 2).await.expect("e2");
        assert_eq!(newer, Accepted::New { received_at: 2, accepted: 1, superseded: 0 });
        let older = storage.accept_inventory(store, "e3", b"h3", &[level("3", 15)], false, 3).await.expect("e3");
        assert_eq!(older, Accepted::New { received_at: 3, accepted: 0, superseded: 1 });
        let again = storage.accept_inventory(store, "e3", b"h3", &[level("3", 15)], false, 4).await.expect("e3");
        assert_eq!(again, Accepted::Duplicate { received_at: 3, accepted: 0, superseded: 1 });
        assert_eq!(storage.accept_inventory(store, "e3", b"hX", &[], false, 5).await.expect("e3"), Accepted::Reused);

        storage.record_levels(store, &[written("1", 10)], 4).await.expect("record");
        let pending = storage.pending_levels(store).await.expect("pending");
        assert_eq!(pending.len(), 1, "the newer level is still to be written");
        assert_eq!((pending[0].quantity.as_str(), pending[0].as_of), ("2", 20));
        assert_eq!(pending[0].written.as_deref(), Some("1"), "what Salesforce holds is remembered");
        assert!(pending[0].record_id.is_some(), "and the record's Id");

        storage.record_levels(store, &[written("2", 20)], 5).await.expect("record");
        assert!(storage.pending_levels(store).await.expect("pending").is_empty());
        assert_eq!(storage.inventory_counts(store).await.expect("counts").pending, 0);
    }
}
