//! The values of the Sync API from their wire form: amounts, store ids,
//! times, customers and line items. Scalar parsers return the reason a value
//! is refused; message parsers report every bad field through a `Violations`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::domain::Violations;
use crate::domain::lifecycle::{self as lc, Money};
use crate::pb;

use super::settings_convert::optional_date;

/// Most decimal places an amount may have.
pub const MAX_DECIMALS: usize = 6;
/// Most characters of a store id (customer, cart, order, invoice).
pub const MAX_ID_CHARS: usize = 80;
/// Most characters of a SKU.
pub const MAX_SKU_CHARS: usize = 255;
/// Most characters of a product or line item name.
pub const MAX_NAME_CHARS: usize = 255;
/// Most line items of a cart or order.
/// Items per cart or order: with its Account, Contact, Opportunity, contact role and
/// Order, an order's records must fit one composite graph (500 nodes).
pub const MAX_ITEMS: usize = 490;
const MAX_FIRST_NAME_CHARS: usize = 40;
const MAX_LAST_NAME_CHARS: usize = 80;
const MAX_PHONE_CHARS: usize = 40;
/// How guest customer keys start (see `Customer::key_for`).
const GUEST_PREFIX: &str = "guest:";

/// A non-negative decimal amount such as `19.99`: ASCII digits, optionally a
/// point and 1 to 6 more digits. The exponent is the number of decimals
/// written, so `19.90` is `{ minor: 1990, exponent: 2 }`.
pub fn money(raw: &str) -> Result<Money, String> {
    if raw.is_empty() {
        return Err("is required".into());
    }
    if raw.starts_with('-') {
        return Err(format!("must not be negative, got {raw:?}"));
    }
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (raw.contains('.') && !digits(fraction)) {
        return Err(format!("{raw:?} is not a decimal amount like 19.99"));
    }
    if fraction.len() > MAX_DECIMALS {
        return Err(format!("must have at most {MAX_DECIMALS} decimal places, got {}", fraction.len()));
    }
    let minor = format!("{whole}{fraction}").parse::<i64>().map_err(|_| format!("{raw:?} is too large"))?;
    let exponent = u8::try_from(fraction.len()).map_err(|_| format!("{raw:?} has too many decimal places"))?;
    Ok(Money { minor, exponent })
}

#[cfg(test)]
/// An amount as a decimal string with all its decimals: `{1990, 2}` is `19.90`.
pub fn money_to_string(amount: Money) -> String {
    let exponent = usize::from(amount.exponent);
    let digits = format!("{:0>width$}", amount.minor.unsigned_abs(), width = exponent + 1);
    let (whole, fraction) = digits.split_at(digits.len() - exponent);
    let sign = if amount.minor < 0 { "-" } else { "" };
    if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") }
}

/// When an event happened: the given timestamp, or `now` when there is none.
pub fn occur_time(raw: Option<&prost_types::Timestamp>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let Some(t) = raw else { return Ok(now) };
    u32::try_from(t.nanos)
        .ok()
        .filter(|nanos| *nanos < 1_000_000_000)
        .and_then(|nanos| DateTime::from_timestamp(t.seconds, nanos))
        .filter(|at| (1..=9999).contains(&at.year()))
        .ok_or_else(|| format!("is not a valid timestamp (seconds {}, nanos {})", t.seconds, t.nanos))
}

/// A `YYYY-MM-DD` date that must be there.
pub fn required_date(raw: &str) -> Result<NaiveDate, String> {
    optional_date(raw)?.ok_or_else(|| "is required".to_owned())
}

/// A quantity: a finite number greater than 0.
pub fn quantity(raw: f64) -> Result<f64, String> {
    if raw.is_finite() && raw > 0.0 { Ok(raw) } else { Err(format!("must be greater than 0, got {raw}")) }
}

/// Text that must not be blank, of at most `max` characters, kept as sent.
pub fn required_text(raw: &str, max: usize) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("is required".into());
    }
    at_most(raw, max).map(str::to_owned)
}

/// Text of at most `max` characters, possibly empty, kept as sent.
pub fn optional_text(raw: &str, max: usize) -> Result<String, String> {
    at_most(raw, max).map(str::to_owned)
}

fn at_most(raw: &str, max: usize) -> Result<&str, String> {
    let count = raw.chars().count();
    if count > max { Err(format!("must be at most {max} characters, got {count}")) } else { Ok(raw) }
}

/// A store id (cart, order, invoice) that becomes part of a Salesforce
/// external id, and so of a REST URL: required, at most 80 characters, no
/// '/', no control characters and no surrounding whitespace.
pub fn store_id(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("is required".into());
    }
    at_most(raw, MAX_ID_CHARS)?;
    if raw.contains('/') {
        Err("must not contain '/'".into())
    } else if raw.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else if raw.trim() != raw {
        Err("must not start or end with whitespace".into())
    } else {
        Ok(raw.to_owned())
    }
}

/// A store id that may be empty (then `None`).
pub fn optional_store_id(raw: &str) -> Result<Option<String>, String> {
    if raw.is_empty() { Ok(None) } else { store_id(raw).map(Some) }
}

/// An email address, trimmed (case kept), that Salesforce's Email fields
/// take (see `domain::email`): what they would refuse is refused here, at intake.
pub fn email(raw: &str) -> Result<String, String> {
    let email = raw.trim();
    if email.is_empty() {
        return Err("is required".into());
    }
    match crate::domain::email::problem(email) {
        None => Ok(email.to_owned()),
        Some(problem) => Err(format!("{email:?} is not an email address Salesforce accepts: {problem}")),
    }
}

/// The store's customer id: empty for a guest; never `guest:...`, which would
/// collide with the keys of guests.
fn customer_id(raw: &str) -> Result<Option<String>, String> {
    if raw.starts_with(GUEST_PREFIX) {
        return Err(format!("must not start with {GUEST_PREFIX:?}"));
    }
    optional_store_id(raw)
}

/// The `customer` field, which must be there; its fields are reported as
/// `customer.email` and so on.
pub fn customer(raw: Option<&pb::Customer>, v: &mut Violations) -> Option<lc::Customer> {
    let Some(raw) = raw else {
        v.add("customer", "is required");
        return None;
    };
    v.nested("customer.", |v| customer_fields(raw, v))
}

fn customer_fields(raw: &pb::Customer, v: &mut Violations) -> Option<lc::Customer> {
    let id = v.check("customer_id", customer_id(&raw.customer_id));
    let email = v.check("email", email(&raw.email));
    let first_name = v.check("first_name", optional_text(raw.first_name.trim(), MAX_FIRST_NAME_CHARS));
    let last_name = v.check("last_name", optional_text(raw.last_name.trim(), MAX_LAST_NAME_CHARS));
    let phone = v.check("phone", optional_text(raw.phone.trim(), MAX_PHONE_CHARS));
    let profile = super::sync_store_data::customer_profile(raw, v);
    let email = email?;
    Some(lc::Customer {
        key: lc::Customer::key_for(id?.as_deref(), &email),
        email,
        first_name: first_name?,
        last_name: last_name?,
        phone: Some(phone?).filter(|phone| !phone.is_empty()),
        profile: Box::new(profile?),
    })
}

/// The `items` field: 1 to 490 line items, each reported as `items[i].sku`
/// and so on.
pub fn line_items(raw: &[pb::LineItem], v: &mut Violations) -> Option<Vec<lc::LineItem>> {
    if raw.is_empty() || raw.len() > MAX_ITEMS {
        v.add("items", format!("must have 1 to {MAX_ITEMS} items, got {}", raw.len()));
        return None;
    }
    // Collected before combining, so that every item is checked.
    let items: Vec<_> =
        raw.iter().enumerate().map(|(i, item)| v.nested(&format!("items[{i}]."), |v| line_item(item, v))).collect();
    items.into_iter().collect()
}

fn line_item(raw: &pb::LineItem, v: &mut Violations) -> Option<lc::LineItem> {
    let sku = v.check("sku", required_text(&raw.sku, MAX_SKU_CHARS));
    let name = v.check("name", optional_text(&raw.name, MAX_NAME_CHARS));
    let quantity = v.check("quantity", quantity(raw.quantity));
    let unit_price = v.check("unit_price", money(&raw.unit_price));
    let details = super::sync_store_data::line_details(raw, v);
    let (sku, name) = (sku?, name?);
    let name = if name.trim().is_empty() { sku.clone() } else { name };
    Some(lc::LineItem { sku, name, quantity: quantity?, unit_price: unit_price?, details: details? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(minor: i64, exponent: u8) -> Money {
        Money { minor, exponent }
    }

    #[test]
    fn money_keeps_the_decimals_written() {
        let cases = [
            ("19.99", m(1999, 2)),
            ("19.90", m(1990, 2)),
            ("0", m(0, 0)),
            ("5", m(5, 0)),
            ("0.0", m(0, 1)),
            ("007.50", m(750, 2)),
            ("0.000001", m(1, 6)),
            ("123456.123456", m(123_456_123_456, 6)),
            ("9223372036854775807", m(i64::MAX, 0)),
            ("9223372036854.775807", m(i64::MAX, 6)),
        ];
        for (raw, want) in cases {
            assert_eq!(money(raw), Ok(want), "{raw:?}");
        }
    }

    #[test]
    fn money_refuses_anything_else() {
        assert_eq!(money(""), Err("is required".to_owned()));
        assert_eq!(money("-0"), Err("must not be negative, got \"-0\"".to_owned()));
        assert_eq!(money("-1.5"), Err("must not be negative, got \"-1.5\"".to_owned()));
        assert_eq!(money("1.1234567"), Err("must have at most 6 decimal places, got 7".to_owned()));
        assert_eq!(money("9223372036854775808"), Err("\"9223372036854775808\" is too large".to_owned()));
        assert_eq!(money("92233720368547.758080"), Err("\"92233720368547.758080\" is too large".to_owned()));
        let malformed =
            ["+1", "1e3", "1E3", " 1", "1 ", "1.", ".5", "1.2.3", "1,5", "NaN", "inf", "0x10", "١", "1_000", "."];
        for raw in malformed {
            assert_eq!(money(raw), Err(format!("{raw:?} is not a decimal amount like 19.99")), "{raw:?}");
        }
    }

    #[test]
    fn money_prints_every_decimal() {
        let cases = [
            (m(1990, 2), "19.90"),
            (m(5, 0), "5"),
            (m(5, 2), "0.05"),
            (m(0, 6), "0.000000"),
            (m(-5, 2), "-0.05"),
            (m(-1999, 2), "-19.99"),
            (m(i64::MIN, 0), "-9223372036854775808"),
        ];
        for (amount, want) in cases {
            assert_eq!(money_to_string(amount), want);
        }
        for raw in ["19.90", "0", "0.000001", "007.50"] {
            let parsed = money(raw).expect("valid");
            assert_eq!(money(&money_to_string(parsed)), Ok(parsed), "{raw:?}");
        }
    }

    #[test]
    fn occur_time_defaults_to_now_and_refuses_bad_timestamps() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).expect("valid");
        assert_eq!(occur_time(None, now), Ok(now));
        let t = |seconds, nanos| prost_types::Timestamp { seconds, nanos };
        let given = DateTime::from_timestamp(1_600_000_000, 5).expect("valid");
        assert_eq!(occur_time(Some(&t(1_600_000_000, 5)), now), Ok(given));
        for (seconds, nanos) in [(0, -1), (0, 1_000_000_000), (-62_135_596_801, 0), (253_402_300_800, 0), (i64::MAX, 0)]
        {
            assert_eq!(
                occur_time(Some(&t(seconds, nanos)), now),
                Err(format!("is not a valid timestamp (seconds {seconds}, nanos {nanos})"))
            );
        }
    }

    #[test]
    fn emails_are_trimmed_and_checked() {
        assert_eq!(email("  Ann@Example.COM "), Ok("Ann@Example.COM".to_owned()));
        assert_eq!(email(" "), Err("is required".to_owned()));
        let long = format!("{}@{}.com", "a".repeat(31), "b".repeat(45));
        assert!(email(&long).is_err_and(|e| e.ends_with("must be at most 80 characters, got 81")));
        assert_eq!(email(&long[1..]).map(|e| e.len()), Ok(80));
        for bad in ["ann", "@example.com", "ann@", "ann@@example.com", "a@b@c", "ann smith@example.com", "a\u{7}@b"] {
            let refused = email(bad).expect_err(bad);
            assert!(refused.starts_with(&format!("{bad:?} is not an email address Salesforce accepts: ")), "{refused}");
        }
    }

    #[test]
    fn store_ids_are_url_safe() {
        assert_eq!(store_id("100000123"), Ok("100000123".to_owned()));
        assert_eq!(store_id(&"x".repeat(80)).map(|id| id.len()), Ok(80));
        assert_eq!(store_id(""), Err("is required".to_owned()));
        assert_eq!(store_id(&"x".repeat(81)), Err("must be at most 80 characters, got 81".to_owned()));
        assert_eq!(store_id("a/b"), Err("must not contain '/'".to_owned()));
        assert_eq!(store_id("a\nb"), Err("must not contain control characters".to_owned()));
        assert_eq!(store_id(" 77"), Err("must not start or end with whitespace".to_owned()));
        assert_eq!(optional_store_id(""), Ok(None));
        assert_eq!(customer_id("guest:a@b.c"), Err("must not start with \"guest:\"".to_owned()));
    }

    #[test]
    fn quantities_and_dates() {
        assert_eq!(quantity(0.5), Ok(0.5));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(quantity(bad).is_err(), "{bad}");
        }
        assert_eq!(required_date("2026-01-31"), NaiveDate::from_ymd_opt(2026, 1, 31).ok_or_else(String::new));
        assert_eq!(required_date(""), Err("is required".to_owned()));
        assert_eq!(required_date("2026-02-30"), Err("\"2026-02-30\" is not a date like 2026-01-31".to_owned()));
    }
}
