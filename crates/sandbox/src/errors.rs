//! The error object Salesforce returns for a failed record operation, in its three wire spellings:
//! REST (`errorCode`), collections/tree/SOAP (`statusCode`) and Bulk 2.0 result CSVs (`sf__Error`).

use serde::{Serialize, Serializer};
use serde_json::{Value, json};

/// The Salesforce error codes the schema and validator produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    RequiredFieldMissing,
    InvalidCrossReferenceKey,
    FieldIntegrityException,
    MalformedId,
    DuplicateValue,
    InvalidOrNullForRestrictedPicklist,
    StringTooLong,
    EntityIsDeleted,
    InvalidField,
    InvalidFieldForInsertUpdate,
    InvalidEmailAddress,
    NumberOutsideValidRange,
    JsonParserError,
    InvalidTypeOnFieldInRecord,
    NotFound,
    UnableToLockRow,
    StandardPriceNotDefined,
    ProcessingHalted,
    AllOrNoneOperationRolledBack,
    /// Any other code, spelled as Salesforce does (e.g. `INVALID_SESSION_ID`).
    Other(&'static str),
}

impl ErrorCode {
    /// The code exactly as Salesforce spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiredFieldMissing => "REQUIRED_FIELD_MISSING",
            Self::InvalidCrossReferenceKey => "INVALID_CROSS_REFERENCE_KEY",
            Self::FieldIntegrityException => "FIELD_INTEGRITY_EXCEPTION",
            Self::MalformedId => "MALFORMED_ID",
            Self::DuplicateValue => "DUPLICATE_VALUE",
            Self::InvalidOrNullForRestrictedPicklist => "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            Self::StringTooLong => "STRING_TOO_LONG",
            Self::EntityIsDeleted => "ENTITY_IS_DELETED",
            Self::InvalidField => "INVALID_FIELD",
            Self::InvalidFieldForInsertUpdate => "INVALID_FIELD_FOR_INSERT_UPDATE",
            Self::InvalidEmailAddress => "INVALID_EMAIL_ADDRESS",
            Self::NumberOutsideValidRange => "NUMBER_OUTSIDE_VALID_RANGE",
            Self::JsonParserError => "JSON_PARSER_ERROR",
            Self::InvalidTypeOnFieldInRecord => "INVALID_TYPE_ON_FIELD_IN_RECORD",
            Self::NotFound => "NOT_FOUND",
            Self::UnableToLockRow => "UNABLE_TO_LOCK_ROW",
            Self::StandardPriceNotDefined => "STANDARD_PRICE_NOT_DEFINED",
            Self::ProcessingHalted => "PROCESSING_HALTED",
            Self::AllOrNoneOperationRolledBack => "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            Self::Other(code) => code,
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Salesforce error: `{errorCode, message, fields}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfError {
    pub code: ErrorCode,
    pub message: String,
    /// Canonical API names of the fields concerned; may be empty.
    pub fields: Vec<String>,
}

impl SfError {
    pub fn new(code: ErrorCode, message: impl Into<String>, fields: Vec<String>) -> Self {
        Self { code, message: message.into(), fields }
    }

    /// An error about exactly one field.
    pub fn on_field(code: ErrorCode, message: impl Into<String>, field: &str) -> Self {
        Self::new(code, message, vec![field.to_owned()])
    }

    /// `MALFORMED_ID` for a record Id that does not parse (e.g. in a URL or an `Id` body key).
    pub fn malformed_id(value: &str) -> Self {
        Self::new(ErrorCode::MalformedId, format!("malformed id {value}"), Vec::new())
    }

    /// `404 NOT_FOUND`, e.g. describe of an unknown object; this error carries no `fields`.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "The requested resource does not exist", Vec::new())
    }

    /// The REST shape: `{"message", "errorCode", "fields"}`.
    pub fn to_rest_json(&self) -> Value {
        // These errors carry no `fields` key on the wire.
        if matches!(self.code, ErrorCode::NotFound | ErrorCode::Other("INVALID_SESSION_ID" | "REQUEST_LIMIT_EXCEEDED"))
        {
            return json!({ "message": self.message, "errorCode": self.code.as_str() });
        }
        json!({ "message": self.message, "errorCode": self.code.as_str(), "fields": self.fields })
    }

    /// The shape inside `composite/sobjects`, `composite/tree` and SOAP results (`statusCode`).
    pub fn to_collection_json(&self) -> Value {
        json!({ "statusCode": self.code.as_str(), "message": self.message, "fields": self.fields })
    }

    /// The Bulk 2.0 `sf__Error` cell: `CODE:message:fields--`, e.g.
    /// `REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --`.
    pub fn to_bulk_cell(&self) -> String {
        let fields = if self.fields.is_empty() { String::new() } else { format!("{} ", self.fields.join(",")) };
        format!("{}:{}:{}--", self.code.as_str(), self.message, fields)
    }
}

impl std::fmt::Display for SfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for SfError {}

/// The REST error body: a JSON array of error objects.
pub fn rest_error_body(errors: &[SfError]) -> Value {
    Value::Array(errors.iter().map(SfError::to_rest_json).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing_last_name() -> SfError {
        SfError::on_field(ErrorCode::RequiredFieldMissing, "Required fields are missing: [LastName]", "LastName")
    }

    #[test]
    fn rest_shape_uses_error_code() {
        let body = rest_error_body(&[missing_last_name()]);
        assert_eq!(
            body,
            json!([{ "message": "Required fields are missing: [LastName]",
                     "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["LastName"] }])
        );
    }

    #[test]
    fn collection_shape_uses_status_code() {
        let item = missing_last_name().to_collection_json();
        assert_eq!(item["statusCode"], "REQUIRED_FIELD_MISSING");
        assert!(item.get("errorCode").is_none());
    }

    #[test]
    fn bulk_cell_matches_reference_examples() {
        assert_eq!(
            missing_last_name().to_bulk_cell(),
            "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
        );
        let deleted = SfError::new(ErrorCode::EntityIsDeleted, "entity is deleted", Vec::new());
        assert_eq!(deleted.to_bulk_cell(), "ENTITY_IS_DELETED:entity is deleted:--");
    }

    #[test]
    fn malformed_id_message() {
        let e = SfError::malformed_id("abc123");
        assert_eq!(e.code.as_str(), "MALFORMED_ID");
        assert_eq!(e.message, "malformed id abc123");
        assert_eq!(serde_json::to_value(e.code).ok(), Some(json!("MALFORMED_ID")));
    }

    #[test]
    fn not_found_omits_fields() {
        let body = rest_error_body(&[SfError::not_found()]);
        let expected = json!([{ "message": "The requested resource does not exist", "errorCode": "NOT_FOUND" }]);
        assert_eq!(body, expected);
    }
}
