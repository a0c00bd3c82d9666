//! Field data types: text with lengths, numbers with precision, picklists, lookups and the rest,
//! with the type names describe reports.

/// Fixed lengths Salesforce gives these field types.
pub const EMAIL_LENGTH: u32 = 80;
pub const PHONE_LENGTH: u32 = 40;
pub const URL_LENGTH: u32 = 255;
pub const PICKLIST_LENGTH: u32 = 255;
pub const ID_LENGTH: u32 = 18;

/// One value of a picklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicklistValue {
    pub value: String,
    pub label: String,
    pub active: bool,
}

impl PicklistValue {
    /// An active value whose label equals its API value.
    pub fn plain(value: &str) -> Self {
        Self { value: value.to_owned(), label: value.to_owned(), active: true }
    }

    /// An active value with a distinct label (e.g. a country code and its name).
    pub fn labelled(value: &str, label: &str) -> Self {
        Self { value: value.to_owned(), label: label.to_owned(), active: true }
    }
}

/// A lookup: which objects it may point to and its relationship names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Canonical names of the objects the lookup may reference.
    pub to: Vec<String>,
    /// The parent relationship name (`AccountId` → `Account`, `Parent__c` → `Parent__r`).
    pub relationship_name: String,
    /// The child relationship name on the parent (`Contacts`), if it has one.
    pub child_relationship: Option<String>,
    /// Deleting the parent deletes this record (master-detail style).
    pub cascade_delete: bool,
}

/// The data type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String {
        length: u32,
    },
    TextArea {
        length: u32,
    },
    Email,
    Phone,
    Url,
    Boolean,
    Int {
        digits: u8,
    },
    Double {
        precision: u8,
        scale: u8,
    },
    Currency {
        precision: u8,
        scale: u8,
    },
    Percent {
        precision: u8,
        scale: u8,
    },
    Date,
    DateTime,
    Picklist {
        values: Vec<PicklistValue>,
        restricted: bool,
        controller: Option<String>,
    },
    Reference(Reference),
    /// A read-only compound address (`BillingAddress`), derived from its component fields.
    Address,
}

impl FieldType {
    pub fn text(length: u32) -> Self {
        Self::String { length }
    }

    pub fn textarea(length: u32) -> Self {
        Self::TextArea { length }
    }

    pub fn currency() -> Self {
        Self::Currency { precision: 18, scale: 2 }
    }

    /// A picklist whose labels equal its values.
    pub fn picklist(values: &[&str], restricted: bool) -> Self {
        let values = values.iter().map(|v| PicklistValue::plain(v)).collect();
        Self::Picklist { values, restricted, controller: None }
    }

    /// A lookup to one object.
    pub fn lookup(to: &str, relationship: &str, child: Option<&str>) -> Self {
        Self::Reference(Reference {
            to: vec![to.to_owned()],
            relationship_name: relationship.to_owned(),
            child_relationship: child.map(str::to_owned),
            cascade_delete: false,
        })
    }

    /// A lookup whose parent's deletion cascades to this record.
    pub fn master(to: &str, relationship: &str, child: &str) -> Self {
        Self::Reference(Reference {
            to: vec![to.to_owned()],
            relationship_name: relationship.to_owned(),
            child_relationship: Some(child.to_owned()),
            cascade_delete: true,
        })
    }

    /// The type name describe reports.
    pub fn sf_name(&self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::String { .. } => "string",
            Self::TextArea { .. } => "textarea",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Url => "url",
            Self::Boolean => "boolean",
            Self::Int { .. } => "int",
            Self::Double { .. } => "double",
            Self::Currency { .. } => "currency",
            Self::Percent { .. } => "percent",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Picklist { .. } => "picklist",
            Self::Reference(_) => "reference",
            Self::Address => "address",
        }
    }

    /// The SOAP type describe reports.
    pub fn soap_type(&self) -> &'static str {
        match self {
            Self::Id | Self::Reference(_) => "tns:ID",
            Self::Boolean => "xsd:boolean",
            Self::Int { .. } => "xsd:int",
            Self::Double { .. } | Self::Currency { .. } | Self::Percent { .. } => "xsd:double",
            Self::Date => "xsd:date",
            Self::DateTime => "xsd:dateTime",
            Self::Address => "urn:address",
            _ => "xsd:string",
        }
    }

    /// Maximum length in characters for text-like types.
    pub fn max_length(&self) -> Option<u32> {
        match self {
            Self::String { length } | Self::TextArea { length } => Some(*length),
            Self::Email => Some(EMAIL_LENGTH),
            Self::Phone => Some(PHONE_LENGTH),
            Self::Url => Some(URL_LENGTH),
            Self::Picklist { .. } => Some(PICKLIST_LENGTH),
            Self::Id | Self::Reference(_) => Some(ID_LENGTH),
            _ => None,
        }
    }

    /// The lookup details, for reference fields.
    pub fn reference(&self) -> Option<&Reference> {
        match self {
            Self::Reference(reference) => Some(reference),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_and_lengths() {
        assert_eq!(FieldType::DateTime.sf_name(), "datetime");
        assert_eq!(FieldType::DateTime.soap_type(), "xsd:dateTime");
        assert_eq!(
            FieldType::Reference(Reference {
                to: vec!["Account".into()],
                relationship_name: "Account".into(),
                child_relationship: None,
                cascade_delete: false
            })
            .soap_type(),
            "tns:ID"
        );
        assert_eq!(FieldType::Email.max_length(), Some(80));
        assert_eq!(FieldType::text(40).max_length(), Some(40));
        assert_eq!(FieldType::currency().max_length(), None);
        let values = FieldType::picklist(&["A", "B"], true);
        assert!(matches!(values, FieldType::Picklist { restricted: true, values, .. } if values.len() == 2));
    }
}
