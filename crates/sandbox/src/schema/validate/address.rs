//! State and Country/Territory picklist rules for address groups. With the feature on, a write may
//! give a country or state by name (`BillingCountry`) or by ISO code (`BillingCountryCode`); either
//! is enough, both must agree, and the stored record gets both. Anything not in the lists fails
//! with `FIELD_INTEGRITY_EXCEPTION`. With the feature off there are no code fields and nothing to
//! check.

use serde_json::{Map, Value};

use crate::errors::{ErrorCode, SfError};
use crate::schema::geo;
use crate::schema::object::{AddressGroup, ObjectSchema};

const COUNTRY_PROBLEM: &str = "There's a problem with this country, even though it may appear correct. \
     Please select a country/territory from the list of valid countries.";
const STATE_PROBLEM: &str = "There's a problem with this state, even though it may appear correct. \
     Please select a state from the list of valid states.";

/// Checks and completes every address group the write touches; returns the errors found.
pub(super) fn check(
    object: &ObjectSchema,
    values: &mut Map<String, Value>,
    existing: Option<&Map<String, Value>>,
) -> Vec<SfError> {
    object
        .addresses()
        .iter()
        .filter(|group| group.picklists)
        .filter_map(|group| check_group(object, group, values, existing).err())
        .collect()
}

/// What the write says about one of country/state: nothing, a clear, or a value to resolve.
enum Given {
    Absent,
    Cleared,
    Value { code: Option<String>, name: Option<String> },
}

fn given(values: &Map<String, Value>, code_field: &str, name_field: &str) -> Given {
    let (code, name) = (values.get(code_field), values.get(name_field));
    if code.is_none() && name.is_none() {
        return Given::Absent;
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    match (text(code), text(name)) {
        (None, None) => Given::Cleared,
        (code, name) => Given::Value { code, name },
    }
}

fn check_group(
    object: &ObjectSchema,
    group: &AddressGroup,
    values: &mut Map<String, Value>,
    existing: Option<&Map<String, Value>>,
) -> Result<(), SfError> {
    let [state_name, state_code, country_name, country_code] =
        ["State", "StateCode", "Country", "CountryCode"].map(|part| group.field(part));
    let country_given = given(values, &country_code, &country_name);
    let state_given = given(values, &state_code, &state_name);
    if matches!((&country_given, &state_given), (Given::Absent, Given::Absent)) {
        return Ok(());
    }
    let stored = |name: &str| existing.and_then(|r| r.get(name)).and_then(Value::as_str);
    let problem = |text: &str, field: &str| {
        let label = object.field(field).map_or(field, |f| f.label.as_str());
        let message = format!("{text}: {label}");
        SfError::on_field(ErrorCode::FieldIntegrityException, message, field)
    };
    let country = match &country_given {
        Given::Absent => stored(&country_code).and_then(geo::country_by_code),
        Given::Cleared => None,
        Given::Value { code, name } => {
            let found =
                resolve(code.as_deref(), name.as_deref(), geo::country_by_code, geo::country_by_name, |c| c.name);
            Some(found.ok_or_else(|| problem(COUNTRY_PROBLEM, &country_name))?)
        }
    };
    // `None` leaves the state alone; a changed country must still fit the stored state.
    let state_input = match state_given {
        Given::Absent => stored(&state_code).map(|code| (Some(code.to_owned()), None)),
        Given::Cleared => Some((None, None)),
        Given::Value { code, name } => Some((code, name)),
    };
    let state = match state_input {
        None => None,
        Some((None, None)) => Some(None),
        Some((code, name)) => {
            // Wording [unconfirmed]; Salesforce needs the country to know the state list.
            let Some(country) = country else {
                let text = "A country/territory must be specified before specifying a state value for field";
                return Err(problem(text, &state_name));
            };
            let by_code = |code: &str| geo::state_by_code(country.code, code);
            let by_name = |name: &str| geo::state_by_name(country.code, name);
            let found = resolve(code.as_deref(), name.as_deref(), by_code, by_name, |s| s.name);
            Some(Some(found.ok_or_else(|| problem(STATE_PROBLEM, &state_name))?))
        }
    };
    if !matches!(country_given, Given::Absent) {
        store(values, &country_code, &country_name, country.map(|c| (c.code, c.name)));
    }
    if let Some(state) = state {
        store(values, &state_code, &state_name, state.map(|s| (s.code, s.name)));
    }
    Ok(())
}

fn store(values: &mut Map<String, Value>, code: &str, name: &str, found: Option<(&str, &str)>) {
    let (code_value, name_value) = found.map_or((Value::Null, Value::Null), |(c, n)| (c.into(), n.into()));
    values.insert(code.to_owned(), code_value);
    values.insert(name.to_owned(), name_value);
}

/// Finds the entry named by code and/or name; when both are given they must agree.
fn resolve<T: Copy>(
    code: Option<&str>,
    name: Option<&str>,
    by_code: impl Fn(&str) -> Option<T>,
    by_name: impl Fn(&str) -> Option<T>,
    name_of: impl Fn(T) -> &'static str,
) -> Option<T> {
    match (code, name) {
        (Some(code), Some(name)) => by_code(code).filter(|found| name_of(*found).eq_ignore_ascii_case(name.trim())),
        (Some(code), None) => by_code(code),
        (None, Some(name)) => by_name(name),
        (None, None) => None,
    }
}
