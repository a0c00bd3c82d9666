//! SOAP `login()` on the wire: reading the request envelope (any prefixes,
//! entity-escaped credentials) and writing the result or fault in the WSDL's
//! element order.

use quick_xml::Reader;
use quick_xml::escape::{escape, unescape};
use quick_xml::events::Event;

/// Partner (`/Soap/u/`) or Enterprise (`/Soap/c/`) endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Partner,
    Enterprise,
}

impl Flavor {
    pub fn from_path_segment(segment: &str) -> Option<Self> {
        match segment {
            "u" => Some(Self::Partner),
            "c" => Some(Self::Enterprise),
            _ => None,
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Self::Partner => "urn:partner.soap.sforce.com",
            Self::Enterprise => "urn:enterprise.soap.sforce.com",
        }
    }

    fn fault_namespace(self) -> &'static str {
        match self {
            Self::Partner => "urn:fault.partner.soap.sforce.com",
            Self::Enterprise => "urn:fault.enterprise.soap.sforce.com",
        }
    }

    fn letter(self) -> char {
        match self {
            Self::Partner => 'u',
            Self::Enterprise => 'c',
        }
    }
}

/// The SOAP call in a request body.
#[derive(Debug, PartialEq, Eq)]
pub enum SoapCall {
    Login {
        username: String,
        password: String,
    },
    Logout {
        session_id: Option<String>,
    },
    /// A call the sandbox does not implement, by element name.
    Other(String),
}

/// Reads the first element inside `Body`, and for login its credentials.
pub fn parse_call(xml: &str) -> Result<SoapCall, String> {
    let mut reader = Reader::from_str(xml);
    let mut in_body = false;
    let mut call: Option<String> = None;
    let (mut username, mut password, mut session_id) = (None, None, None);
    loop {
        match reader.read_event().map_err(|e| format!("malformed XML: {e}"))? {
            Event::Start(start) => {
                let local = start.local_name().as_ref().to_owned();
                match local.as_str() {
                    "Body" => in_body = true,
                    "username" | "password" | "sessionId" => {
                        let raw = reader.read_text(start.name()).map_err(|e| format!("malformed XML: {e}"))?;
                        let text = unescape(&raw).map_err(|e| format!("bad XML entity: {e}"))?.into_owned();
                        match local.as_str() {
                            "username" => username = Some(text),
                            "password" => password = Some(text),
                            _ => session_id = Some(text),
                        }
                    }
                    _ if in_body && call.is_none() => call = Some(local),
                    _ => {}
                }
            }
            Event::Empty(empty) if in_body && call.is_none() => {
                call = Some(empty.local_name().as_ref().to_owned());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match call.as_deref() {
        Some("login") => Ok(SoapCall::Login {
            username: username.ok_or("login without <username>")?,
            password: password.ok_or("login without <password>")?,
        }),
        Some("logout") => Ok(SoapCall::Logout { session_id }),
        Some(other) => Ok(SoapCall::Other(other.to_owned())),
        None => Err("no SOAP Body element with a call".into()),
    }
}

/// What a successful login returns.
#[derive(Debug)]
pub struct LoginResult<'a> {
    pub flavor: Flavor,
    pub base_url: &'a str,
    pub api_version: &'a str,
    pub org_id: &'a str,
    pub org_name: &'a str,
    pub user_id: &'a str,
    pub username: &'a str,
    pub session_id: &'a str,
    pub session_seconds_valid: u64,
    pub sandbox: bool,
    pub password_expired: bool,
    /// `orgHasPersonAccounts` and `organizationMultiCurrency`.
    pub person_accounts: bool,
    pub multi_currency: bool,
}

/// The `loginResponse` envelope (LoginResult and GetUserInfoResult elements in WSDL order).
pub fn login_response(r: &LoginResult<'_>) -> String {
    let org15 = r.org_id.get(..15).unwrap_or(r.org_id);
    let esc = |s: &str| escape(s).into_owned();
    let server_url = format!("{}/services/Soap/{}/{}/{org15}", r.base_url, r.flavor.letter(), r.api_version);
    let metadata_url = format!("{}/services/Soap/m/{}/{org15}", r.base_url, r.api_version);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="{ns}" "#,
            r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>"#,
            "<metadataServerUrl>{metadata}</metadataServerUrl><passwordExpired>{expired}</passwordExpired>",
            "<sandbox>{sandbox}</sandbox><serverUrl>{server}</serverUrl><sessionId>{session}</sessionId>",
            "<userId>{user}</userId><userInfo><accessibilityMode>false</accessibilityMode>",
            "<chatterExternal>false</chatterExternal><currencySymbol>$</currencySymbol>",
            "<orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>",
            "<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode>",
            "<orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>",
            "<orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments>",
            "<orgHasPersonAccounts>{person}</orgHasPersonAccounts><organizationId>{org}</organizationId>",
            "<organizationMultiCurrency>{multi}</organizationMultiCurrency><organizationName>{org_name}</organizationName>",
            "<profileId>00e000000000001AAA</profileId>",
            r#"<roleId xsi:nil="true"/><sessionSecondsValid>{valid}</sessionSecondsValid>"#,
            r#"<userDefaultCurrencyIsoCode xsi:nil="true"/><userEmail>{username}</userEmail>"#,
            "<userFullName>Integration User</userFullName><userId>{user}</userId><userLanguage>en_US</userLanguage>",
            "<userLocale>en_US</userLocale><userName>{username}</userName><userTimeZone>UTC</userTimeZone>",
            "<userType>Standard</userType><userUiSkin>Theme3</userUiSkin></userInfo>",
            "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
        ),
        ns = r.flavor.namespace(),
        metadata = esc(&metadata_url),
        expired = r.password_expired,
        person = r.person_accounts,
        multi = r.multi_currency,
        sandbox = r.sandbox,
        server = esc(&server_url),
        session = esc(r.session_id),
        user = r.user_id,
        org = r.org_id,
        org_name = esc(r.org_name),
        valid = r.session_seconds_valid,
        username = esc(r.username),
    )
}

/// The `logoutResponse` envelope.
pub fn logout_response(flavor: Flavor) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="{}"><soapenv:Body><logoutResponse/></soapenv:Body></soapenv:Envelope>"#,
        flavor.namespace()
    )
}

/// A fault envelope (sent with HTTP 500). `fault_type` is e.g. `LoginFault`.
pub fn fault(flavor: Flavor, fault_type: &str, code: &str, message: &str, prefixed: bool) -> String {
    let faultcode = if prefixed { format!("sf:{code}") } else { code.to_owned() };
    let message = escape(message);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="{fault_ns}" "#,
            r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>"#,
            "<faultcode>{faultcode}</faultcode><faultstring>{code}: {message}</faultstring><detail>",
            r#"<sf:{fault_type} xsi:type="sf:{fault_type}"><sf:exceptionCode>{code}</sf:exceptionCode>"#,
            "<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:{fault_type}></detail>",
            "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        ),
        fault_ns = flavor.fault_namespace(),
        faultcode = faultcode,
        code = code,
        message = message,
        fault_type = fault_type,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_with_escaped_credentials_and_any_prefix() {
        let xml = r#"<?xml version="1.0"?><se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/">
            <se:Header><CallOptions xmlns="urn:partner.soap.sforce.com"><client>x</client></CallOptions></se:Header>
            <se:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>a&amp;b@x.test</n1:username>
            <n1:password>p&lt;w&gt;&amp;&quot;&apos;&#65;TOKEN</n1:password></n1:login></se:Body></se:Envelope>"#;
        assert_eq!(
            parse_call(xml),
            Ok(SoapCall::Login { username: "a&b@x.test".into(), password: "p<w>&\"'ATOKEN".into() })
        );
    }

    #[test]
    fn other_calls_and_garbage() {
        let logout = r#"<Envelope><Header><SessionHeader><sessionId>00D!x</sessionId></SessionHeader></Header><Body><logout/></Body></Envelope>"#;
        assert_eq!(parse_call(logout), Ok(SoapCall::Logout { session_id: Some("00D!x".into()) }));
        assert_eq!(parse_call("<Envelope><Body><query/></Body></Envelope>"), Ok(SoapCall::Other("query".into())));
        assert!(parse_call("not xml <<").is_err());
        assert!(parse_call("<Envelope><Body><login><username>u</username></login></Body></Envelope>").is_err());
    }

    #[test]
    fn fault_shapes() {
        let prefixed = fault(Flavor::Partner, "LoginFault", "INVALID_LOGIN", "Invalid <x>", true);
        assert!(prefixed.contains("<faultcode>sf:INVALID_LOGIN</faultcode>"));
        assert!(prefixed.contains("<faultstring>INVALID_LOGIN: Invalid &lt;x&gt;</faultstring>"));
        assert!(prefixed.contains("urn:fault.partner.soap.sforce.com"));
        let bare = fault(Flavor::Enterprise, "LoginFault", "INVALID_LOGIN", "m", false);
        assert!(bare.contains("<faultcode>INVALID_LOGIN</faultcode>") && bare.contains("urn:fault.enterprise"));
    }
}
