//! Product2 (01t), Pricebook2 (01s), PricebookEntry (01u), Order (801) and OrderItem (802).

use super::{add_address, finish, owner, start};
use crate::schema::field::{FieldSchema, FieldType};
use crate::schema::object::ObjectSchema;
use crate::schema::{OrgFeatures, SchemaError};

/// Order `Status` values; each maps to the `StatusCode` of the same name.
pub const ORDER_STATUSES: &[&str] = &["Draft", "Activated"];

fn f(name: &str, label: &str, field_type: FieldType) -> FieldSchema {
    FieldSchema::new(name, label, field_type)
}

pub(super) fn product2() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Product2", "Product", "Products", "01t")?;
    object.add_fields([
        f("Name", "Product Name", FieldType::text(255)).required().name_field(),
        f("ProductCode", "Product Code", FieldType::text(255)),
        f("Description", "Product Description", FieldType::textarea(4000)),
        f("Family", "Product Family", FieldType::picklist(&[], false)),
        // Defaults to false: an inactive product cannot be sold.
        f("IsActive", "Active", FieldType::Boolean),
        // Whether StockKeepingUnit is an External ID is [unconfirmed]; we model a plain text field.
        f("StockKeepingUnit", "Product SKU", FieldType::text(180)),
        f("QuantityUnitOfMeasure", "Quantity Unit Of Measure", FieldType::picklist(&["Each"], false)),
        f("DisplayUrl", "Display URL", FieldType::Url),
    ])?;
    finish(object)
}

/// The standard price book is seeded by the sandbox (`IsStandard` is never writable).
pub(super) fn pricebook2() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Pricebook2", "Price Book", "Price Books", "01s")?;
    object.add_fields([
        f("Name", "Price Book Name", FieldType::text(255)).required().name_field(),
        f("IsActive", "Active", FieldType::Boolean),
        f("IsStandard", "Is Standard Price Book", FieldType::Boolean).read_only(),
        f("Description", "Description", FieldType::text(255)),
    ])?;
    finish(object)
}

pub(super) fn pricebook_entry() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("PricebookEntry", "Price Book Entry", "Price Book Entries", "01u")?;
    let book = FieldType::master("Pricebook2", "Pricebook2", "PricebookEntries");
    let product = FieldType::master("Product2", "Product2", "PricebookEntries");
    object.add_fields([
        f("Name", "Product Name", FieldType::text(255)).read_only().name_field(),
        f("Pricebook2Id", "Price Book ID", book).required().create_only(),
        f("Product2Id", "Product ID", product).required().create_only(),
        f("UnitPrice", "List Price", FieldType::currency()).required(),
        f("IsActive", "Active", FieldType::Boolean),
        f("UseStandardPrice", "Use Standard Price", FieldType::Boolean),
        f("ProductCode", "Product Code", FieldType::text(255)).read_only(),
    ])?;
    finish(object)
}

pub(super) fn order(features: &OrgFeatures) -> Result<ObjectSchema, SchemaError> {
    let mut object = start("Order", "Order", "Orders", "801")?;
    let lookup = |to: &str, rel: &str, child: Option<&str>| FieldType::lookup(to, rel, child);
    object.add_fields([
        f("AccountId", "Account ID", lookup("Account", "Account", Some("Orders"))).required(),
        f("OpportunityId", "Opportunity ID", lookup("Opportunity", "Opportunity", Some("Orders"))),
        f("Pricebook2Id", "Price Book ID", lookup("Pricebook2", "Pricebook2", Some("Orders"))),
        f("EffectiveDate", "Order Start Date", FieldType::Date).required(),
        f("EndDate", "Order End Date", FieldType::Date),
        f("Status", "Status", FieldType::picklist(ORDER_STATUSES, true)).required(),
        f("StatusCode", "Status Category", FieldType::picklist(ORDER_STATUSES, true)).read_only().defaulted(),
        f("Type", "Order Type", FieldType::picklist(&[], false)),
        f("Name", "Order Name", FieldType::text(80)),
        f("OrderNumber", "Order Number", FieldType::text(30)).auto_number().name_field().id_lookup(),
        f("OrderReferenceNumber", "Order Reference Number", FieldType::text(80)),
        f("PoNumber", "PO Number", FieldType::text(80)),
        f("PoDate", "PO Date", FieldType::Date),
        f("BillToContactId", "Bill To Contact ID", lookup("Contact", "BillToContact", None)),
        f("ShipToContactId", "Ship To Contact ID", lookup("Contact", "ShipToContact", None)),
        f("Description", "Description", FieldType::textarea(32000)),
    ])?;
    add_address(&mut object, "Billing", features)?;
    add_address(&mut object, "Shipping", features)?;
    object.add_fields([
        f("TotalAmount", "Order Amount", FieldType::currency()).read_only(),
        f("ActivatedDate", "Activated Date", FieldType::DateTime).read_only(),
        owner(),
    ])?;
    finish(object)
}

pub(super) fn order_item() -> Result<ObjectSchema, SchemaError> {
    let mut object = start("OrderItem", "Order Product", "Order Products", "802")?;
    let order = FieldType::master("Order", "Order", "OrderItems");
    let entry = FieldType::lookup("PricebookEntry", "PricebookEntry", None);
    object.add_fields([
        f("OrderId", "Order ID", order).required().create_only(),
        f("PricebookEntryId", "Price Book Entry ID", entry).required().create_only(),
        f("Product2Id", "Product ID", FieldType::lookup("Product2", "Product2", None)).create_only(),
        f("OrderItemNumber", "Order Product Number", FieldType::text(30)).auto_number().name_field().id_lookup(),
        f("Quantity", "Quantity", FieldType::Double { precision: 18, scale: 2 }).required(),
        f("UnitPrice", "Unit Price", FieldType::currency()).required(),
        f("ListPrice", "List Price", FieldType::currency()).read_only(),
        f("TotalPrice", "Total Price", FieldType::currency()).read_only(),
        f("Description", "Line Description", FieldType::text(255)),
        f("ServiceDate", "Start Date", FieldType::Date),
        f("EndDate", "End Date", FieldType::Date),
    ])?;
    finish(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(object: &ObjectSchema) -> Vec<&str> {
        object.required_on_create().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn order_requires_account_start_date_and_status() {
        let Ok(object) = order(&OrgFeatures::default()) else { panic!("builds") };
        assert_eq!(names(&object), ["AccountId", "EffectiveDate", "Status"]);
        let status = object.field("Status").map(|f| &f.field_type);
        assert_eq!(status, Some(&FieldType::picklist(&["Draft", "Activated"], true)));
        assert!(object.field("OrderNumber").is_some_and(|f| f.auto_number && !f.createable));
    }

    #[test]
    fn commerce_required_fields() {
        let built = [product2(), pricebook2(), pricebook_entry(), order_item()];
        let required: Vec<Vec<String>> = built
            .iter()
            .map(|o| o.as_ref().map(|o| names(o).join(",")).unwrap_or_default())
            .map(|s| s.split(',').map(str::to_owned).collect())
            .collect();
        assert_eq!(required[0], ["Name"]);
        assert_eq!(required[1], ["Name"]);
        assert_eq!(required[2], ["Pricebook2Id", "Product2Id", "UnitPrice"]);
        assert_eq!(required[3], ["OrderId", "PricebookEntryId", "Quantity", "UnitPrice"]);
    }

    #[test]
    fn standard_pricebook_flag_is_read_only() {
        let Ok(object) = pricebook2() else { panic!("builds") };
        assert!(object.field("IsStandard").is_some_and(|f| !f.createable && !f.updateable));
        let Ok(product) = product2() else { panic!("builds") };
        let active = product.field("IsActive").and_then(|f| f.default_value.clone());
        assert_eq!(active, Some(serde_json::Value::Bool(false)));
    }
}
