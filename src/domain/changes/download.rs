//! An Order downloaded from Salesforce, complete for the store to import:
//! the order's own fields, its items with product codes and prices, the
//! Account, the bill-to and ship-to Contacts and both addresses. Built from
//! the query rows ([`ORDER_FIELDS`], [`ITEM_FIELDS`]); pure.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::value_text;

/// The Order fields read for a download (relationship fields included).
pub const ORDER_FIELDS: &[&str] = &[
    "Id",
    "OrderNumber",
    "Status",
    "EffectiveDate",
    "TotalAmount",
    "Description",
    "SystemModstamp",
    "LastModifiedById",
    "AccountId",
    "Account.Name",
    "Account.Phone",
    "BillToContactId",
    "BillToContact.FirstName",
    "BillToContact.LastName",
    "BillToContact.Email",
    "BillToContact.Phone",
    "ShipToContactId",
    "ShipToContact.FirstName",
    "ShipToContact.LastName",
    "ShipToContact.Email",
    "ShipToContact.Phone",
    "BillingStreet",
    "BillingCity",
    "BillingState",
    "BillingPostalCode",
    "BillingCountry",
    "ShippingStreet",
    "ShippingCity",
    "ShippingState",
    "ShippingPostalCode",
    "ShippingCountry",
];

/// The OrderItem fields read for a download.
pub const ITEM_FIELDS: &[&str] =
    &["Id", "OrderId", "Product2Id", "Product2.ProductCode", "Product2.Name", "Quantity", "UnitPrice", "TotalPrice"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// The Account or a Contact of the order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderParty {
    pub id: String,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub id: String,
    pub product_id: Option<String>,
    pub product_code: Option<String>,
    pub product_name: Option<String>,
    /// Decimal text as Salesforce returned it.
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub total_price: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadedOrder {
    pub order_number: Option<String>,
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    pub effective_date: Option<String>,
    pub total_amount: Option<String>,
    pub description: Option<String>,
    pub account: Option<OrderParty>,
    pub bill_to: Option<OrderParty>,
    pub ship_to: Option<OrderParty>,
    pub billing_address: PostalAddress,
    pub shipping_address: PostalAddress,
    pub items: Vec<OrderLine>,
}

fn text(row: &Map<String, Value>, path: &str) -> Option<String> {
    let mut value = row.get(path.split('.').next().unwrap_or(path));
    for step in path.split('.').skip(1) {
        value = value.and_then(|v| v.get(step));
    }
    value.and_then(value_text)
}

fn address(row: &Map<String, Value>, prefix: &str) -> PostalAddress {
    let part = |name: &str| text(row, &format!("{prefix}{name}"));
    PostalAddress {
        street: part("Street"),
        city: part("City"),
        state: part("State"),
        postal_code: part("PostalCode"),
        country: part("Country"),
    }
}

fn contact(row: &Map<String, Value>, relationship: &str) -> Option<OrderParty> {
    let id = text(row, &format!("{relationship}Id"))?;
    let field = |name: &str| text(row, &format!("{relationship}.{name}"));
    Some(OrderParty {
        id,
        first_name: field("FirstName"),
        last_name: field("LastName"),
        email: field("Email"),
        phone: field("Phone"),
        ..OrderParty::default()
    })
}

impl DownloadedOrder {
    /// The order from its query row and the rows of its items (any order's
    /// items may be passed: only its own are kept).
    pub fn from_rows(order: &Map<String, Value>, items: &[Map<String, Value>]) -> Self {
        let order_id = text(order, "Id");
        let account = text(order, "AccountId").map(|id| OrderParty {
            id,
            name: text(order, "Account.Name"),
            phone: text(order, "Account.Phone"),
            ..OrderParty::default()
        });
        let items = items
            .iter()
            .filter(|item| order_id.is_some() && text(item, "OrderId") == order_id)
            .map(|item| OrderLine {
                id: text(item, "Id").unwrap_or_default(),
                product_id: text(item, "Product2Id"),
                product_code: text(item, "Product2.ProductCode"),
                product_name: text(item, "Product2.Name"),
                quantity: text(item, "Quantity"),
                unit_price: text(item, "UnitPrice"),
                total_price: text(item, "TotalPrice"),
            })
            .collect();
        Self {
            order_number: text(order, "OrderNumber"),
            status: text(order, "Status"),
            effective_date: text(order, "EffectiveDate"),
            total_amount: text(order, "TotalAmount"),
            description: text(order, "Description"),
            account,
            bill_to: contact(order, "BillToContact"),
            ship_to: contact(order, "ShipToContact"),
            billing_address: address(order, "Billing"),
            shipping_address: address(order, "Shipping"),
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn an_order_row_with_relationships_and_its_items_make_the_whole_order() {
        let order = map(json!({
            "attributes": {"type": "Order"}, "Id": "801A", "OrderNumber": "00000100", "Status": "Activated",
            "EffectiveDate": "2026-12-01", "TotalAmount": 30.0, "AccountId": "001A",
            "Account": {"attributes": {"type": "Account"}, "Name": "Acme", "Phone": null},
            "BillToContactId": "003B", "BillToContact": {"FirstName": "Ada", "LastName": "L", "Email": "a@x.io", "Phone": "1"},
            "ShipToContactId": null, "ShipToContact": null,
            "BillingCity": "Paris", "ShippingCity": null
        }));
        let items = [
            map(json!({"Id": "802A", "OrderId": "801A", "Product2Id": "01tA",
                "Product2": {"ProductCode": "SKU-1", "Name": "Mug"}, "Quantity": 2.0, "UnitPrice": 15, "TotalPrice": 30})),
            map(json!({"Id": "802Z", "OrderId": "801Z", "Quantity": 1})),
        ];
        let downloaded = DownloadedOrder::from_rows(&order, &items);
        assert_eq!(downloaded.order_number.as_deref(), Some("00000100"));
        assert_eq!(downloaded.total_amount.as_deref(), Some("30.0"));
        let account = downloaded.account.clone().unwrap_or_default();
        assert_eq!((account.id.as_str(), account.name.as_deref(), account.phone), ("001A", Some("Acme"), None));
        assert_eq!(downloaded.bill_to.as_ref().and_then(|c| c.email.as_deref()), Some("a@x.io"));
        assert_eq!(downloaded.ship_to, None);
        assert_eq!(downloaded.billing_address.city.as_deref(), Some("Paris"));
        assert_eq!(downloaded.items.len(), 1);
        let line = &downloaded.items[0];
        assert_eq!((line.product_code.as_deref(), line.quantity.as_deref()), (Some("SKU-1"), Some("2.0")));
    }
}
