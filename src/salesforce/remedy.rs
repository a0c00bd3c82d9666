//! Remedies: what an admin should do about the common Salesforce errors.

use super::error::Error;

pub fn for_error(error: &Error) -> Option<String> {
    let fields = || if error.fields.is_empty() { String::new() } else { format!(" ({})", error.fields.join(", ")) };
    let text = match error.code.as_str() {
        "INVALID_LOGIN" | "invalid_grant" => {
            "Check the username and password (and the security token appended to it); a locked-out user must be \
             unlocked in Setup > Users."
                .into()
        }
        "LOGIN_MUST_USE_SECURITY_TOKEN" => "Append the user's security token to the password (Settings > Reset My \
             Security Token), or add this server's IP address to the org's trusted IP ranges (Setup > Network Access)."
            .into(),
        "PASSWORD_LOCKOUT" => "The user is locked out after too many failed logins: unlock it in Setup > Users, then \
             fix the stored password."
            .into(),
        "INVALID_OPERATION_WITH_EXPIRED_PASSWORD" => "The integration user's password expired: set a new one in \
             Salesforce and save it here; consider a 'password never expires' profile for integration users."
            .into(),
        "INVALID_OPERATION" if error.message.contains("SOAP") => "SOAP login() is disabled or unavailable at this API \
             version: use API 64.0 or lower with 'Enable SOAP API login()' on, or switch to OAuth client credentials \
             or JWT bearer."
            .into(),
        "invalid_client_id" => "The connected app's consumer key is wrong, or the app is not yet active (new apps \
             take up to 10 minutes)."
            .into(),
        "invalid_client" => "The connected app's consumer secret is wrong.".into(),
        "API_DISABLED_FOR_ORG" => "This Salesforce edition has no API access: use Enterprise, Unlimited, Developer or \
             Performance edition, or buy API access."
            .into(),
        "API_CURRENTLY_DISABLED" => "Give the integration user the 'API Enabled' permission (profile or permission \
             set)."
            .into(),
        "REQUEST_LIMIT_EXCEEDED" => "The org's daily API allocation is spent; it frees up gradually over the rolling \
             24 hours. forcesync pauses this org's work and resumes when /limits shows budget again."
            .into(),
        "INVALID_FIELD" | "INVALID_FIELD_FOR_INSERT_UPDATE" => format!(
            "A field forcesync writes is missing or not writable for the integration user{}: create it or grant \
             field-level security, or change the setting that names it.",
            fields()
        ),
        "INVALID_TYPE" | "NOT_FOUND" => "An object or external-id field forcesync uses does not exist or is not \
             visible to the integration user: check the object permissions and the external-id field settings."
            .into(),
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" => format!(
            "A picklist value is not active in the org{}: add the value in Setup or change the store setting that \
             names it. Test Connection lists the allowed values.",
            fields()
        ),
        "FIELD_INTEGRITY_EXCEPTION" if error.fields.iter().any(|f| f.contains("Country") || f.contains("State")) => {
            format!(
                "The org's State and Country/Territory picklists do not have this state or country{}: add or \
                 activate it in Setup > State and Country/Territory Picklists, or correct the address in the store. \
                 Test Connection lists the org's valid codes.",
                fields()
            )
        }
        "STRING_TOO_LONG" => format!(
            "A value is longer than its Salesforce field allows{}: lengthen the field in Setup (or name a longer \
             field in the store setting), shorten the value in the store, or map it with the `truncate` transform \
             (field_mappings); then retry the parked work. forcesync never cuts a value on its own.",
            fields()
        ),
        "REQUIRED_FIELD_MISSING" => format!(
            "The org requires fields that forcesync does not fill{}: give them a default value in Setup or make \
             them optional.",
            fields()
        ),
        "UNABLE_TO_LOCK_ROW" => "Another process held the record; forcesync retries with backoff. If it persists, \
             look for long-running automation on the same records."
            .into(),
        "SERVER_UNAVAILABLE" | "UNREACHABLE" => "Salesforce is not answering (maintenance, an outage, or the \
             network): forcesync pauses the store's sync, checks the org again with a free call, and resumes when \
             it answers. If it lasts, check trust.salesforce.com and the store's login URL."
            .into(),
        "UNSUPPORTED_API_VERSION" => {
            "The org does not serve this API version: pick one listed at /services/data.".into()
        }
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::error::Error;

    #[test]
    fn remedies_name_the_fix() {
        let token = Error::new("LOGIN_MUST_USE_SECURITY_TOKEN", "m", Some(500)).remedy().unwrap_or_default();
        assert!(token.contains("security token") && token.contains("trusted IP ranges"));
        let field = Error::new("INVALID_FIELD", "m", Some(400)).with_fields(vec!["Carrier__c".into()]).remedy();
        assert!(field.is_some_and(|r| r.contains("(Carrier__c)")));
        assert!(Error::new("SOMETHING_ELSE", "m", Some(400)).remedy().is_none());
    }
}
