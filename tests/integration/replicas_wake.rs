//! Sales blocked on their customer are woken by the customer's finish, also
//! when replicas claim and finish at the same moment: two servers on one
//! PostgreSQL database, four workers each with production's batching, 32
//! sales in flight spread over both, and the backstop sweep running only
//! when an engine starts: every sale must land once, woken by its
//! customer's finish or its own later events, never by the sweep. (The race
//! the per-store block lock orders — a claim blocking a sale while another
//! worker's finish wakes that customer's dependents — did not show here with
//! the lock taken out; `bench orders --database-url` shows it: 68 sales left
//! to the sweep, 141 instead of 449 orders/s.) (Needs FORCESYNC_TEST_PG.)

use std::time::Duration;

use tokio::task::JoinSet;

use forcesync::pb;

use crate::helpers::{Bearer, postgres, process};
use crate::sync_crash::assert_nothing_parked;
use crate::sync_faults::{assert_exact_sales, checkout_event, order_events, orders, synced};
use crate::sync_restart::{connected, engine};

const SALES: u32 = 600;
const IN_FLIGHT: u32 = 32;

#[tokio::test]
async fn sales_blocked_on_customers_are_woken_by_their_finish_across_replicas() {
    let Some(url) = postgres::fresh_database().await else { return };
    let setup = connected(Some(url)).await;
    // Production's batching (workers wait to fill batches, events linger to be written together),
    // so claims and finishes of large batches overlap as they do under load.
    let busy = forcesync::engine::EngineConfig {
        workers: 4,
        batch_wait: Duration::from_millis(300),
        linger: Duration::from_millis(200),
        ..engine()
    };
    let dir = tempfile::tempdir().expect("data dir");
    let other = process::start(dir, setup.app.database_url.clone(), busy).await;

    let mut senders = JoinSet::new();
    for lane in 0..IN_FLIGHT {
        let channels = [setup.app.channel.clone(), other.channel.clone()];
        let token = setup.token.clone();
        senders.spawn(async move {
            for n in (lane..SALES).step_by(IN_FLIGHT as usize) {
                let channel = channels[n as usize % channels.len()].clone();
                let mut client =
                    pb::sync_service_client::SyncServiceClient::with_interceptor(channel, Bearer::new(&token));
                for events in [vec![checkout_event(n)], order_events(n).to_vec()] {
                    client.submit_events(pb::SubmitEventsRequest { events }).await.expect("accepted");
                }
            }
        });
    }
    while let Some(sent) = senders.join_next().await {
        sent.expect("sender");
    }
    // No sweep runs after the engines start (test engines sweep once): only finishes wake sales.
    synced(&setup, orders(0..SALES), 3).await;
    assert_exact_sales(&setup, SALES).await;
    assert_nothing_parked(&setup).await;
}
