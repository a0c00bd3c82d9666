//! The products flow: a Product2 upserted by its forcesync key (collections,
//! 200 per call) and its PricebookEntry in the store's price book — plus the
//! standard book's entry Salesforce requires first when that book is custom.
//! Entries have no external id: they are looked up by product and book
//! before any is created, and the book's uniqueness rule stops duplicates.
//! Products are written before the batch's graphs (an OrderItem names its
//! PricebookEntry by Id), for catalog saves and for the order lines of sales
//! ([`super::sales`]); a product entity is then settled without a graph.

use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

use crate::domain::lifecycle::keys;
use crate::domain::settings::Pricebook;
use crate::domain::sync::EntityFacts;
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error, ErrorClass};
use crate::storage::sync::WrittenRecord;

use super::super::Shared;
use super::super::connections::StoreConnection;
use super::super::store_batch::{Finished, Work};
use super::super::subrequests::{Records, entry_key, hash};
use super::{BatchFlows, sales};

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

/// What a batch needs of products: the price books (the store's and the standard one) and the products.
#[derive(Debug)]
pub(super) struct Needed {
    book: String,
    standard: String,
    wants: Vec<ProductWant>,
}

impl Needed {
    /// The keys of the records the products and their entries are remembered under.
    pub(super) fn keys(&self) -> Vec<String> {
        self.wants.iter().flat_map(|want| [want.key.clone(), entry_key(&want.key, &self.book)]).collect()
    }

    pub(super) fn pricebook(&self) -> &str {
        &self.book
    }
}

/// What the batch needs of products: none when no write is of a Product2 or
/// an OrderItem; otherwise the price books (looked up once per connection)
/// and the products of catalog saves and of the order lines written.
pub(super) async fn needed(connection: &StoreConnection, work: &[Work]) -> Result<Option<Needed>, Error> {
    let needs_products =
        work.iter().any(|w| w.operations.iter().any(|op| matches!(op.object(), "OrderItem" | "Product2")));
    if !needs_products {
        return Ok(None);
    }
    let (book, standard) = pricebooks(connection).await?;
    let mut wants: BTreeMap<String, ProductWant> = BTreeMap::new();
    for w in work {
        if let EntityFacts::Product(product) = &w.entity.facts {
            let key = keys::product_key(&connection.code, &product.sku);
            let want = ProductWant {
                key: key.clone(),
                sku: product.sku.clone(),
                name: product.name.clone(),
                price: product.price.to_f64(),
                active: product.active,
                catalog: true,
            };
            wants.insert(key, want);
        }
        for want in sales::order_line_products(&connection.code, w) {
            wants.entry(want.key.clone()).or_insert(want);
        }
    }
    Ok(Some(Needed { book, standard, wants: wants.into_values().collect() }))
}

/// Ensures the products `needed` names (see [`ensure`]).
pub(super) async fn ensure_needed(connection: &StoreConnection, needed: &Needed, records: &mut Records) -> Ensured {
    if needed.wants.is_empty() {
        return Ensured::default();
    }
    let key_field = connection.settings.external_id_fields.field_for("Product2");
    let books = (needed.book.as_str(), needed.standard.as_str());
    ensure(&connection.client, books, key_field, &needed.wants, records).await
}

/// A product entity's result: its records were written by [`ensure`], or its error.
pub(super) fn settled(
    shared: &Shared,
    connection: &StoreConnection,
    w: &Work,
    records: &Records,
    flows: &BatchFlows,
) -> Option<(Finished, Option<Error>)> {
    let EntityFacts::Product(product) = &w.entity.facts else { return None };
    let key_fields = &connection.settings.external_id_fields;
    let key = keys::product_key(&connection.code, &product.sku);
    if let Some(error) = flows.product_errors.get(&key) {
        return Some((Finished::failed(&w.entity, error, shared, key_fields), Some(error.clone())));
    }
    let own = [("Product2", key.clone()), ("PricebookEntry", entry_key(&key, flows.pricebook()))];
    let written: Vec<WrittenRecord> =
        own.iter().filter_map(|(object, key)| records.get(&((*object).to_owned(), key.clone())).cloned()).collect();
    let message = format!("product synced: {}", super::super::send::summary(&written));
    Some((Finished::new(&w.entity, crate::storage::sync::Outcome::Synced, written, message), None))
}

async fn first_id(
    client: &Client,
    soql: Result<Soql, crate::salesforce::soql::BadIdentifier>,
) -> Result<Option<String>, Error> {
    let rows = client.query_all_pages(&soql?.build()).await?;
    Ok(rows.first().and_then(|row| row.get("Id")).and_then(Value::as_str).map(str::to_owned))
}

/// The store's price book and the standard one, looked up once per connection.
async fn pricebooks(connection: &StoreConnection) -> Result<(String, String), Error> {
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
        ..WrittenRecord::default()
    }
}

/// Makes sure every wanted product has a Product2 and an entry in `book`.
#[tracing::instrument(name = "engine.ensure_products", skip_all, fields(products = wants.len()))]
async fn ensure(
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
