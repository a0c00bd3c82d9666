//! Email addresses as Salesforce's Email fields take them, so that an address
//! forcesync accepts from the store can never be refused later with
//! `INVALID_EMAIL_ADDRESS` (the event would be acknowledged, then parked).
//!
//! Salesforce documents no grammar; what it is known to refuse, and what this
//! check refuses too: quoted local parts and backslashes (`"a\'b"@x.com`),
//! characters outside ASCII (internationalised addresses are refused by Email
//! fields [observed]), whitespace, a domain without a dot, empty or
//! hyphen-edged domain labels, dots at the ends of the local part or doubled.
//! The local part may use the RFC 5322 atom characters (`!#$%&'*+/=?^_`{|}~-`).

/// Longest address a Contact's Email field holds.
pub const MAX_CHARS: usize = 80;
/// Longest local part (RFC 5321).
const MAX_LOCAL_CHARS: usize = 64;
/// Longest domain label (RFC 1035).
const MAX_LABEL_CHARS: usize = 63;

/// Why `address` is not an address Salesforce takes, if it is not. The
/// caller trims; case is kept.
pub fn problem(address: &str) -> Option<String> {
    if address.chars().count() > MAX_CHARS {
        return Some(format!("must be at most {MAX_CHARS} characters, got {}", address.chars().count()));
    }
    if !address.is_ascii() {
        return Some("must be plain ASCII: Salesforce's Email fields refuse other characters".into());
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Some("needs one '@' between a name and a domain".into());
    };
    local_problem(local).or_else(|| domain_problem(domain))
}

fn local_problem(local: &str) -> Option<String> {
    let atom = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    if local.is_empty() {
        Some("needs a name before the '@'".into())
    } else if local.len() > MAX_LOCAL_CHARS {
        Some(format!("the part before '@' must be at most {MAX_LOCAL_CHARS} characters"))
    } else if let Some(bad) = local.chars().find(|&c| !atom(c) && c != '.') {
        Some(format!("the part before '@' must not contain {bad:?}"))
    } else if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        Some("the part before '@' must not start or end with a dot or have two in a row".into())
    } else {
        None
    }
}

fn domain_problem(domain: &str) -> Option<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Some(format!("the domain {domain:?} needs a dot (like example.com)"));
    }
    for label in labels {
        let ok = !label.is_empty()
            && label.len() <= MAX_LABEL_CHARS
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Some(format!(
                "the domain {domain:?} must be dot-separated names of letters, digits and inner hyphens"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn addresses_salesforce_takes() {
        for good in [
            "a@b.co",
            "Ann.Smith@Example.COM",
            "o'brien@example.com",
            "first.last+tag@mail.example.co.uk",
            "a_b-c!#$%&*/=?^`{|}~@x-y.io",
            "1@2.3",
        ] {
            assert_eq!(problem(good), None, "{good}");
        }
    }

    #[test]
    fn addresses_salesforce_refuses() {
        for bad in [
            r#""a\'b"@x.com"#,
            r"back\slash'@example.com",
            "\"quoted\"@example.com",
            "jürgen@example.com",
            "ann@localhost",
            "ann@-example.com",
            "ann@example-.com",
            "ann.@example.com",
            ".ann@example.com",
            "a..b@example.com",
            "ann@example..com",
            "ann@example.com.",
            "ann smith@example.com",
            "ann@exa mple.com",
            "ann@@example.com",
            "a@b@c.com",
            "@example.com",
            "ann@",
            "ann",
            "a(b)@example.com",
            "a,b@example.com",
            "a;b@example.com",
            "a<b>@example.com",
            "a[b]@example.com",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        let local = "a".repeat(65);
        assert!(problem(&format!("{local}@b.co")).is_some(), "local part too long");
        let long = format!("{}@example.com", "a".repeat(69));
        assert_eq!(problem(&long), Some("must be at most 80 characters, got 81".to_owned()));
    }
}
