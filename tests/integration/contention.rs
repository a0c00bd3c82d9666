//! Writers never fail each other: configuration writes (credentials,
//! settings, tokens, stores) while the Sync API and the engine write events
//! and entities, all on one SQLite file. No RPC may fail because another one
//! writes ("database is locked").

use forcesync::pb;

use crate::helpers::sync::{connected_store, sale_events};

#[tokio::test]
async fn configuration_writes_and_event_intake_never_lock_each_other_out() {
    let setup = connected_store().await;
    let writer = {
        let sync = setup.sync();
        tokio::spawn(async move {
            let mut sync = sync;
            for round in 0..150 {
                let mut events = sale_events();
                for (n, event) in events.iter_mut().enumerate() {
                    rename(event, &format!("r{round}-{n}"));
                }
                sync.submit_events(pb::SubmitEventsRequest { events }).await.expect("submit while config is written");
            }
        })
    };
    let mut config = setup.app.config(&setup.token);
    let mut admin = setup.app.admin();
    let secret = |value: String| pb::CredentialValue { kind: pb::CredentialKind::SecurityToken as i32, value };
    for round in 0..60 {
        let request = pb::SetCredentialsRequest {
            store_code: "main".into(),
            credentials: vec![secret(crate::helpers::sandbox::TOKEN.into())],
        };
        config.set_credentials(request).await.unwrap_or_else(|e| panic!("round {round}: set credentials: {e:?}"));
        let etag = config
            .get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() })
            .await
            .expect("get config")
            .into_inner()
            .etag;
        let update = pb::UpdateStoreConfigRequest {
            store_code: "main".into(),
            settings: Some(pb::StoreSettings { sales_cycle_days: 30 + round % 5, ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["sales_cycle_days".into()] }),
            etag,
        };
        config.update_store_config(update).await.unwrap_or_else(|e| panic!("round {round}: update settings: {e:?}"));
        let code = format!("side{round}");
        let create = pb::CreateStoreRequest { code: code.clone(), display_name: "Side".into() };
        admin.create_store(create).await.unwrap_or_else(|e| panic!("round {round}: create store: {e:?}"));
        admin
            .delete_store(pb::DeleteStoreRequest { code })
            .await
            .unwrap_or_else(|e| panic!("round {round}: delete: {e:?}"));
    }
    writer.await.expect("the event writer");
}

/// Gives the event (and the ids it names) a unique suffix.
fn rename(event: &mut pb::SyncEvent, suffix: &str) {
    use pb::sync_event::Event;
    match &mut event.event {
        Some(Event::Checkout(c)) => {
            c.event_id = format!("co-{suffix}");
            c.cart_id = format!("cart-{suffix}");
        }
        Some(Event::Order(o)) => {
            o.event_id = format!("or-{suffix}");
            o.order_id = format!("ord-{suffix}");
            o.cart_id.clear();
        }
        Some(Event::Payment(p)) => {
            p.event_id = format!("pa-{suffix}");
            p.order_id = format!("ord-{suffix}");
        }
        _ => {}
    }
}
