//! What the query engine needs to know about the schema, supplied by the sandbox.

/// Schema and relationship knowledge. Every lookup is case-insensitive on the name asked
/// for; `object` arguments are always canonical names previously returned by `object` or
/// `relationship`.
pub trait Catalog {
    /// Canonical API name of an object, or `None` if there is no such object.
    fn object(&self, name: &str) -> Option<String>;
    /// A field of `object` by name.
    fn field(&self, object: &str, field: &str) -> Option<FieldInfo>;
    /// A parent relationship of `object` by relationship name (e.g. `Account` on Contact).
    fn relationship(&self, object: &str, relationship: &str) -> Option<Relationship>;
    /// A child relationship of `object` by name (e.g. `Contacts` on Account), as describe
    /// lists it in `childRelationships`.
    fn child_relationship(&self, object: &str, relationship: &str) -> Option<ChildRelationship>;
}

/// A field's canonical name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: String,
    pub kind: ValueKind,
}

/// A lookup from a child object to its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    /// Canonical relationship name, the key of the nested object in query results.
    pub name: String,
    /// The child's field holding the parent Id (e.g. `AccountId`).
    pub foreign_key: String,
    /// The parent object's canonical name.
    pub target: String,
}

/// The lookups from a child object to a parent, seen from the parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRelationship {
    /// Canonical relationship name, the key of the nested result (e.g. `Contacts`).
    pub name: String,
    /// The child object's canonical name.
    pub child: String,
    /// The child's field holding the parent Id (e.g. `AccountId`).
    pub foreign_key: String,
}

/// Field types as far as filtering and sorting distinguish them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Id,
    Reference,
    /// Text of any flavour: string, textarea, email, phone, url, combobox, and types the
    /// engine treats as opaque text (time, base64, anyType, address, location).
    String,
    Picklist,
    Boolean,
    Integer,
    Double,
    Currency,
    Percent,
    Date,
    DateTime,
}

impl ValueKind {
    /// The kind for a describe `type` value (§4.2), case-insensitively.
    pub fn from_describe_type(describe_type: &str) -> Self {
        match describe_type.to_ascii_lowercase().as_str() {
            "id" => Self::Id,
            "reference" => Self::Reference,
            "picklist" | "multipicklist" => Self::Picklist,
            "boolean" => Self::Boolean,
            "int" | "long" => Self::Integer,
            "double" => Self::Double,
            "currency" => Self::Currency,
            "percent" => Self::Percent,
            "date" => Self::Date,
            "datetime" => Self::DateTime,
            _ => Self::String,
        }
    }

    /// Whether literals for this kind are quoted strings.
    pub(crate) fn is_quoted(self) -> bool {
        matches!(self, Self::Id | Self::Reference | Self::String | Self::Picklist)
    }

    /// Whether values are record Ids, compared by their 15-character form.
    pub(crate) fn is_id(self) -> bool {
        matches!(self, Self::Id | Self::Reference)
    }

    pub(crate) fn is_number(self) -> bool {
        matches!(self, Self::Integer | Self::Double | Self::Currency | Self::Percent)
    }

    /// The type name used in filter error messages.
    // [unconfirmed] Salesforce names the expected type after the field's SOAP type; the
    // names for the numeric kinds are the most likely ones, not verified.
    pub(crate) fn message_name(self) -> &'static str {
        match self {
            Self::Id | Self::Reference => "id",
            Self::String | Self::Picklist => "string",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Double | Self::Currency | Self::Percent => "double",
            Self::Date => "date",
            Self::DateTime => "dateTime",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ValueKind;

    #[test]
    fn describe_types_map_to_kinds() {
        let cases = [
            ("id", ValueKind::Id),
            ("reference", ValueKind::Reference),
            ("email", ValueKind::String),
            ("textarea", ValueKind::String),
            ("multipicklist", ValueKind::Picklist),
            ("boolean", ValueKind::Boolean),
            ("long", ValueKind::Integer),
            ("currency", ValueKind::Currency),
            ("percent", ValueKind::Percent),
            ("double", ValueKind::Double),
            ("date", ValueKind::Date),
            ("dateTime", ValueKind::DateTime),
            ("address", ValueKind::String),
        ];
        for (describe, kind) in cases {
            assert_eq!(ValueKind::from_describe_type(describe), kind, "{describe}");
        }
    }
}
