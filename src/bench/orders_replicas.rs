//! `forcesync bench orders --replicas N`: the same orders into one server,
//! then spread over N servers sharing one PostgreSQL database. Each side
//! runs twice: overlapped (the engine syncs while orders come in, first
//! submit to all synced) and queued (the store held while every order is
//! taken in and folded, then released), which times the intake and the sync
//! apart. On one machine every replica shares its cores and the database
//! with the others and with the client, so the intake (CPU and commits) can
//! only be shared out, not multiplied; the sync of queued work, which waits
//! on Salesforce, is what replicas add.

use crate::engine::Strategy;

use super::Table;
use super::harness::{cores, list};
use super::orders::{OrdersBenchArgs, Phases, RunResult, run_strategy};

pub(super) async fn run(args: &OrdersBenchArgs) -> anyhow::Result<()> {
    let replicas = usize::from(args.replicas);
    let mut sides = Vec::new();
    for servers in [1, replicas] {
        let overlapped = run_strategy(args, Strategy::Batched, args.orders, servers, Phases::Overlapped).await?;
        let queued = run_strategy(args, Strategy::Batched, args.orders, servers, Phases::QueueThenDrain).await?;
        sides.push((overlapped, queued));
    }
    let [(one, one_queued), (many, many_queued)] =
        <[_; 2]>::try_from(sides).map_err(|_| anyhow::anyhow!("expected two sides"))?;
    print!("{}", render(args, [&one, &one_queued], [&many, &many_queued]).render());
    Ok(())
}

fn render(args: &OrdersBenchArgs, one: [&RunResult; 2], many: [&RunResult; 2]) -> Table {
    let replicas = args.replicas;
    let mut table =
        Table::new("Orders to Salesforce: one server vs replicas", "1 server", &format!("{replicas} replicas"));
    let drained = |r: &RunResult| r.drained_per_second().unwrap_or_default();
    table.row("sync of queued orders (store released)", drained(one[1]), drained(many[1]), "orders/s");
    table.row(
        "intake while held, events acknowledged",
        one[1].events_per_second(),
        many[1].events_per_second(),
        "events/s",
    );
    table.row(
        "overlapped, first submit to all synced",
        one[0].orders_per_second(),
        many[0].orders_per_second(),
        "orders/s",
    );
    table.row("API calls per 1,000 orders (queued)", one[1].calls_per_1000(), many[1].calls_per_1000(), "calls");
    table.row("API calls per 1,000 orders (overlapped)", one[0].calls_per_1000(), many[0].calls_per_1000(), "calls");
    table.note(format!(
        "Each run: {} orders (new customer, checkout of 3 items from {} SKUs, placed order, payment), {} in flight \
         spread over the servers; {} engine workers per server; sandbox latency {} ms; PostgreSQL (a scratch schema \
         per run); client, sandbox and servers in one process on {} cores. Target: {replicas} replicas ≥ 2.5× one \
         server's orders/s at 100 ms.",
        args.orders,
        args.skus.max(3),
        args.concurrency,
        args.workers.max(1),
        args.sf_latency_ms,
        cores(),
    ));
    table.note(
        "Queued: the store is paused while the orders come in and are folded, then resumed; the sync row is the \
         orders divided by the time from the release to all synced. Overlapped: the engine syncs while the orders \
         come in."
            .to_owned(),
    );
    for (name, [overlapped, queued]) in [("1 server", one), ("replicas", many)] {
        table.note(format!(
            "{name}: overlapped {} orders in {:.1} s ({} API calls: {}); queued: taken in {:.1} s, synced {:.1} s \
             after the release ({} API calls: {}).",
            overlapped.orders,
            overlapped.seconds,
            overlapped.delta.api_used,
            list(&overlapped.delta.calls),
            queued.submit_seconds,
            queued.drain_seconds.unwrap_or_default(),
            queued.delta.api_used,
            list(&queued.delta.calls),
        ));
    }
    table
}
