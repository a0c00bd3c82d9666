//! Products: a Product2 upserted by its forcesync key (collections, 200 per
//! call) and its PricebookEntry in the store's price book — plus the
//! standard book's entry Salesforce requires first when that book is custom.
//! Entries have no external id: they are looked up by product and book
//! before any is created, and the book's uniqueness rule stops duplicates.

use serde_json::{Value, json};
use std::collections::HashMap;

use crate::domain::settings::Pricebook;
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error, ErrorClass};
use crate::storage::sync::WrittenRecord;

use super::connections::StoreConnection;
use super::subrequests::{Records, hash};

/// A product a batch needs in Salesforce.
#[derive(Debug, Clone)]
pub(super) struct ProductWant {
    pub key: String,
    pub sku: String,
    pub name: String,
    pub price: f64,
    pub active: bool,
    /// From the catalog (UpsertProducts): its values win. Otherwise (an order
    /// line naming an unknown SKU) existing records are left as they are.
    pub catalog: bool,
}

async fn first_id(
    client: &Client,
    soql: Result<Soql, crate::salesforce::soql::BadIdentifier>,
) -> Result<Option<String>, Error> {
    let rows = client.query_all_pages(&soql?.build()).await?;
    Ok(rows.first().and_then(|row| row.get("Id")).and_then(Value::as_str).map(str::to_owned))
}

/// The store's price book and the standard one, looked up once per connection.
pub(super) async fn pricebooks(connection: &StoreConnection) -> Result<(String, String), Error> {
    let found = connection
        .pricebooks
        .get_or_try_init(|| async {
            let client = &connection.client;
            let standard =
                Soql::select(&["Id"], "Pricebook2").and_then(|q| q.where_eq("IsStandard", Literal::Bool(true)));
            let standard = first_id(client, standard)
                .await?
                .ok_or_else(|| Error::new("PRICEBOOK_NOT_FOUND", "the org has no standard price book", None))?;
            let book = match &connection.settings.pricebook {
                Pricebook::Standard => Some(standard.clone()),
                Pricebook::Id(id) => Some(id.clone()),
                Pricebook::Name(name) => {
                    let query =
                        Soql::select(&["Id"], "Pricebook2").and_then(|q| q.where_eq("Name", Literal::str(name)));
                    first_id(client, query).await?
                }
            };
            let book = book.ok_or_else(|| {
                let message = "the price book named in the store's settings does not exist";
                Error::new("PRICEBOOK_NOT_FOUND", message, None).with_class(ErrorClass::Config)
            })?;
            Ok::<_, Error>((book, standard))
        })
        .await?;
    Ok(found.clone())
}

/// What `ensure` did: records to remember and the products that failed.
#[derive(Debug, Default)]
pub(super) struct Ensured {
    pub written: Vec<WrittenRecord>,
    pub failed: HashMap<String, Error>,
}

fn record(object: &str, key: &str, id: &str, hash: Vec<u8>) -> WrittenRecord {
    WrittenRecord {
        object: object.into(),
        key: key.into(),
        id: id.into(),
        body_hash: hash,
        matched: false,
        written_at: 0,
    }
}

/// Makes sure every wanted product has a Product2 and an entry in `book`.
#[tracing::instrument(name = "engine.ensure_products", skip_all, fields(products = wants.len()))]
pub(super) async fn ensure(
    client: &Client,
    (book, standard): (&str, &str),
    key_field: &str,
    wants: &[ProductWant],
    records: &mut Records,
) -> Ensured {
    let mut out = Ensured::default();
    // 1. Product2 by key.
    let mut upserts = Vec::new();
    for want in wants {
        let body = json!({ "Name": want.name, "ProductCode": want.sku, "IsActive": want.active });
        let digest = hash("Product2", &want.key, &body);
        match records.get(&("Product2".to_owned(), want.key.clone())) {
            Some(known) if known.body_hash == digest || !want.catalog => {}
            _ => upserts.push((want, body, digest)),
        }
    }
    if !upserts.is_empty() {
        let bodies: Vec<Value> = upserts
            .iter()
            .map(|(want, body, _)| {
                let mut body = body.clone();
                body[key_field] = Value::String(want.key.clone());
                body
            })
            .collect();
        match client.upsert_records("Product2", key_field, &bodies, false).await {
            Ok(results) => {
                for ((want, _, digest), result) in upserts.iter().zip(results) {
                    match result {
                        Ok(saved) => {
                            let written = record("Product2", &want.key, &saved.id, digest.clone());
                            records.insert(("Product2".into(), want.key.clone()), written.clone());
                            out.written.push(written);
                        }
                        Err(error) => {
                            out.failed.insert(want.key.clone(), error);
                        }
                    }
                }
            }
            Err(error) => {
                for (want, _, _) in &upserts {
                    out.failed.insert(want.key.clone(), error.clone());
                }
                return out;
            }
        }
    }
    // 2. Entries.
    super::pricebook_entries::ensure_entries(client, (book, standard), wants, records, &mut out).await;
    out
}
