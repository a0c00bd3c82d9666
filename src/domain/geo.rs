//! Static reference lists for the store's data: ISO 3166-1 alpha-2 country
//! codes, the region codes of the countries whose regions are checked, and
//! ISO 4217 currency codes. Compact on purpose: codes only, no names.
//!
//! Region codes are checked for the countries whose State picklist
//! Salesforce fills by default and whose codes are settled here: the United
//! States (50 states, DC, the territories and the armed-forces codes the
//! shops use), Canada, Australia and Brazil. Other countries' region codes
//! (including China, India, Ireland, Italy and Mexico, which Salesforce also
//! fills) are taken as sent, at most 10 characters; the org's own picklist
//! is the final check, and a code it lacks is reported by name at sync time.

/// Every ISO 3166-1 alpha-2 code (249), sorted.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Region codes by country, for the countries whose regions are checked.
const REGIONS: &[(&str, &str)] = &[
    (
        "US",
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND \
         OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM FM MH PW AA AE AP",
    ),
    ("CA", "AB BC MB NB NL NS NT NU ON PE QC SK YT"),
    ("AU", "ACT NSW NT QLD SA TAS VIC WA"),
    ("BR", "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO"),
];

/// Every active ISO 4217 currency code.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN \
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF \
GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL \
LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG \
QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD \
TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

fn contains(list: &str, code: &str) -> bool {
    !code.is_empty() && !code.contains(' ') && list.split_ascii_whitespace().any(|c| c == code)
}

/// Whether `code` (upper case) is an ISO 3166-1 alpha-2 country code.
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && contains(COUNTRIES, code)
}

/// The region codes of `country`, when its regions are checked.
pub fn regions(country: &str) -> Option<Vec<&'static str>> {
    REGIONS.iter().find(|(c, _)| *c == country).map(|(_, codes)| codes.split_ascii_whitespace().collect())
}

/// The countries whose region codes are checked.
pub fn countries_with_regions() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|(country, _)| *country)
}

/// Whether `code` (upper case) is an ISO 4217 currency code.
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && contains(CURRENCIES, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_complete_and_sorted() {
        let countries: Vec<&str> = COUNTRIES.split_ascii_whitespace().collect();
        assert_eq!(countries.len(), 249);
        assert!(countries.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert!(countries.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        let currencies: Vec<&str> = CURRENCIES.split_ascii_whitespace().collect();
        assert!(currencies.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert!(currencies.iter().all(|c| c.len() == 3));
        for (country, codes) in REGIONS {
            assert!(is_country(country));
            let codes: Vec<&str> = codes.split_ascii_whitespace().collect();
            let mut unique = codes.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), codes.len(), "{country} has no repeats");
        }
        assert_eq!(regions("US").map(|r| r.len()), Some(63));
        assert_eq!(regions("CA").map(|r| r.len()), Some(13));
        assert_eq!(regions("AU").map(|r| r.len()), Some(8));
        assert_eq!(regions("BR").map(|r| r.len()), Some(27));
    }

    #[test]
    fn lookups() {
        assert!(is_country("US") && is_country("DE") && is_country("ZW"));
        assert!(!is_country("us") && !is_country("XX") && !is_country("USA") && !is_country("U S") && !is_country(""));
        assert!(is_currency("EUR") && is_currency("USD") && !is_currency("EURO") && !is_currency("XYZ"));
        assert!(regions("US").is_some_and(|r| r.contains(&"NY")));
        assert_eq!(regions("DE"), None);
        assert!(!contains(COUNTRIES, "AD AE"), "a code, never a run of the list");
    }
}
