//! Keeps a consuming connection: a lost or refused connection is retried
//! with exponential backoff and jitter ([`Backoff`]), reset once a
//! connection gets as far as consuming. Nothing is acknowledged early, so a
//! lost connection loses nothing: the broker redelivers what was not yet
//! acknowledged, and the intake takes repeated event ids as duplicates.

use std::time::Duration;

use tokio::sync::watch;

use super::consumer::{self, Ended};
use super::verdict::Judge;
use super::{AmqpConfig, AmqpState};

/// The first wait after a lost connection.
pub const BACKOFF_FIRST: Duration = Duration::from_millis(200);
/// The longest wait between attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Exponential backoff: doubling from [`BACKOFF_FIRST`] up to [`BACKOFF_MAX`], each wait shortened by up to a quarter at random.
#[derive(Debug, Clone)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub fn new() -> Self {
        Self { attempt: 0 }
    }

    /// The wait before the next attempt, without jitter.
    fn ceiling(&self) -> Duration {
        let factor = 2u32.saturating_pow(self.attempt.min(16));
        BACKOFF_FIRST.saturating_mul(factor).min(BACKOFF_MAX)
    }

    /// The wait before the next attempt; `random` (0..=u16::MAX) picks the jitter.
    pub fn next(&mut self, random: u16) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        let cut = ceiling.mul_f64(f64::from(random) / f64::from(u16::MAX) / 4.0);
        ceiling.saturating_sub(cut)
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

pub(super) fn random() -> u16 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    u16::from_le_bytes(bytes)
}

/// Runs sessions until `stop` turns true.
pub async fn run(config: AmqpConfig, judge: Judge, mut stop: watch::Receiver<bool>, report: watch::Sender<AmqpState>) {
    let mut backoff = Backoff::new();
    loop {
        let sessions = report.borrow().sessions;
        match consumer::session(&config, &judge, &mut stop, &report).await {
            Ok(Ended::Stopped) => break,
            Ok(Ended::Lost(reason)) => {
                tracing::warn!(%reason, broker = %config.redacted_url(), "lost the RabbitMQ connection; reconnecting");
            }
            Err(error) => {
                tracing::warn!(%error, broker = %config.redacted_url(), "cannot consume from RabbitMQ; retrying");
            }
        }
        report.send_modify(|state| state.consuming = false);
        if report.borrow().sessions > sessions {
            backoff.reset();
        }
        let wait = backoff.next(random());
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
    tracing::info!("stopped consuming from RabbitMQ");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest_and_start_over_after_a_reset() {
        let mut backoff = Backoff::new();
        let waits: Vec<u128> = (0..10).map(|_| backoff.next(0).as_millis()).collect();
        assert_eq!(waits, [200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000]);
        backoff.reset();
        assert_eq!(backoff.next(0), BACKOFF_FIRST);
    }

    #[test]
    fn jitter_shortens_a_wait_by_at_most_a_quarter() {
        let mut backoff = Backoff::new();
        assert_eq!(backoff.next(u16::MAX), Duration::from_millis(150), "a quarter off at most");
        assert_eq!(backoff.next(u16::MAX / 2).as_millis(), 350, "an eighth off halfway");
        for _ in 0..20 {
            backoff.next(0);
        }
        assert_eq!(backoff.next(u16::MAX), BACKOFF_MAX.mul_f64(0.75));
    }
}
