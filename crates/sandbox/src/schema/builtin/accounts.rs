//! Account (001), Contact (003), Lead (00Q) and User (005).

use serde_json::Value;

use super::{LEAD_SOURCES, add_address, finish, owner, start, text_value};
use crate::schema::field::{FieldSchema, FieldType};
use crate::schema::object::ObjectSchema;
use crate::schema::{OrgFeatures, SchemaError};

const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];
const SALUTATIONS: &[&str] = &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."];
/// Lead Status default values; the first is the default.
pub const LEAD_STATUSES: &[&str] =
    &["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"];

fn f(name: &str, label: &str, field_type: FieldType) -> FieldSchema {
    FieldSchema::new(name, label, field_type)
}

fn person_name_fields() -> [FieldSchema; 4] {
    [
        f("LastName", "Last Name", FieldType::text(80)).required(),
        f("FirstName", "First Name", FieldType::text(40)),
        f("Salutation", "Salutation", FieldType::picklist(SALUTATIONS, false)),
        f("Name", "Full Name", FieldType::text(121)).read_only().name_field(),
    ]
}

pub(super) fn account(features: &OrgFeatures) -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Account", "Account", "Accounts", "001")?;
    let account_types = [
        "Prospect",
        "Customer - Direct",
        "Customer - Channel",
        "Channel Partner / Reseller",
        "Installation Partner",
        "Technology Partner",
        "Other",
    ];
    // A person account's Name is derived from its person's name, so Name is required only of business accounts
    // (checked on save, see `org::derived`).
    let name = f("Name", "Account Name", FieldType::text(255)).name_field().id_lookup();
    object.add_fields([
        if features.person_accounts { name } else { name.required() },
        f("Type", "Account Type", FieldType::picklist(&account_types, false)),
        f("ParentId", "Parent Account ID", FieldType::lookup("Account", "Parent", Some("ChildAccounts"))),
    ])?;
    add_address(&mut object, "Billing", features)?;
    add_address(&mut object, "Shipping", features)?;
    object.add_fields([
        f("Phone", "Account Phone", FieldType::Phone),
        f("Fax", "Account Fax", FieldType::Phone),
        f("AccountNumber", "Account Number", FieldType::text(40)),
        f("Website", "Website", FieldType::Url),
        f("Industry", "Industry", FieldType::picklist(INDUSTRIES, false)),
        f("AnnualRevenue", "Annual Revenue", FieldType::Currency { precision: 18, scale: 0 }),
        f("NumberOfEmployees", "Employees", FieldType::Int { digits: 8 }),
        f("Description", "Account Description", FieldType::textarea(32000)),
        f("AccountSource", "Account Source", FieldType::picklist(LEAD_SOURCES, false)),
        owner(),
    ])?;
    if features.person_accounts {
        object.add_fields([
            f("RecordTypeId", "Record Type ID", FieldType::text(18)),
            f("IsPersonAccount", "Is Person Account", FieldType::Boolean).read_only(),
            f("FirstName", "First Name", FieldType::text(40)),
            f("LastName", "Last Name", FieldType::text(80)),
            f("PersonEmail", "Email", FieldType::Email),
            f("PersonMobilePhone", "Mobile", FieldType::Phone),
            f("PersonContactId", "Person Contact ID", FieldType::lookup("Contact", "PersonContact", None)).read_only(),
        ])?;
        add_address(&mut object, "PersonMailing", features)?;
    }
    finish(object)
}

/// The record type Id of person accounts in a sandbox org that has them.
pub const PERSON_ACCOUNT_RECORD_TYPE_ID: &str = "0125s0000000001AAA";

pub(super) fn contact(features: &OrgFeatures) -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Contact", "Contact", "Contacts", "003")?;
    object.add_fields(person_name_fields())?;
    object.add_fields([
        f("AccountId", "Account ID", FieldType::lookup("Account", "Account", Some("Contacts"))),
        f("Title", "Title", FieldType::text(128)),
        f("Department", "Department", FieldType::text(80)),
        f("Email", "Email", FieldType::Email).id_lookup(),
        f("Phone", "Business Phone", FieldType::Phone),
        f("MobilePhone", "Mobile Phone", FieldType::Phone),
    ])?;
    add_address(&mut object, "Mailing", features)?;
    object.add_fields([
        f("Birthdate", "Birthdate", FieldType::Date),
        f("LeadSource", "Lead Source", FieldType::picklist(LEAD_SOURCES, false)),
        f("Description", "Contact Description", FieldType::textarea(32000)),
        f("HasOptedOutOfEmail", "Email Opt Out", FieldType::Boolean),
        owner(),
    ])?;
    finish(object)
}

pub(super) fn lead(features: &OrgFeatures) -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Lead", "Lead", "Leads", "00Q")?;
    object.add_fields(person_name_fields())?;
    // Lead Status is backed by the LeadStatus object like StageName is by OpportunityStage, so we
    // treat it as restricted [unconfirmed].
    let status = FieldType::picklist(LEAD_STATUSES, true);
    let converted =
        |name: &str, label: &str, to: &str, rel: &str| f(name, label, FieldType::lookup(to, rel, None)).read_only();
    object.add_fields([
        f("Company", "Company", FieldType::text(255)).required(),
        f("Title", "Title", FieldType::text(128)),
        f("Email", "Email", FieldType::Email).id_lookup(),
        f("Phone", "Phone", FieldType::Phone),
        f("MobilePhone", "Mobile Phone", FieldType::Phone),
        f("Status", "Lead Status", status).required().with_default(text_value(LEAD_STATUSES[0])),
    ])?;
    add_address(&mut object, "", features)?;
    object.add_fields([
        f("Website", "Website", FieldType::Url),
        f("Industry", "Industry", FieldType::picklist(INDUSTRIES, false)),
        f("LeadSource", "Lead Source", FieldType::picklist(LEAD_SOURCES, false)),
        f("Rating", "Rating", FieldType::picklist(&["Hot", "Warm", "Cold"], false)),
        f("AnnualRevenue", "Annual Revenue", FieldType::Currency { precision: 18, scale: 0 }),
        f("NumberOfEmployees", "Employees", FieldType::Int { digits: 8 }),
        f("Description", "Description", FieldType::textarea(32000)),
        f("IsConverted", "Converted", FieldType::Boolean).read_only(),
        f("ConvertedDate", "Converted Date", FieldType::Date).read_only(),
        converted("ConvertedAccountId", "Converted Account ID", "Account", "ConvertedAccount"),
        converted("ConvertedContactId", "Converted Contact ID", "Contact", "ConvertedContact"),
        converted("ConvertedOpportunityId", "Converted Opportunity ID", "Opportunity", "ConvertedOpportunity"),
        owner(),
    ])?;
    finish(object)
}

/// Users are read-only through the API here: the sandbox seeds them itself.
pub(super) fn user() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("User", "User", "Users", "005")?;
    object.createable = false;
    object.deletable = false;
    object.add_fields([
        f("Username", "Username", FieldType::text(80)).required().unique().id_lookup(),
        f("LastName", "Last Name", FieldType::text(80)).required(),
        f("FirstName", "First Name", FieldType::text(40)),
        f("Name", "Full Name", FieldType::text(121)).read_only().name_field(),
        f("Alias", "Alias", FieldType::text(8)).required(),
        f("Email", "Email", FieldType::Email).required(),
        f("CommunityNickname", "Nickname", FieldType::text(40)),
        f("Title", "Title", FieldType::text(80)),
        f("Phone", "Phone", FieldType::Phone),
        f("IsActive", "Active", FieldType::Boolean).with_default(Value::Bool(true)),
    ])?;
    finish(object)
}
