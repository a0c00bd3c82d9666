//! SOAP partner `login()`: the envelope (credentials XML-escaped) and the
//! result or fault, read with quick-xml.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::Event;

use super::{Secret, Session, origin};
use crate::salesforce::error::Error;

/// Text of each leaf element by local name (first occurrence wins).
fn element_texts(xml: &str) -> Result<HashMap<String, String>, String> {
    let mut reader = Reader::from_str(xml);
    let mut texts = HashMap::new();
    // Open elements: (local name, text so far, has child elements).
    let mut stack: Vec<(String, String, bool)> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                if let Some(parent) = stack.last_mut() {
                    parent.2 = true;
                }
                stack.push((start.local_name().as_ref().to_owned(), String::new(), false));
            }
            Event::Text(text) => {
                if let Some(open) = stack.last_mut() {
                    open.1.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match &*reference {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                if let Some(open) = stack.last_mut() {
                    open.1.push(resolved);
                }
            }
            Event::End(_) => {
                if let Some((name, text, false)) = stack.pop() {
                    texts.entry(name).or_insert(text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(texts)
}

fn envelope(username: &str, password: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?>"#,
            r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">"#,
            "<env:Header><urn:CallOptions><urn:client>forcesync</urn:client></urn:CallOptions></env:Header>",
            "<env:Body><urn:login><urn:username>{}</urn:username><urn:password>{}</urn:password></urn:login>",
            "</env:Body></env:Envelope>"
        ),
        escape(username),
        escape(password)
    )
}

/// Logs in at `{login_url}/services/Soap/u/{api_version}`.
pub async fn soap_login(
    http: &reqwest::Client,
    login_url: &str,
    api_version: &str,
    username: &str,
    password: &Secret,
    security_token: &Secret,
) -> Result<Session, Error> {
    let url = format!("{}/services/Soap/u/{api_version}", login_url.trim_end_matches('/'));
    let body = envelope(username, &format!("{}{}", password.expose(), security_token.expose()));
    let response = http
        .post(&url)
        .header("Content-Type", "text/xml; charset=UTF-8")
        .header("SOAPAction", "login")
        .body(body)
        .send()
        .await
        .map_err(|e| super::super::transport_error(&format!("cannot reach {url}: "), &e))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| Error::transport(format!("login response lost: {e}")))?;
    let texts =
        element_texts(&text).map_err(|e| Error::bad_response(status, format!("login answer is not XML: {e}")))?;
    if let Some(code) = texts.get("exceptionCode").or(texts.get("faultcode")) {
        let code = code.rsplit(':').next().unwrap_or(code).to_owned();
        let message = texts.get("exceptionMessage").or(texts.get("faultstring")).cloned().unwrap_or_default();
        return Err(Error::new(code, message, Some(status)));
    }
    let field = |name: &str| texts.get(name).cloned().filter(|v| !v.is_empty());
    let missing = |name: &str| Error::bad_response(status, format!("login answer has no {name}"));
    if field("passwordExpired").as_deref() == Some("true") {
        let message =
            "The users password has expired, you must call SetPassword before attempting any other API operations";
        return Err(Error::new("INVALID_OPERATION_WITH_EXPIRED_PASSWORD", message, Some(status)));
    }
    let server_url = field("serverUrl").ok_or_else(|| missing("serverUrl"))?;
    Ok(Session {
        instance_url: origin(&server_url).ok_or_else(|| missing("usable serverUrl"))?,
        access_token: Secret::new(field("sessionId").ok_or_else(|| missing("sessionId"))?),
        org_id: field("organizationId").ok_or_else(|| missing("organizationId"))?,
        user_id: field("userId").ok_or_else(|| missing("userId"))?,
        valid_seconds: field("sessionSecondsValid").and_then(|s| s.parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_escapes_credentials() {
        let xml = envelope("a&b@x.test", "p<w>&\"'");
        assert!(xml.contains("<urn:username>a&amp;b@x.test</urn:username>"));
        assert!(xml.contains("<urn:password>p&lt;w&gt;&amp;&quot;&apos;</urn:password>"));
    }

    #[test]
    fn reads_results_and_faults() {
        let ok = "<Envelope><Body><loginResponse><result><serverUrl>https://a.my.salesforce.com/services/Soap/u/64.0/00D</serverUrl><sessionId>00D!x</sessionId><userId>005</userId><userInfo><organizationId>00DX</organizationId><userId>ignored</userId></userInfo></result></loginResponse></Body></Envelope>";
        let texts = element_texts(ok).expect("xml");
        assert_eq!((texts["userId"].as_str(), texts["organizationId"].as_str()), ("005", "00DX"));
        let fault = "<Envelope><Body><Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid &amp; wrong</faultstring></Fault></Body></Envelope>";
        let fault = element_texts(fault).expect("xml");
        assert_eq!(fault["faultcode"], "sf:INVALID_LOGIN");
        assert_eq!(fault["faultstring"], "INVALID_LOGIN: Invalid & wrong");
    }
}
