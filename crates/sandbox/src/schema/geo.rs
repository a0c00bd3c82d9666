//! The State and Country/Territory picklist data: ISO 3166 alpha-2 countries with Salesforce's
//! default labels, and the states of the United States, provinces of Canada and states and
//! territories of Australia.

/// A country: ISO alpha-2 code and Salesforce label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
}

/// A state or province of a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub country: &'static str,
    pub code: &'static str,
    pub name: &'static str,
}

const fn c(code: &'static str, name: &'static str) -> Country {
    Country { code, name }
}

const fn us(code: &'static str, name: &'static str) -> State {
    State { country: "US", code, name }
}

const fn ca(code: &'static str, name: &'static str) -> State {
    State { country: "CA", code, name }
}

const fn au(code: &'static str, name: &'static str) -> State {
    State { country: "AU", code, name }
}

static COUNTRIES: &[Country] = &[
    c("AE", "United Arab Emirates"),
    c("AR", "Argentina"),
    c("AT", "Austria"),
    c("AU", "Australia"),
    c("BE", "Belgium"),
    c("BR", "Brazil"),
    c("CA", "Canada"),
    c("CH", "Switzerland"),
    c("CL", "Chile"),
    c("CN", "China"),
    c("CZ", "Czechia"),
    c("DE", "Germany"),
    c("DK", "Denmark"),
    c("ES", "Spain"),
    c("FI", "Finland"),
    c("FR", "France"),
    c("GB", "United Kingdom"),
    c("GR", "Greece"),
    c("IE", "Ireland"),
    c("IL", "Israel"),
    c("IN", "India"),
    c("IT", "Italy"),
    c("JP", "Japan"),
    c("KR", "Korea, Republic of"),
    c("LU", "Luxembourg"),
    c("MX", "Mexico"),
    c("NL", "Netherlands"),
    c("NO", "Norway"),
    c("NZ", "New Zealand"),
    c("PL", "Poland"),
    c("PT", "Portugal"),
    c("SE", "Sweden"),
    c("SG", "Singapore"),
    c("US", "United States"),
    c("ZA", "South Africa"),
];

static STATES: &[State] = &[
    us("AL", "Alabama"),
    us("AK", "Alaska"),
    us("AZ", "Arizona"),
    us("AR", "Arkansas"),
    us("CA", "California"),
    us("CO", "Colorado"),
    us("CT", "Connecticut"),
    us("DE", "Delaware"),
    us("DC", "District of Columbia"),
    us("FL", "Florida"),
    us("GA", "Georgia"),
    us("HI", "Hawaii"),
    us("ID", "Idaho"),
    us("IL", "Illinois"),
    us("IN", "Indiana"),
    us("IA", "Iowa"),
    us("KS", "Kansas"),
    us("KY", "Kentucky"),
    us("LA", "Louisiana"),
    us("ME", "Maine"),
    us("MD", "Maryland"),
    us("MA", "Massachusetts"),
    us("MI", "Michigan"),
    us("MN", "Minnesota"),
    us("MS", "Mississippi"),
    us("MO", "Missouri"),
    us("MT", "Montana"),
    us("NE", "Nebraska"),
    us("NV", "Nevada"),
    us("NH", "New Hampshire"),
    us("NJ", "New Jersey"),
    us("NM", "New Mexico"),
    us("NY", "New York"),
    us("NC", "North Carolina"),
    us("ND", "North Dakota"),
    us("OH", "Ohio"),
    us("OK", "Oklahoma"),
    us("OR", "Oregon"),
    us("PA", "Pennsylvania"),
    us("RI", "Rhode Island"),
    us("SC", "South Carolina"),
    us("SD", "South Dakota"),
    us("TN", "Tennessee"),
    us("TX", "Texas"),
    us("UT", "Utah"),
    us("VT", "Vermont"),
    us("VA", "Virginia"),
    us("WA", "Washington"),
    us("WV", "West Virginia"),
    us("WI", "Wisconsin"),
    us("WY", "Wyoming"),
    ca("AB", "Alberta"),
    ca("BC", "British Columbia"),
    ca("MB", "Manitoba"),
    ca("NB", "New Brunswick"),
    ca("NL", "Newfoundland and Labrador"),
    ca("NS", "Nova Scotia"),
    ca("NT", "Northwest Territories"),
    ca("NU", "Nunavut"),
    ca("ON", "Ontario"),
    ca("PE", "Prince Edward Island"),
    ca("QC", "Quebec"),
    ca("SK", "Saskatchewan"),
    ca("YT", "Yukon Territories"),
    au("ACT", "Australian Capital Territory"),
    au("NSW", "New South Wales"),
    au("NT", "Northern Territory"),
    au("QLD", "Queensland"),
    au("SA", "South Australia"),
    au("TAS", "Tasmania"),
    au("VIC", "Victoria"),
    au("WA", "Western Australia"),
];

/// All countries, sorted by code.
pub fn countries() -> &'static [Country] {
    COUNTRIES
}

/// All states of all countries.
pub fn states() -> &'static [State] {
    STATES
}

/// Matching is case-insensitive and returns the canonical entry [unconfirmed: Salesforce may
/// compare integration values exactly].
pub fn country_by_code(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

pub fn country_by_name(name: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.name.eq_ignore_ascii_case(name.trim()))
}

pub fn state_by_code(country: &str, code: &str) -> Option<&'static State> {
    STATES.iter().find(|s| s.country == country && s.code.eq_ignore_ascii_case(code.trim()))
}

pub fn state_by_name(country: &str, name: &str) -> Option<&'static State> {
    STATES.iter().find(|s| s.country == country && s.name.eq_ignore_ascii_case(name.trim()))
}

/// The describe `validFor` bitmap of a state: base64 of a bit set over the controlling
/// (country code) picklist's values, most significant bit first.
pub fn state_valid_for(state: &State) -> String {
    let mut bytes = vec![0u8; COUNTRIES.len().div_ceil(8)];
    if let Some(index) = COUNTRIES.iter().position(|c| c.code == state.country)
        && let Some(byte) = bytes.get_mut(index / 8)
    {
        *byte |= 0x80 >> (index % 8);
    }
    base64(&bytes)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_real_and_consistent() {
        assert!(COUNTRIES.len() >= 30);
        assert!(COUNTRIES.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(STATES.iter().filter(|s| s.country == "US").count(), 51);
        assert_eq!(STATES.iter().filter(|s| s.country == "CA").count(), 13);
        assert_eq!(STATES.iter().filter(|s| s.country == "AU").count(), 8);
        assert!(STATES.iter().all(|s| country_by_code(s.country).is_some()));
    }

    #[test]
    fn lookups_by_code_and_name() {
        assert_eq!(country_by_code("de").map(|c| c.name), Some("Germany"));
        assert_eq!(country_by_name("united states").map(|c| c.code), Some("US"));
        assert_eq!(country_by_name("US"), None);
        assert_eq!(state_by_code("US", "CA").map(|s| s.name), Some("California"));
        assert_eq!(state_by_code("CA", "CA"), None);
        assert_eq!(state_by_name("CA", "Quebec").map(|s| s.code), Some("QC"));
        assert_eq!(state_by_name("US", "Calif."), None);
        assert_eq!(state_by_code("AU", "nsw").map(|s| s.name), Some("New South Wales"));
        assert_eq!(state_by_code("US", "NSW"), None);
    }

    #[test]
    fn valid_for_marks_the_controlling_country() {
        let position = COUNTRIES.iter().position(|c| c.code == "US");
        assert_eq!(position, Some(33));
        // 35 countries -> 5 bytes; index 33 is byte 4, bit 0x40.
        let texas = state_by_code("US", "TX").map(state_valid_for);
        assert_eq!(texas.as_deref(), Some("AAAAAEA="));
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
    }
}
