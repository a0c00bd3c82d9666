//! Verifying JWT bearer assertions (RS256) for the OAuth JWT flow, with ring.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;

/// The claims Salesforce checks.
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
}

/// Splits and verifies `assertion` against `public_key_der` (PKCS#1
/// RSAPublicKey); returns its claims. Expiry is checked by the caller.
pub fn verify(assertion: &str, public_key_der: &[u8]) -> Result<Claims, String> {
    let mut parts = assertion.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT".into());
    };
    let decode =
        |part: &str| URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|_| "bad base64url".to_owned());
    let header: serde_json::Value = serde_json::from_slice(&decode(header)?).map_err(|_| "bad JWT header")?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("RS256") {
        return Err("alg must be RS256".into());
    }
    let signed = &assertion[..assertion.len() - signature.len() - 1];
    let key = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, public_key_der);
    key.verify(signed.as_bytes(), &decode(signature)?).map_err(|_| "signature does not verify".to_owned())?;
    serde_json::from_slice(&decode(payload)?).map_err(|e| format!("bad JWT claims: {e}"))
}

/// Reads a PEM public key: `RSA PUBLIC KEY` (PKCS#1) as is, or `PUBLIC KEY`
/// (SubjectPublicKeyInfo) unwrapped to the PKCS#1 key it carries.
pub fn public_key_from_pem(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = STANDARD.decode(body.trim()).map_err(|_| "public key PEM is not base64".to_owned())?;
    if pem.contains("BEGIN RSA PUBLIC KEY") {
        return Ok(der);
    }
    // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING (0 unused bits, RSAPublicKey) }
    let (spki, _) = der_element(&der, 0x30)?;
    let (_, after_algorithm) = der_element(spki, 0x30)?;
    let (bits, _) = der_element(after_algorithm, 0x03)?;
    match bits.split_first() {
        Some((0, key)) => Ok(key.to_vec()),
        _ => Err("public key BIT STRING is malformed".into()),
    }
}

/// One DER element with tag `tag` at the start of `input`: (contents, rest).
fn der_element(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), String> {
    let malformed = || "public key DER is malformed".to_owned();
    let (&found, rest) = input.split_first().ok_or_else(malformed)?;
    if found != tag {
        return Err(malformed());
    }
    let (&first, rest) = rest.split_first().ok_or_else(malformed)?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(malformed());
        }
        let len = rest[..count].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[count..])
    };
    if rest.len() < len {
        return Err(malformed());
    }
    Ok(rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_assertions_are_refused() {
        assert!(verify("a.b", &[]).is_err());
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        assert_eq!(verify(&format!("{header}.e30.sig"), &[]).map(|_| ()), Err("alg must be RS256".into()));
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
        assert!(verify(&format!("{header}.e30.c2ln"), &[1, 2, 3]).is_err());
    }

    #[test]
    fn der_walker_rejects_garbage() {
        assert!(public_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
        assert!(der_element(&[0x30, 0x05, 1], 0x30).is_err());
        assert_eq!(der_element(&[0x30, 0x01, 7, 9], 0x30), Ok((&[7u8][..], &[9u8][..])));
    }
}
