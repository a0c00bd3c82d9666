//! `bench ingest`'s table: each side's median round against the no-op
//! handler, with the CPU each request cost and what that leaves possible.

use anyhow::Context as _;

use super::Table;
use super::harness::cores;
use super::ingest::{IngestBenchArgs, Round, Sample, ServerSample};

/// The table of `rounds`, in Markdown.
pub(super) fn render(args: &IngestBenchArgs, rounds: &[Round]) -> anyhow::Result<String> {
    let rps = |sample: &Sample| sample.rps();
    let server_rps = |server: &ServerSample| server.sample.rps();
    let baseline = median(rounds, |r| Some(&r.baseline), rps).context("no rounds")?;
    let intake = median(rounds, |r| Some(&r.intake), rps).context("no rounds")?;
    let sqlite = median(rounds, |r| r.sqlite.as_ref(), server_rps);
    let postgres = median(rounds, |r| r.postgres.as_ref(), server_rps);
    let servers = [("whole server, SQLite", sqlite), ("whole server, PostgreSQL", postgres)];
    let servers: Vec<(&str, &ServerSample)> =
        servers.into_iter().filter_map(|(name, sample)| Some((name, sample?))).collect();
    let mut sides = vec![("SyncService + intake only, SQLite", intake)];
    sides.extend(servers.iter().map(|(name, server)| (*name, &server.sample)));

    let mut table = Table::new("PlaceOrder ingest: durable ack vs no-op handler", "no-op handler", "durable");
    for (name, durable) in &sides {
        table.row(&format!("requests/s: {name}"), baseline.rps(), durable.rps(), "req/s");
        table.row(&format!("latency p50: {name}"), baseline.millis(50.0), durable.millis(50.0), "ms");
        table.row(&format!("latency p99: {name}"), baseline.millis(99.0), durable.millis(99.0), "ms");
        if let (Some(noop), Some(ours)) = (baseline.cpu_micros(), durable.cpu_micros()) {
            table.row(&format!("CPU per request: {name}"), noop, ours, "µs");
        }
    }
    table.note(format!(
        "{} PlaceOrder requests per side after {} warm-up (each a new order and event id, 3 items), {} in flight \
         over {} HTTP/2 connection(s); client and servers in one process on {} cores. Durable: the real SyncService \
         (store token, validation, the event committed before the answer); \"whole server\" also runs the \
         engine, which folds the events into entities (the store has no Salesforce credentials, so nothing is sent). \
         Targets: whole server ≥ 0.5× the no-op requests/s, p99 ≤ 3× the no-op's.",
        args.requests,
        args.warmup,
        args.concurrency.max(1),
        args.channels.max(1),
        cores(),
    ));
    table.note(format!(
        "Each side's median of {} rounds (all sides in turn, fresh servers and databases each round).",
        rounds.len()
    ));
    for (name, postgres) in [("whole server, SQLite", false), ("whole server, PostgreSQL", true)] {
        let ratios: Vec<String> =
            rounds.iter().filter_map(|r| Some(format!("{:.2}×", r.server_rps(postgres)? / r.baseline.rps()))).collect();
        if !ratios.is_empty() {
            table.note(format!("Requests/s ratio per round, {name}: {}.", ratios.join(", ")));
        }
    }
    table.note(format!("Engine workers poll every {} ms.", args.engine_poll_ms));
    cpu_notes(&mut table, baseline, &sides);
    for (name, durable) in &sides {
        table.note(format!(
            "Group commit, {name}: the acks carry {} distinct commit times (ms), so ≤ {:.1} events per transaction.",
            durable.commit_times,
            durable.requests as f64 / durable.commit_times.max(1) as f64,
        ));
    }
    for (name, server) in &servers {
        table.note(format!(
            "Fold lag, {name}: {} events not yet folded when the last request was answered; all folded {} ms later.",
            server.unfolded,
            server.caught_up.as_millis(),
        ));
    }
    Ok(table.render())
}

/// Cores busy per side, the writer thread's share, and the rate the CPU per request allows.
fn cpu_notes(table: &mut Table, baseline: &Sample, sides: &[(&str, &Sample)]) {
    let Some(noop_cpu) = baseline.cpu_micros() else {
        table.note("CPU per request: not measured (no /proc/self/stat here).");
        return;
    };
    let busy = |sample: &Sample| sample.cores_busy().map_or_else(|| "?".into(), |cores| format!("{cores:.2}"));
    let mut lines = vec![format!("no-op {} of {} cores", busy(baseline), cores())];
    for (name, sample) in sides {
        let Some(cpu) = sample.cpu_micros() else { continue };
        let writer = sample.writer_micros().map(|us| format!(", {us:.1} µs of it on the intake writer thread"));
        lines.push(format!(
            "{name} {} cores{}; at the no-op's CPU use it could reach at most {:.2}× (no-op CPU ÷ its CPU per request)",
            busy(sample),
            writer.unwrap_or_default(),
            noop_cpu / cpu,
        ));
    }
    table.note(format!(
        "CPU per request is the whole process's (client and server share the cores) over the measured requests. \
         Cores busy: {}.",
        lines.join("; ")
    ));
}

/// The sample of the round with the median rate, of the side `pick` selects (when measured).
fn median<'r, T>(
    rounds: &'r [Round],
    pick: impl Fn(&'r Round) -> Option<&'r T>,
    rate: impl Fn(&T) -> f64,
) -> Option<&'r T> {
    let mut samples: Vec<&T> = rounds.iter().filter_map(pick).collect();
    samples.sort_by(|a, b| rate(a).total_cmp(&rate(b)));
    samples.get(samples.len() / 2).copied()
}
