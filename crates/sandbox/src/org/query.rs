//! The reading side: SOQL over the tables (the org is the query engine's
//! catalog) and records rendered as REST returns them.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::schema::Schema;
use crate::soql::{
    self, Catalog, ChildRelationship, ExecContext, FieldInfo, QueryOutput, Relationship, SoqlError, Source, ValueKind,
};

use super::{Org, Record};

impl Catalog for Schema {
    fn object(&self, name: &str) -> Option<String> {
        Schema::object(self, name).map(|o| o.name.clone())
    }

    fn field(&self, object: &str, field: &str) -> Option<FieldInfo> {
        let field = Schema::object(self, object)?.field(field)?;
        Some(FieldInfo { name: field.name.clone(), kind: ValueKind::from_describe_type(field.field_type.sf_name()) })
    }

    fn relationship(&self, object: &str, relationship: &str) -> Option<Relationship> {
        let field = Schema::object(self, object)?.field_by_relationship(relationship)?;
        let reference = field.field_type.reference()?;
        Some(Relationship {
            name: reference.relationship_name.clone(),
            foreign_key: field.name.clone(),
            target: reference.to.first()?.clone(),
        })
    }

    fn child_relationship(&self, object: &str, relationship: &str) -> Option<ChildRelationship> {
        self.objects().iter().find_map(|child| {
            child.fields().iter().find_map(|field| {
                let reference = field.field_type.reference()?;
                let name = reference.child_relationship.as_ref()?;
                (reference.to.iter().any(|to| to == object) && name.eq_ignore_ascii_case(relationship)).then(|| {
                    ChildRelationship { name: name.clone(), child: child.name.clone(), foreign_key: field.name.clone() }
                })
            })
        })
    }
}

/// The rows a query sees: live ones, or all of them for queryAll.
struct Visible<'a> {
    org: &'a Org,
    all_rows: bool,
}

impl<'a> Source<'a> for Visible<'a> {
    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = &'a Record> + 'a> {
        let all_rows = self.all_rows;
        Box::new(self.org.table(object).into_iter().flat_map(|t| t.rows()).filter(move |r| all_rows || !is_deleted(r)))
    }

    fn get(&self, object: &str, id: &str) -> Option<&'a Record> {
        self.org.table(object)?.get(id)
    }
}

/// A query that could not run.
pub type QueryError = SoqlError;

fn is_deleted(record: &Record) -> bool {
    record.get("IsDeleted").and_then(Value::as_bool).unwrap_or(false)
}

impl Org {
    /// Runs `soql`; `all_rows` includes deleted rows (queryAll). Returns
    /// every matching row in order; the HTTP layer pages them.
    pub fn query(
        &self,
        soql: &str,
        all_rows: bool,
        api_version: &str,
        today: NaiveDate,
    ) -> Result<QueryOutput, QueryError> {
        let resolved = soql::prepare(soql, &self.schema)?;
        let source = Visible { org: self, all_rows };
        Ok(soql::execute(&resolved, &source, &ExecContext::new(api_version, today)))
    }

    /// A record as `GET /sobjects/{object}/{id}` returns it: `attributes`,
    /// then every field (null when unset), or only `fields` when given.
    /// Unknown names in `fields` are returned as `Err(name)`.
    pub fn render(
        &self,
        object: &str,
        record: &Record,
        api_version: &str,
        fields: Option<&[&str]>,
    ) -> Result<Value, String> {
        let Some(schema) = self.schema.object(object) else { return Err(object.to_owned()) };
        let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
        let mut out = Map::new();
        out.insert("attributes".into(), attributes(object, id, api_version));
        let value_of = |name: &str| match schema.addresses().iter().find(|g| g.compound_field() == name) {
            Some(group) => schema.compound_address(group, record),
            None => record.get(name).cloned().unwrap_or(Value::Null),
        };
        match fields {
            Some(names) => {
                for name in names {
                    let field = schema.field(name).ok_or_else(|| (*name).to_owned())?;
                    out.insert(field.name.clone(), value_of(&field.name));
                }
            }
            None => {
                for field in schema.fields() {
                    out.insert(field.name.clone(), value_of(&field.name));
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// `{"type": "Account", "url": "/services/data/v64.0/sobjects/Account/001…"}`.
pub fn attributes(object: &str, id: &str, api_version: &str) -> Value {
    json!({ "type": object, "url": format!("/services/data/v{api_version}/sobjects/{object}/{id}") })
}
