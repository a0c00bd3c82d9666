//! The exchanges and queues of RabbitMQ queue mode, all durable, declared by
//! forcesync on every connection (declaring what exists is a no-op):
//!
//! | name (prefix `forcesync`) | kind | role |
//! |---|---|---|
//! | `forcesync.events` | topic exchange | stores publish here, any routing key (use `store.<code>`) |
//! | `forcesync.events.intake` | queue, bound with `#` | forcesync consumes it; `x-dead-letter-exchange` = the DLX |
//! | `forcesync.events.dlx` | fanout exchange | dead-letter exchange |
//! | `forcesync.events.dead` | queue, bound to the DLX | messages forcesync cannot accept, with the reason in headers |
//! | `forcesync.changes.<store>` | queue (default exchange) | bidirectional stores in RabbitMQ mode take their changes here (declared when there is one) |

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};

/// The names of one deployment's exchanges and queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Where stores publish their events.
    pub exchange: String,
    /// What forcesync consumes.
    pub queue: String,
    /// The dead-letter exchange.
    pub dead_letter_exchange: String,
    /// Where messages that cannot be accepted end up.
    pub dead_letter_queue: String,
}

/// Characters of a name prefix at most (names stay far below AMQP's 255 bytes).
pub const MAX_PREFIX_CHARS: usize = 100;

/// Checks a name prefix: 1 to [`MAX_PREFIX_CHARS`] ASCII letters, digits, '.', '-' or '_'.
pub fn parse_prefix(raw: &str) -> Result<String, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if raw.is_empty() || raw.len() > MAX_PREFIX_CHARS || !raw.chars().all(ok) {
        return Err(format!("must be 1 to {MAX_PREFIX_CHARS} ASCII letters, digits, '.', '-' or '_'"));
    }
    Ok(raw.to_owned())
}

impl Topology {
    pub fn new(prefix: &str) -> Self {
        Self {
            exchange: format!("{prefix}.events"),
            queue: format!("{prefix}.events.intake"),
            dead_letter_exchange: format!("{prefix}.events.dlx"),
            dead_letter_queue: format!("{prefix}.events.dead"),
        }
    }

    /// The queue a bidirectional store in RabbitMQ mode takes its changes from.
    pub fn changes_queue(&self, store_code: &str) -> String {
        let prefix = self.exchange.strip_suffix(".events").unwrap_or(&self.exchange);
        format!("{prefix}.changes.{store_code}")
    }

    /// The arguments of the intake queue (a queue declared earlier with other arguments is refused by the broker).
    fn queue_arguments(&self) -> FieldTable {
        let mut arguments = FieldTable::default();
        arguments
            .insert("x-dead-letter-exchange".into(), AMQPValue::LongString(self.dead_letter_exchange.clone().into()));
        arguments
    }

    /// Declares everything, durable; idempotent.
    pub async fn declare(&self, channel: &Channel) -> Result<(), lapin::Error> {
        let durable = ExchangeDeclareOptions { durable: true, ..Default::default() };
        let none = FieldTable::default;
        channel
            .exchange_declare(self.dead_letter_exchange.as_str().into(), ExchangeKind::Fanout, durable, none())
            .await?;
        let queue = QueueDeclareOptions { durable: true, ..Default::default() };
        channel.queue_declare(self.dead_letter_queue.as_str().into(), queue, none()).await?;
        let bind = QueueBindOptions::default();
        let (dlq, dlx) = (self.dead_letter_queue.as_str(), self.dead_letter_exchange.as_str());
        channel.queue_bind(dlq.into(), dlx.into(), "".into(), bind, none()).await?;
        channel.exchange_declare(self.exchange.as_str().into(), ExchangeKind::Topic, durable, none()).await?;
        channel.queue_declare(self.queue.as_str().into(), queue, self.queue_arguments()).await?;
        channel.queue_bind(self.queue.as_str().into(), self.exchange.as_str().into(), "#".into(), bind, none()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_starts_with_the_prefix() {
        let t = Topology::new("forcesync");
        assert_eq!(
            [t.exchange.as_str(), &t.queue, &t.dead_letter_exchange, &t.dead_letter_queue],
            ["forcesync.events", "forcesync.events.intake", "forcesync.events.dlx", "forcesync.events.dead"]
        );
        assert_eq!(Topology::new("t1").queue, "t1.events.intake");
    }

    #[test]
    fn a_prefix_is_short_plain_ascii() {
        assert_eq!(parse_prefix("shop-1.prod_x").as_deref(), Ok("shop-1.prod_x"));
        for bad in ["", "a b", "é", "a/b", &"x".repeat(MAX_PREFIX_CHARS + 1)] {
            assert!(parse_prefix(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_intake_queue_dead_letters_to_the_dlx() {
        let arguments = Topology::new("p").queue_arguments();
        assert_eq!(
            arguments.inner().get("x-dead-letter-exchange"),
            Some(&AMQPValue::LongString("p.events.dlx".into()))
        );
    }
}
