//! Pure types and rules: no I/O. Newtypes here can only hold valid values, so
//! the layers above validate once, at the edge, and then trust the types.

pub mod changes;
pub mod email;
pub mod geo;
pub mod inventory;
pub mod lifecycle;
pub mod mapping;
pub mod settings;
pub mod store;
pub mod sync;
pub mod token;
pub mod write_plan;

/// One reason a value was refused, named by the request field it came from
/// (for example `settings.sales_cycle_days`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self { field: field.into(), description: description.into() }
    }
}

/// Collects every violation of a request instead of stopping at the first.
#[derive(Debug, Default)]
pub struct Violations {
    prefix: String,
    found: Vec<FieldViolation>,
}

impl Violations {
    /// Field names reported through this collector start with `prefix`
    /// (for example `settings.`).
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Self { prefix: prefix.into(), found: Vec::new() }
    }

    pub fn add(&mut self, field: &str, description: impl Into<String>) {
        self.found.push(FieldViolation::new(format!("{}{field}", self.prefix), description));
    }

    /// Runs a parser for one field; keeps its value or records its error.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|description| self.add(field, description)).ok()
    }

    /// Runs `check` with `prefix` appended to this collector's prefix, for a
    /// nested message or a list element (`customer.`, `items[2].`).
    pub fn nested<T>(&mut self, prefix: &str, check: impl FnOnce(&mut Self) -> T) -> T {
        let outer = self.prefix.len();
        self.prefix.push_str(prefix);
        let value = check(self);
        self.prefix.truncate(outer);
        value
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// `Ok(value)` when nothing was found, else every violation.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldViolation>> {
        if !self.found.is_empty() {
            return Err(self.found);
        }
        value().ok_or_else(|| vec![FieldViolation::new(self.prefix, "invalid value")])
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldViolation, Violations};

    #[test]
    fn nested_prefixes_compose_and_are_restored() {
        let mut v = Violations::with_prefix("events[0].");
        let inner = v.nested("order.", |v| {
            v.add("order_id", "is required");
            v.nested("items[2].", |v| v.add("sku", "is required"));
            7
        });
        v.add("event", "is required");
        assert_eq!(inner, 7);
        assert_eq!(
            v.finish(|| Some(())),
            Err(vec![
                FieldViolation::new("events[0].order.order_id", "is required"),
                FieldViolation::new("events[0].order.items[2].sku", "is required"),
                FieldViolation::new("events[0].event", "is required"),
            ])
        );
    }
}
