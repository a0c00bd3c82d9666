//! Naming what was sent when Salesforce refuses a value: its errors name the
//! field (`BillingCountry`) but not the value, so the sync status and log
//! would not say which store code or text the org refused. The values the
//! entity's writes carried for the named fields (and their `…Code` twins,
//! since Salesforce names `BillingCountry` when it refuses
//! `BillingCountryCode`) are added to the message, so nothing is dropped
//! silently and the admin sees e.g. `Account.BillingCountryCode = "IS"`.

use serde_json::Value;

use crate::domain::lifecycle::PlannedWrite;
use crate::salesforce::Error;

/// Most values named in one message.
const MAX_NAMED: usize = 5;
/// Most characters of one value shown.
const MAX_VALUE_CHARS: usize = 120;

/// `error` with the values `operations` sent for the fields it names.
pub(super) fn with_sent_values(mut error: Error, operations: &[PlannedWrite]) -> Error {
    let mut sent: Vec<String> = Vec::new();
    for field in &error.fields {
        for name in [field.clone(), format!("{field}Code")] {
            for write in operations {
                if let Some(value) = write.fields.get(&name) {
                    let named = format!("{}.{name} = {}", write.object, shown(value));
                    if !sent.contains(&named) {
                        sent.push(named);
                    }
                }
            }
        }
    }
    if !sent.is_empty() {
        sent.truncate(MAX_NAMED);
        error.message = format!("{} (sent {})", error.message, sent.join(", "));
    }
    error
}

fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        text
    } else {
        format!("{}…", text.chars().take(MAX_VALUE_CHARS).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(object: &str, fields: Value) -> PlannedWrite {
        let Value::Object(fields) = fields else { unreachable!() };
        PlannedWrite {
            object: object.into(),
            key_field: "ForceSync_Key__c".into(),
            key: "k".into(),
            fields: fields.into_iter().collect(),
            parents: Vec::new(),
        }
    }

    #[test]
    fn a_refused_code_is_named_with_its_value() {
        let writes = [
            write("Account", json!({"Name": "Acme", "BillingCountryCode": "IS"})),
            write("Contact", json!({"MailingCountryCode": "IS"})),
        ];
        let error = Error::new("FIELD_INTEGRITY_EXCEPTION", "There's a problem with this country", Some(400))
            .with_fields(vec!["BillingCountry".into()]);
        let named = with_sent_values(error, &writes);
        assert_eq!(named.message, "There's a problem with this country (sent Account.BillingCountryCode = \"IS\")");
        let plain = Error::new("INVALID_FIELD", "No such column", Some(400));
        assert_eq!(with_sent_values(plain, &writes).message, "No such column", "nothing named, nothing added");
    }

    #[test]
    fn long_values_are_shortened() {
        let writes = [write("Account", json!({"Name": "x".repeat(300)}))];
        let error = Error::new("STRING_TOO_LONG", "Account Name: data value too large", Some(400))
            .with_fields(vec!["Name".into()]);
        let named = with_sent_values(error, &writes);
        assert!(named.message.ends_with("…)") && named.message.chars().count() < 200, "{}", named.message);
    }
}
