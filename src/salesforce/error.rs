//! One error type for everything the client does, classified by what to do
//! about it, with a remedy an admin can act on for the common codes.

use std::fmt;

/// What kind of failure, which decides retry and who must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Try again later: 5xx, timeouts, dropped connections, UNABLE_TO_LOCK_ROW.
    Transient,
    /// The session expired: log in again.
    Session,
    /// The org's API allocation is spent (or a concurrency limit hit).
    Limit,
    /// The record was refused: validation, picklists, required fields.
    Data,
    /// The org or the store's settings must change: missing fields, objects, permissions.
    Config,
    /// The credentials were refused.
    Auth,
    /// The user may not do this.
    Permission,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transient => "transient",
            Self::Session => "session",
            Self::Limit => "limit",
            Self::Data => "data",
            Self::Config => "config",
            Self::Auth => "auth",
            Self::Permission => "permission",
        }
    }
}

/// A Salesforce call that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Salesforce's code (`INVALID_FIELD`, `INVALID_LOGIN`, …) or one of ours
    /// (`TRANSPORT`, `TIMEOUT`, `BAD_RESPONSE`).
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    pub class: ErrorClass,
}

impl Error {
    pub fn new(code: impl Into<String>, message: impl Into<String>, status: Option<u16>) -> Self {
        let code = code.into();
        let class = classify(&code, status);
        Self { code, message: message.into(), fields: Vec::new(), status, class }
    }

    /// Overrides the class where the caller knows better (a duplicate that a retry resolves).
    pub fn with_class(mut self, class: ErrorClass) -> Self {
        self.class = class;
        self
    }

    pub fn with_fields(mut self, fields: Vec<String>) -> Self {
        self.fields = fields;
        self
    }

    /// No response arrived (reset, timed out, cut off): the request may have been carried out.
    pub fn transport(message: impl Into<String>) -> Self {
        Self::new("TRANSPORT", message, None)
    }

    /// No connection could be made (refused, no route, name not found): nothing was sent.
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new("UNREACHABLE", message, None)
    }

    /// Whether the org as a whole is not answering, rather than this request
    /// failing: 503 (maintenance, overload), 502 (Salesforce's edge could not
    /// reach the instance), or no connection at all. Nothing was carried out,
    /// so the work can wait for the org without counting an attempt. Timeouts
    /// and connections lost mid-request are not: the request may have landed,
    /// and a request that always times out must not hold its store forever.
    pub fn is_outage(&self) -> bool {
        matches!(self.status, Some(502 | 503)) || matches!(self.code.as_str(), "SERVER_UNAVAILABLE" | "UNREACHABLE")
    }

    /// A response arrived that the client cannot read.
    pub fn bad_response(status: u16, message: impl Into<String>) -> Self {
        Self::new("BAD_RESPONSE", message, Some(status))
    }

    pub fn is_retryable(&self) -> bool {
        self.class == ErrorClass::Transient
    }

    /// What an admin should do, for the codes where that is known.
    pub fn remedy(&self) -> Option<String> {
        super::remedy::for_error(self)
    }
}

/// The class of a code, falling back to the HTTP status.
pub fn classify(code: &str, status: Option<u16>) -> ErrorClass {
    match code {
        "UNABLE_TO_LOCK_ROW" | "SERVER_UNAVAILABLE" | "UNKNOWN_EXCEPTION" | "QUERY_TIMEOUT" | "TRANSPORT"
        | "UNREACHABLE" | "TIMEOUT" => ErrorClass::Transient,
        "INVALID_SESSION_ID" => ErrorClass::Session,
        "REQUEST_LIMIT_EXCEEDED" | "API_CURRENTLY_DISABLED_LIMIT" => ErrorClass::Limit,
        "INVALID_LOGIN"
        | "LOGIN_MUST_USE_SECURITY_TOKEN"
        | "PASSWORD_LOCKOUT"
        | "INVALID_OPERATION_WITH_EXPIRED_PASSWORD"
        | "invalid_grant"
        | "invalid_client"
        | "invalid_client_id"
        | "unsupported_grant_type"
        | "LOGIN_CHALLENGE_ISSUED" => ErrorClass::Auth,
        "INSUFFICIENT_ACCESS"
        | "INSUFFICIENT_ACCESS_OR_READONLY"
        | "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"
        | "API_DISABLED_FOR_ORG"
        | "API_CURRENTLY_DISABLED" => ErrorClass::Permission,
        "INVALID_FIELD"
        | "INVALID_TYPE"
        | "NOT_FOUND"
        | "INVALID_FIELD_FOR_INSERT_UPDATE"
        | "UNSUPPORTED_API_VERSION"
        | "INVALID_OPERATION"
        | "MALFORMED_QUERY"
        | "INVALID_CROSS_REFERENCE_KEY"
        | "FIELD_INTEGRITY_EXCEPTION"
        | "STANDARD_PRICE_NOT_DEFINED" => ErrorClass::Config,
        _ => match status {
            Some(500..=599) | None => ErrorClass::Transient,
            Some(401) => ErrorClass::Session,
            Some(403) => ErrorClass::Permission,
            Some(420 | 429) => ErrorClass::Transient,
            _ => ErrorClass::Data,
        },
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if !self.fields.is_empty() {
            write!(f, " (fields: {})", self.fields.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(Error::new("UNABLE_TO_LOCK_ROW", "m", Some(400)).class, ErrorClass::Transient);
        assert_eq!(Error::new("INVALID_SESSION_ID", "m", Some(401)).class, ErrorClass::Session);
        assert_eq!(Error::new("REQUEST_LIMIT_EXCEEDED", "m", Some(403)).class, ErrorClass::Limit);
        assert_eq!(Error::new("REQUIRED_FIELD_MISSING", "m", Some(400)).class, ErrorClass::Data);
        assert_eq!(Error::new("INVALID_FIELD", "m", Some(400)).class, ErrorClass::Config);
        assert_eq!(Error::new("LOGIN_MUST_USE_SECURITY_TOKEN", "m", Some(500)).class, ErrorClass::Auth);
        assert_eq!(Error::new("WHATEVER", "m", Some(503)).class, ErrorClass::Transient);
        assert_eq!(Error::transport("reset").class, ErrorClass::Transient);
        assert_eq!(Error::unreachable("refused").class, ErrorClass::Transient);
        assert!(Error::new("SERVER_UNAVAILABLE", "m", Some(503)).is_retryable());
        let shown = Error::new("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", Some(400))
            .with_fields(vec!["LastName".into()])
            .to_string();
        assert_eq!(shown, "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] (fields: LastName)");
    }

    #[test]
    fn an_outage_is_the_org_not_answering_not_a_request_failing() {
        let outages = [
            Error::new("SERVER_UNAVAILABLE", "Server is unavailable", Some(503)),
            Error::new("HTTP_503", "Salesforce answered HTTP 503", Some(503)),
            Error::new("HTTP_502", "Salesforce answered HTTP 502", Some(502)),
            Error::unreachable("connection refused or unreachable"),
        ];
        for error in outages {
            assert!(error.is_outage(), "{error}");
            assert_eq!(error.class, ErrorClass::Transient, "{error}");
        }
        let not_outages = [
            Error::new("UNKNOWN_EXCEPTION", "An unexpected error occurred", Some(500)),
            Error::new("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access", Some(400)),
            Error::new("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", Some(403)),
            Error::transport("timed out"),
            Error::transport("the connection failed"),
            Error::new("HTTP_504", "Salesforce answered HTTP 504", Some(504)),
        ];
        for error in not_outages {
            assert!(!error.is_outage(), "{error}");
        }
    }
}
