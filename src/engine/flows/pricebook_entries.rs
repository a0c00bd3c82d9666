//! PricebookEntries for products whose Product2 exists: found by product and
//! book, created where missing (the standard book's first when the store's
//! book is custom), updated where the catalog price changed.

use serde_json::{Value, json};
use std::collections::HashMap;

use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error, ErrorClass};

use super::super::subrequests::{Records, entry_key, hash};
use super::products::{Ensured, ProductWant};

const PER_QUERY: usize = 200;

struct Entry<'a> {
    want: &'a ProductWant,
    product_id: String,
    body: Value,
    digest: Vec<u8>,
}

fn remember(records: &mut Records, out: &mut Ensured, key: String, id: &str, digest: Vec<u8>) {
    let written = crate::storage::sync::WrittenRecord {
        object: "PricebookEntry".into(),
        key: key.clone(),
        id: id.into(),
        body_hash: digest,
        matched: false,
        written_at: 0,
        ..Default::default()
    };
    records.insert(("PricebookEntry".into(), key), written.clone());
    out.written.push(written);
}

/// A duplicate entry means another worker created it meanwhile: a retry finds it.
fn retryable(error: Error) -> Error {
    match error.code.as_str() {
        "DUPLICATE_VALUE" | "FIELD_INTEGRITY_EXCEPTION" => error.with_class(ErrorClass::Transient),
        _ => error,
    }
}

pub(super) async fn ensure_entries(
    client: &Client,
    (book, standard): (&str, &str),
    wants: &[ProductWant],
    records: &mut Records,
    out: &mut Ensured,
) {
    let mut updates: Vec<(Entry<'_>, String)> = Vec::new();
    let mut unknown: Vec<Entry<'_>> = Vec::new();
    for want in wants.iter().filter(|w| !out.failed.contains_key(&w.key)) {
        let Some(product) = records.get(&("Product2".to_owned(), want.key.clone())) else { continue };
        let key = entry_key(&want.key, book);
        let body = json!({ "UnitPrice": want.price, "IsActive": true });
        let digest = hash("PricebookEntry", &key, &body);
        let entry = Entry { want, product_id: product.id.clone(), body, digest };
        match records.get(&("PricebookEntry".to_owned(), key)) {
            Some(known) if known.body_hash == entry.digest || !want.catalog => {}
            Some(known) => updates.push((entry, known.id.clone())),
            None => unknown.push(entry),
        }
    }
    let existing = match lookup(client, &unknown, book, standard).await {
        Ok(existing) => existing,
        Err(error) => {
            for entry in &unknown {
                out.failed.insert(entry.want.key.clone(), error.clone());
            }
            HashMap::new()
        }
    };
    let mut standard_creates = Vec::new();
    let mut creates = Vec::new();
    let unknown: Vec<Entry<'_>> = unknown.into_iter().filter(|e| !out.failed.contains_key(&e.want.key)).collect();
    for entry in unknown {
        if book != standard && !existing.contains_key(&(entry.product_id.clone(), standard.to_owned())) {
            standard_creates.push((entry.want.key.clone(), with_book(&entry, standard)));
        }
        match existing.get(&(entry.product_id.clone(), book.to_owned())) {
            Some(id) if entry.want.catalog => updates.push((entry, id.clone())),
            Some(id) => remember(records, out, entry_key(&entry.want.key, book), id, entry.digest),
            None => creates.push(entry),
        }
    }
    if !standard_creates.is_empty() {
        let bodies: Vec<Value> = standard_creates.iter().map(|(_, body)| body.clone()).collect();
        for ((key, _), result) in standard_creates
            .iter()
            .zip(send(client.create_records("PricebookEntry", &bodies, false).await, bodies.len()))
        {
            if let Err(error) = result {
                out.failed.insert(key.clone(), retryable(error));
            }
        }
    }
    let creates: Vec<Entry<'_>> = creates.into_iter().filter(|e| !out.failed.contains_key(&e.want.key)).collect();
    let bodies: Vec<Value> = creates.iter().map(|entry| with_book(entry, book)).collect();
    if !bodies.is_empty() {
        let results = send(client.create_records("PricebookEntry", &bodies, false).await, bodies.len());
        for (entry, result) in creates.into_iter().zip(results) {
            match result {
                Ok(id) => remember(records, out, entry_key(&entry.want.key, book), &id, entry.digest),
                Err(error) => {
                    out.failed.insert(entry.want.key.clone(), retryable(error));
                }
            }
        }
    }
    let bodies: Vec<Value> = updates
        .iter()
        .map(|(entry, id)| {
            let mut body = entry.body.clone();
            body["Id"] = Value::String(id.clone());
            body
        })
        .collect();
    if !bodies.is_empty() {
        let results = send(client.update_records("PricebookEntry", &bodies, false).await, bodies.len());
        for ((entry, id), result) in updates.into_iter().zip(results) {
            match result {
                Ok(_) => remember(records, out, entry_key(&entry.want.key, book), &id, entry.digest),
                Err(error) => {
                    out.failed.insert(entry.want.key.clone(), error);
                }
            }
        }
    }
}

fn with_book(entry: &Entry<'_>, book: &str) -> Value {
    let mut body = entry.body.clone();
    body["Pricebook2Id"] = Value::String(book.to_owned());
    body["Product2Id"] = Value::String(entry.product_id.clone());
    body
}

/// Per-record ids, or the call's error for every record.
fn send(
    results: Result<Vec<crate::salesforce::collections::RecordResult>, Error>,
    size: usize,
) -> Vec<Result<String, Error>> {
    match results {
        Ok(results) => results.into_iter().map(|r| r.map(|saved| saved.id)).collect(),
        Err(error) => vec![Err(error); size],
    }
}

/// Existing entries by (product id, book id).
async fn lookup(
    client: &Client,
    entries: &[Entry<'_>],
    book: &str,
    standard: &str,
) -> Result<HashMap<(String, String), String>, Error> {
    let mut found = HashMap::new();
    for chunk in entries.chunks(PER_QUERY) {
        let products: Vec<Literal> = chunk.iter().map(|e| Literal::str(e.product_id.as_str())).collect();
        let books = [Literal::str(book), Literal::str(standard)];
        let soql = Soql::select(&["Id", "Product2Id", "Pricebook2Id"], "PricebookEntry")
            .and_then(|q| q.where_in("Product2Id", &products))
            .and_then(|q| q.where_in("Pricebook2Id", &books))?;
        for row in client.query_all_pages(&soql.build()).await? {
            let field = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_owned);
            if let (Some(id), Some(product), Some(book)) = (field("Id"), field("Product2Id"), field("Pricebook2Id")) {
                found.insert((product, book), id);
            }
        }
    }
    Ok(found)
}
