//! Opportunity (006), OpportunityLineItem (00k) and OpportunityContactRole (00K), plus the default
//! opportunity stages and what each stage implies.

use super::{LEAD_SOURCES, finish, owner, start};
use crate::schema::SchemaError;
use crate::schema::field::{FieldSchema, FieldType};
use crate::schema::object::ObjectSchema;

/// What an opportunity stage implies for the derived fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageInfo {
    pub name: &'static str,
    pub probability: u8,
    pub forecast_category: &'static str,
    pub is_closed: bool,
    pub is_won: bool,
}

const fn stage(name: &'static str, probability: u8, forecast: &'static str) -> StageInfo {
    StageInfo { name, probability, forecast_category: forecast, is_closed: false, is_won: false }
}

/// The Developer Edition default stages. Probabilities and forecast categories are the commonly
/// reported defaults [observed, not documented].
pub const OPPORTUNITY_STAGES: &[StageInfo] = &[
    stage("Prospecting", 10, "Pipeline"),
    stage("Qualification", 10, "Pipeline"),
    stage("Needs Analysis", 20, "Pipeline"),
    stage("Value Proposition", 50, "Pipeline"),
    stage("Id. Decision Makers", 60, "Pipeline"),
    stage("Perception Analysis", 70, "Pipeline"),
    stage("Proposal/Price Quote", 75, "Pipeline"),
    stage("Negotiation/Review", 90, "Pipeline"),
    StageInfo { name: "Closed Won", probability: 100, forecast_category: "Closed", is_closed: true, is_won: true },
    StageInfo { name: "Closed Lost", probability: 0, forecast_category: "Omitted", is_closed: true, is_won: false },
];

/// The stage with exactly this API value.
pub fn opportunity_stage(name: &str) -> Option<&'static StageInfo> {
    OPPORTUNITY_STAGES.iter().find(|s| s.name == name)
}

const OCR_ROLES: &[&str] = &[
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Other",
];

fn f(name: &str, label: &str, field_type: FieldType) -> FieldSchema {
    FieldSchema::new(name, label, field_type)
}

pub(super) fn opportunity() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Opportunity", "Opportunity", "Opportunities", "006")?;
    let stages: Vec<&str> = OPPORTUNITY_STAGES.iter().map(|s| s.name).collect();
    let forecast = ["Omitted", "Pipeline", "Best Case", "Commit", "Closed"];
    let types = [
        "Existing Customer - Upgrade",
        "Existing Customer - Replacement",
        "Existing Customer - Downgrade",
        "New Customer",
    ];
    object.add_fields([
        f("Name", "Name", FieldType::text(120)).required().name_field(),
        f("AccountId", "Account ID", FieldType::lookup("Account", "Account", Some("Opportunities"))),
        f("StageName", "Stage", FieldType::picklist(&stages, true)).required(),
        f("CloseDate", "Close Date", FieldType::Date).required(),
        f("Amount", "Amount", FieldType::currency()),
        // Defaulted from the stage by the store when omitted.
        f("Probability", "Probability (%)", FieldType::Percent { precision: 3, scale: 0 }).defaulted(),
        f("ForecastCategoryName", "Forecast Category", FieldType::picklist(&forecast, true)).defaulted(),
        f("Type", "Opportunity Type", FieldType::picklist(&types, false)),
        f("LeadSource", "Lead Source", FieldType::picklist(LEAD_SOURCES, false)),
        f("NextStep", "Next Step", FieldType::text(255)),
        f("Description", "Description", FieldType::textarea(32000)),
        f("Pricebook2Id", "Price Book ID", FieldType::lookup("Pricebook2", "Pricebook2", Some("Opportunities"))),
        f("IsClosed", "Closed", FieldType::Boolean).read_only(),
        f("IsWon", "Won", FieldType::Boolean).read_only(),
        f("HasOpportunityLineItem", "Has Line Item", FieldType::Boolean).read_only(),
        owner(),
    ])?;
    finish(object)
}

pub(super) fn opportunity_line_item() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("OpportunityLineItem", "Opportunity Product", "Opportunity Product", "00k")?;
    let parent = FieldType::master("Opportunity", "Opportunity", "OpportunityLineItems");
    let entry = FieldType::lookup("PricebookEntry", "PricebookEntry", Some("OpportunityLineItems"));
    object.add_fields([
        f("OpportunityId", "Opportunity ID", parent).required().create_only(),
        f("PricebookEntryId", "Price Book Entry ID", entry).required().create_only(),
        f("Product2Id", "Product ID", FieldType::lookup("Product2", "Product2", None)).create_only(),
        f("Name", "Opportunity Product Name", FieldType::text(376)).read_only().name_field(),
        f("ProductCode", "Product Code", FieldType::text(255)).read_only(),
        f("Quantity", "Quantity", FieldType::Double { precision: 12, scale: 2 }).required(),
        f("UnitPrice", "Sales Price", FieldType::currency()),
        f("TotalPrice", "Total Price", FieldType::currency()),
        f("ListPrice", "List Price", FieldType::currency()).read_only(),
        f("Discount", "Discount", FieldType::Percent { precision: 5, scale: 2 }),
        f("ServiceDate", "Date", FieldType::Date),
        f("Description", "Line Description", FieldType::text(255)),
    ])?;
    finish(object)
}

pub(super) fn opportunity_contact_role() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("OpportunityContactRole", "Opportunity Contact Role", "Opportunity Contact Role", "00K")?;
    let opportunity = FieldType::master("Opportunity", "Opportunity", "OpportunityContactRoles");
    let contact = FieldType::master("Contact", "Contact", "OpportunityContactRoles");
    object.add_fields([
        f("OpportunityId", "Opportunity ID", opportunity).required().create_only(),
        f("ContactId", "Contact ID", contact).required(),
        f("Role", "Role", FieldType::picklist(OCR_ROLES, false)),
        f("IsPrimary", "Primary", FieldType::Boolean),
    ])?;
    finish(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opportunity_requires_name_stage_and_close_date() {
        let Ok(object) = opportunity() else { panic!("builds") };
        let required: Vec<&str> = object.required_on_create().map(|f| f.name.as_str()).collect();
        assert_eq!(required, ["Name", "StageName", "CloseDate"]);
        let stage = object.field("stagename").map(|f| &f.field_type);
        let Some(FieldType::Picklist { values, restricted: true, .. }) = stage else {
            panic!("StageName is a restricted picklist")
        };
        let names: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(names.first(), Some(&"Prospecting"));
        assert!(names.contains(&"Closed Won") && names.contains(&"Closed Lost"));
        assert!(object.field("IsWon").is_some_and(|f| !f.createable && !f.updateable));
    }

    #[test]
    fn stages_imply_closed_and_won() {
        assert_eq!(opportunity_stage("Closed Won").map(|s| (s.is_closed, s.is_won)), Some((true, true)));
        assert_eq!(opportunity_stage("Closed Lost").map(|s| s.forecast_category), Some("Omitted"));
        assert_eq!(opportunity_stage("Needs Analysis").map(|s| s.probability), Some(20));
        assert_eq!(opportunity_stage("closed won"), None);
    }

    #[test]
    fn contact_role_has_decision_maker_and_capital_k_prefix() {
        let Ok(object) = opportunity_contact_role() else { panic!("builds") };
        assert_eq!(object.key_prefix, "00K");
        let roles = object.field("Role").and_then(FieldSchema::picklist_values).unwrap_or_default();
        assert!(roles.iter().any(|v| v.value == "Decision Maker"));
        let Ok(line) = opportunity_line_item() else { panic!("builds") };
        assert_eq!(line.key_prefix, "00k");
    }
}
