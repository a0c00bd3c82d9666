//! The message headers of RabbitMQ queue mode: the store token a store
//! sends, and the reason forcesync adds when it dead-letters a message. The
//! token is never copied to a dead-lettered message, a log or a reason.

use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};

use crate::domain::token::Token;

/// The store token (`fs_…`), as a string header.
pub const TOKEN_HEADER: &str = "x-forcesync-store-token";
/// Why a dead-lettered message was not accepted: a code such as `INVALID_FIELDS` (see `verdict::Reason`).
pub const REASON_HEADER: &str = "x-forcesync-reason";
/// The reason in words; for `INVALID_FIELDS` every bad field by path (`events[0].order.order_id: …`).
pub const DETAIL_HEADER: &str = "x-forcesync-detail";
/// The code of the store the token belongs to, when it is known.
pub const STORE_HEADER: &str = "x-forcesync-store";
/// Headers never copied to a dead-lettered message (they carry credentials).
const SECRET_HEADERS: [&str; 2] = [TOKEN_HEADER, "authorization"];
/// Characters of the detail header at most.
const DETAIL_LIMIT: usize = 2_000;

/// The token a message carries, if its token header holds text.
pub fn store_token(properties: &BasicProperties) -> Option<Token> {
    let value = properties.headers().as_ref()?.inner().get(TOKEN_HEADER)?;
    let text = match value {
        AMQPValue::LongString(text) => std::str::from_utf8(text.as_bytes()).ok()?.to_owned(),
        AMQPValue::ShortString(text) => text.as_str().to_owned(),
        AMQPValue::ByteArray(bytes) => std::str::from_utf8(bytes.as_slice()).ok()?.to_owned(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| Token::from_secret(text))
}

/// A header's text, for tests and tools reading dead-lettered messages.
pub fn text(properties: &BasicProperties, name: &str) -> Option<String> {
    match properties.headers().as_ref()?.inner().get(name)? {
        AMQPValue::LongString(text) => Some(String::from_utf8_lossy(text.as_bytes()).into_owned()),
        AMQPValue::ShortString(text) => Some(text.as_str().to_owned()),
        _ => None,
    }
}

/// What a dead-lettered copy of a message carries: the original's
/// descriptive properties and headers without the secret ones, persistent,
/// plus the reason. (Not `user_id`, which the broker checks against
/// forcesync's own user, nor `expiration`, so the copy stays until read.)
pub fn dead_letter_properties(
    original: &BasicProperties,
    reason: &str,
    detail: &str,
    store: Option<&str>,
) -> BasicProperties {
    let mut headers = FieldTable::default();
    if let Some(table) = original.headers() {
        for (name, value) in table.inner() {
            if !SECRET_HEADERS.iter().any(|secret| name.as_str().eq_ignore_ascii_case(secret)) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
    let long = |text: &str| AMQPValue::LongString(LongString::from(text.to_owned()));
    headers.insert(REASON_HEADER.into(), long(reason));
    headers.insert(DETAIL_HEADER.into(), long(&clip(detail, DETAIL_LIMIT)));
    if let Some(store) = store {
        headers.insert(STORE_HEADER.into(), long(store));
    }
    let mut properties = BasicProperties::default().with_headers(headers).with_delivery_mode(2);
    type With = fn(BasicProperties, ShortString) -> BasicProperties;
    let copy: [(&Option<ShortString>, With); 6] = [
        (original.content_type(), BasicProperties::with_content_type),
        (original.content_encoding(), BasicProperties::with_content_encoding),
        (original.correlation_id(), BasicProperties::with_correlation_id),
        (original.message_id(), BasicProperties::with_message_id),
        (original.kind(), BasicProperties::with_type),
        (original.app_id(), BasicProperties::with_app_id),
    ];
    for (value, with) in copy {
        if let Some(value) = value {
            properties = with(properties, value.clone());
        }
    }
    if let Some(timestamp) = original.timestamp() {
        properties = properties.with_timestamp(*timestamp);
    }
    properties
}

/// `text` cut to `limit` characters, marked when cut.
pub fn clip(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_headers(pairs: &[(&str, AMQPValue)]) -> BasicProperties {
        let mut headers = FieldTable::default();
        for (name, value) in pairs {
            headers.insert((*name).into(), value.clone());
        }
        BasicProperties::default().with_headers(headers).with_message_id("m-1".into()).with_user_id("magento".into())
    }

    #[test]
    fn the_token_is_read_from_a_text_header() {
        let token = "fs_abc_def";
        for value in [
            AMQPValue::LongString(token.into()),
            AMQPValue::ShortString(token.into()),
            AMQPValue::ByteArray(token.as_bytes().into()),
        ] {
            let read = store_token(&with_headers(&[(TOKEN_HEADER, value)]));
            assert_eq!(read.as_ref().map(Token::expose), Some(token));
        }
        assert!(store_token(&with_headers(&[(TOKEN_HEADER, AMQPValue::LongInt(7))])).is_none());
        assert!(store_token(&with_headers(&[(TOKEN_HEADER, AMQPValue::LongString("  ".into()))])).is_none());
        assert!(store_token(&BasicProperties::default()).is_none());
    }

    #[test]
    fn a_dead_lettered_copy_keeps_the_headers_but_never_the_token() {
        let original = with_headers(&[
            (TOKEN_HEADER, AMQPValue::LongString("fs_secret_token".into())),
            ("Authorization", AMQPValue::LongString("Bearer fs_secret_token".into())),
            ("magento-topic", AMQPValue::LongString("sales.order".into())),
        ]);
        let copy = dead_letter_properties(&original, "INVALID_FIELDS", "events[0].event_id: is required", Some("main"));
        assert!(!format!("{copy:?}").contains("fs_secret_token"), "{copy:?}");
        assert_eq!(text(&copy, "magento-topic").as_deref(), Some("sales.order"));
        assert_eq!(text(&copy, REASON_HEADER).as_deref(), Some("INVALID_FIELDS"));
        assert_eq!(text(&copy, DETAIL_HEADER).as_deref(), Some("events[0].event_id: is required"));
        assert_eq!(text(&copy, STORE_HEADER).as_deref(), Some("main"));
        assert_eq!(copy.message_id().as_ref().map(ShortString::as_str), Some("m-1"));
        assert_eq!(*copy.delivery_mode(), Some(2));
        assert!(copy.user_id().is_none());
    }

    #[test]
    fn a_long_detail_is_cut() {
        let copy = dead_letter_properties(&BasicProperties::default(), "X", &"é".repeat(5_000), None);
        let detail = text(&copy, DETAIL_HEADER).unwrap_or_default();
        assert_eq!(detail.chars().count(), DETAIL_LIMIT + 1);
        assert!(detail.ends_with('…'));
        assert!(text(&copy, STORE_HEADER).is_none());
    }
}
