//! `application/x-www-form-urlencoded` bodies (the OAuth token endpoint).

use std::collections::HashMap;

/// Decodes `a=1&b=x%20y` into a map; the first occurrence of a key wins.
pub fn parse(body: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.entry(decode(key)?).or_insert(decode(value)?);
    }
    Ok(out)
}

fn decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3).ok_or("truncated %-escape")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad %-escape %{hex}"))?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "form value is not UTF-8".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_forms() {
        let form = super::parse("grant_type=password&username=a%40b.c&password=p%26w+x&x").expect("form");
        assert_eq!(form["username"], "a@b.c");
        assert_eq!(form["password"], "p&w x");
        assert_eq!(form["x"], "");
        assert!(super::parse("a=%zz").is_err() && super::parse("a=%4").is_err());
    }
}
