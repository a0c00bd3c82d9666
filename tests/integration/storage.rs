//! The storage contract, run on SQLite always and on PostgreSQL when
//! FORCESYNC_TEST_PG is set (each run in a fresh schema).

use forcesync::domain::settings::StoreSettings;
use forcesync::pb::{GetStoreConfigRequest, StoreSettings as WireSettings, UpdateStoreConfigRequest};
use forcesync::storage::{Actor, CredentialKind, Storage, StorageError};

use crate::helpers::{postgres, spawn_app_on};

pub(crate) async fn backends() -> Vec<(Storage, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Storage::connect(&Storage::default_sqlite_url(dir.path())).await.expect("sqlite");
    let mut all = vec![(sqlite, dir)];
    if let Some(url) = postgres::fresh_database().await {
        all.push((Storage::connect(&url).await.expect("postgres"), tempfile::tempdir().expect("temp dir")));
    }
    for (storage, _) in &all {
        storage.migrate().await.expect("migrate");
        storage.migrate().await.expect("migrating twice is a no-op");
    }
    all
}

#[tokio::test]
async fn stores_tokens_and_audit() {
    for (db, _dir) in backends().await {
        let backend = db.backend_name();
        let (store, issued) =
            db.create_store("main", "Main", &StoreSettings::default(), &Actor::Admin).await.expect(backend);
        assert_eq!(store.token_id.as_deref(), Some(issued.token_id.as_str()));
        assert!(matches!(
            db.create_store("main", "Again", &StoreSettings::default(), &Actor::Admin).await,
            Err(StorageError::StoreExists(_))
        ));
        let owner = db.find_store_token(&issued.token.hash()).await.expect(backend).expect("token found");
        assert_eq!((owner.store_code.as_str(), owner.token_id.as_str()), ("main", issued.token_id.as_str()));

        let (_, rotated) = db.rotate_store_token("main", &Actor::Cli).await.expect(backend);
        assert_eq!(db.find_store_token(&issued.token.hash()).await.expect(backend), None, "old token revoked");
        assert!(db.find_store_token(&rotated.token.hash()).await.expect(backend).is_some());

        for code in ["b", "c", "d"] {
            db.create_store(code, code, &StoreSettings::default(), &Actor::Admin).await.expect(backend);
        }
        let page: Vec<String> = db.list_stores("b", 2).await.expect(backend).into_iter().map(|s| s.code).collect();
        assert_eq!(page, ["c", "d"], "{backend}");

        db.delete_store("main", &Actor::Admin).await.expect(backend);
        assert!(matches!(db.get_store("main").await, Err(StorageError::StoreNotFound(_))));
        assert_eq!(db.find_store_token(&rotated.token.hash()).await.expect(backend), None, "tokens cascade");
        let audit = db.list_audit("main", 10).await.expect(backend);
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["delete_store", "rotate_store_token", "create_store"], "{backend}");
        assert_eq!(audit[1].actor, "cli");
        db.close().await;
    }
}

#[tokio::test]
async fn settings_versions_and_credentials() {
    for (db, _dir) in backends().await {
        let backend = db.backend_name();
        db.create_store("main", "Main", &StoreSettings::default(), &Actor::Admin).await.expect(backend);
        let current = db.get_settings("main").await.expect(backend);
        assert_eq!((current.version, current.settings.clone()), (1, StoreSettings::default()));

        let mut changed = current.settings.clone();
        changed.invoice_date_as_close_date = true;
        let fields = vec!["invoice_date_as_close_date".to_owned()];
        let saved = db.update_settings("main", 1, &changed, &Actor::Admin, &fields).await.expect(backend);
        assert_eq!(saved.version, 2);
        let conflict = db.update_settings("main", 1, &StoreSettings::default(), &Actor::Admin, &fields).await;
        assert!(matches!(conflict, Err(StorageError::VersionConflict { expected: 1, current: 2 })), "{backend}");
        assert_eq!(db.get_settings("main").await.expect(backend).settings, changed);
        assert!(matches!(db.get_settings("nope").await, Err(StorageError::StoreNotFound(_))));

        let changes =
            vec![(CredentialKind::Password, Some(vec![1, 2, 3])), (CredentialKind::ClientSecret, Some(vec![4]))];
        let statuses = db.set_credentials("main", &changes, &Actor::Admin).await.expect(backend);
        assert_eq!(
            statuses.iter().map(|s| s.kind).collect::<Vec<_>>(),
            [CredentialKind::Password, CredentialKind::ClientSecret]
        );
        let cleared =
            db.set_credentials("main", &[(CredentialKind::Password, None)], &Actor::Admin).await.expect(backend);
        assert_eq!(cleared.iter().map(|s| s.kind).collect::<Vec<_>>(), [CredentialKind::ClientSecret]);
        assert!(matches!(
            db.set_credentials("nope", &changes, &Actor::Admin).await,
            Err(StorageError::StoreNotFound(_))
        ));

        assert_eq!(db.admin_token_hash().await.expect(backend), None);
        let hash = forcesync::domain::token::Token::from_secret("x").hash();
        assert!(db.store_admin_token_hash(&hash).await.expect(backend));
        assert!(
            !db.store_admin_token_hash(&forcesync::domain::token::Token::from_secret("y").hash()).await.expect(backend)
        );
        assert_eq!(db.admin_token_hash().await.expect(backend), Some(hash));
        db.close().await;
    }
}

/// The API end to end on PostgreSQL (skipped without FORCESYNC_TEST_PG).
#[tokio::test]
async fn api_on_postgres() {
    let Some(url) = postgres::fresh_database().await else { return };
    let app = spawn_app_on(Some(url)).await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let request = UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(WireSettings { sales_cycle_days: 12, ..Default::default() }),
        update_mask: None,
        etag: "v1".into(),
    };
    assert_eq!(client.update_store_config(request).await.expect("update").into_inner().etag, "v2");
    let config = client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("get");
    assert_eq!(config.into_inner().settings.expect("settings").sales_cycle_days, 12);
}

/// What the operator reads when the database cannot be opened: the full chain, as `forcesync` prints it.
async fn connect_failure(url: &str) -> String {
    let guard = std::time::Duration::from_secs(20);
    let result = tokio::time::timeout(guard, Storage::connect(url)).await.expect("fails instead of hanging");
    let message = format!("{:#}", anyhow::Error::from(result.expect_err("cannot connect")));
    for part in message.split(": ") {
        assert_eq!(message.matches(part).count(), 1, "{part:?} is said once: {message}");
    }
    message
}

#[tokio::test]
async fn a_failed_connect_names_the_database_once_and_fast() {
    let message = connect_failure("postgres://postgres@127.0.0.1:1/test").await;
    assert!(message.contains("PostgreSQL at 127.0.0.1:1/test"), "{message}");
    assert!(message.to_lowercase().contains("refused"), "says why: {message}");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("no-such-dir").join("forcesync.db");
    let message = connect_failure(&format!("sqlite://{}", file.display())).await;
    assert!(message.contains(&format!("SQLite database {}", file.display())), "{message}");
}

#[tokio::test]
async fn a_failed_connect_never_shows_the_password() {
    for url in ["postgres://shop:s3cret-Pa55@127.0.0.1:1/shop", "postgres://shop:s3cret-Pa55@127.0.0.1:99999/shop"] {
        let message = connect_failure(url).await;
        assert!(!message.contains("s3cret-Pa55") && !message.contains(url), "{message}");
        assert!(message.contains("PostgreSQL"), "{message}");
    }
}

/// SQLite's commits do not checkpoint the WAL themselves below 64 MiB (so no
/// caller waits for a checkpoint's copy and sync); the storage's own task
/// does: 2 MB written in one transaction by a connection of the test's own,
/// below SQLite's default 1,000-page autocheckpoint, still reach the database file.
#[tokio::test]
async fn sqlite_checkpoints_the_wal_off_the_commit_path() {
    use sqlx::Connection as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = Storage::default_sqlite_url(dir.path());
    let storage = Storage::connect(&url).await.expect("sqlite");
    storage.migrate().await.expect("migrate");
    let mut own = sqlx::SqliteConnection::connect(&url).await.expect("a connection of the test's own");
    let autocheckpoint: i64 =
        sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut own).await.expect("pragma");
    assert_eq!(autocheckpoint, 1000, "the test's connection keeps SQLite's default, and stays below it");
    let file = dir.path().join("forcesync.db");
    let size = || std::fs::metadata(&file).expect("database file").len();
    let before = size();
    let mut tx = own.begin().await.expect("begin");
    sqlx::query("CREATE TABLE filler (bytes BLOB)").execute(&mut *tx).await.expect("create");
    for _ in 0..2_000 {
        sqlx::query("INSERT INTO filler VALUES (randomblob(1000))").execute(&mut *tx).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    assert!(size() < before + 2_000_000, "committed to the WAL, not yet to the file");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while size() < before + 2_000_000 {
        assert!(std::time::Instant::now() < deadline, "the WAL never reached the database file");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    own.close().await.expect("close");
    storage.close().await;
}

/// Under writes that never pause, SQLite's WAL still starts over before the
/// commits' own 64 MiB backstop checkpoint (which stalled the intake for
/// tens of milliseconds each time): the checkpoint task finishes its
/// checkpoint with the write turn held, so it is complete and the next
/// commit restarts the WAL. Sixteen submitters keep the intake's writer busy
/// until the WAL has started over three times (its header counts restarts);
/// the WAL file never grows near the backstop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_starts_over_while_writes_never_pause() {
    use forcesync::storage::sync::Intake;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let (db, store, dir) = crate::sync_storage::backends().await.swap_remove(0);
    assert_eq!(db.backend_name(), "sqlite");
    let intake = Intake::start(db.clone(), Arc::new(tokio::sync::Notify::new()));
    let wal = dir.path().join("forcesync.db-wal");
    // The WAL header's checkpoint sequence number (bytes 12..16, big-endian) counts its restarts.
    let restarts = || {
        let header = std::fs::read(&wal).ok().filter(|bytes| bytes.len() >= 16)?;
        Some(u32::from_be_bytes([header[12], header[13], header[14], header[15]]))
    };
    let (stop, sent) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let mut submitters = tokio::task::JoinSet::new();
    for task in 0..16 {
        let (intake, stop, sent) = (intake.clone(), stop.clone(), sent.clone());
        submitters.spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("w{task}-{n}");
                intake.submit(store, &[crate::sync_storage::paid(&id, &id)]).await.expect("submit");
                sent.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        });
    }
    // Three quarters of the backstop: the old task's WAL grew there (and on to the backstop) in 0.4 s.
    const TOO_LARGE: u64 = 48 << 20;
    let (mut first, mut largest) = (None, 0);
    let started = loop {
        tokio::task::yield_now().await;
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        let Some(now) = restarts() else { continue };
        let first = *first.get_or_insert(now);
        if now.wrapping_sub(first) >= 3 || largest >= TOO_LARGE {
            break now.wrapping_sub(first);
        }
    };
    stop.store(true, Ordering::Relaxed);
    while let Some(done) = submitters.join_next().await {
        done.expect("submitter");
    }
    let mib = largest >> 20;
    assert!(started >= 3, "the WAL started over {started} times in {} events", sent.load(Ordering::Relaxed));
    assert!(largest < TOO_LARGE, "the WAL file grew to {mib} MiB");
    db.close().await;
}

/// PostgreSQL: a backlog table that changed by more than a fifth since it was
/// last analyzed is analyzed (so a burst of events is planned for its size),
/// and once analyzed it is left alone. SQLite keeps no planner statistics.
#[tokio::test]
async fn postgres_statistics_follow_a_burst_of_events() {
    use forcesync::storage::sync::Intake;
    use std::time::{Duration, Instant};
    for (db, _url, store_id, _dir) in crate::sync_storage::backends_with_urls().await {
        let intake = Intake::start(db.clone(), std::sync::Arc::new(tokio::sync::Notify::new()));
        let events: Vec<_> =
            (0..3_000).map(|i| crate::sync_storage::paid(&format!("burst-{i}"), &format!("o{i}"))).collect();
        for chunk in events.chunks(500) {
            intake.submit(store_id, chunk).await.expect("submit");
        }
        if db.backend_name() == "sqlite" {
            assert!(db.refresh_statistics().await.expect("sqlite").is_empty());
            continue;
        }
        // PostgreSQL's statistics views learn of a backend's writes when it flushes them (within seconds).
        let deadline = Instant::now() + Duration::from_secs(60);
        while !db.refresh_statistics().await.expect("refresh").contains(&"sync_events") {
            assert!(Instant::now() < deadline, "sync_events was never analyzed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let again = db.refresh_statistics().await.expect("refresh again");
        assert!(!again.contains(&"sync_events"), "analyzed once, then left alone: {again:?}");
    }
}
