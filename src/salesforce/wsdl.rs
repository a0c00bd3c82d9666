//! Reading an uploaded Enterprise or Partner WSDL: its login endpoint and API
//! version (the connection settings' defaults) and, for an Enterprise WSDL,
//! the objects and fields it declares.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsdlFlavor {
    Partner,
    Enterprise,
}

/// What a WSDL tells about the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsdlInfo {
    pub flavor: WsdlFlavor,
    /// Scheme and host of the SOAP endpoint, e.g. `https://login.salesforce.com`.
    pub login_url: String,
    /// E.g. `64.0`.
    pub api_version: String,
    /// Object → field names (Enterprise WSDLs only; empty for Partner).
    pub objects: BTreeMap<String, Vec<String>>,
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::default()).ok().map(|v| v.into_owned()))
}

/// Parses the WSDL text; the error says what is missing or malformed.
pub fn parse(wsdl: &str) -> Result<WsdlInfo, String> {
    let mut reader = Reader::from_str(wsdl);
    let mut location = None;
    let mut objects: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // The complexType being read, if it extends sObject.
    let mut current_type: Option<String> = None;
    let mut is_sobject = false;
    loop {
        let event = reader.read_event().map_err(|e| format!("the WSDL is not well-formed XML: {e}"))?;
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(end) if end.local_name().as_ref() == "complexType" => {
                if let (Some(name), true) = (current_type.take(), is_sobject) {
                    objects.entry(name).or_default();
                }
                is_sobject = false;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match element.local_name().as_ref() {
            "address" if location.is_none() => location = attribute(element, "location"),
            "complexType" if !empty => current_type = attribute(element, "name"),
            "extension" if attribute(element, "base").is_some_and(|b| b.ends_with(":sObject") || b == "sObject") => {
                is_sobject = true;
            }
            "element" if is_sobject => {
                if let (Some(object), Some(field)) = (&current_type, attribute(element, "name")) {
                    objects.entry(object.clone()).or_default().push(field);
                }
            }
            _ => {}
        }
    }
    let location = location.ok_or("the WSDL has no soap:address location (the login endpoint)")?;
    let (origin, path) = location
        .split_once("://")
        .and_then(|(scheme, rest)| {
            rest.split_once('/').map(|(host, path)| (format!("{scheme}://{host}"), path.to_owned()))
        })
        .ok_or_else(|| format!("the endpoint {location:?} is not an absolute URL"))?;
    let segments: Vec<&str> = path.split('/').collect();
    let (flavor, version) = match segments.as_slice() {
        ["services", "Soap", "u", version, ..] => (WsdlFlavor::Partner, *version),
        ["services", "Soap", "c", version, ..] => (WsdlFlavor::Enterprise, *version),
        _ => {
            return Err(format!(
                "the endpoint {location:?} is not a Partner (/Soap/u/) or Enterprise (/Soap/c/) endpoint"
            ));
        }
    };
    if flavor == WsdlFlavor::Partner {
        objects.clear();
    }
    Ok(WsdlInfo { flavor, login_url: origin, api_version: version.to_owned(), objects })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTERPRISE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions targetNamespace="urn:enterprise.soap.sforce.com" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:ens="urn:sobject.enterprise.soap.sforce.com">
 <types><schema elementFormDefault="qualified" xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:sobject.enterprise.soap.sforce.com">
  <complexType name="sObject"><sequence><element name="Id" type="tns:ID" nillable="true"/></sequence></complexType>
  <complexType name="Account"><complexContent><extension base="ens:sObject"><sequence>
   <element name="Name" nillable="true" minOccurs="0" type="xsd:string"/>
   <element name="ForceSync_Key__c" nillable="true" minOccurs="0" type="xsd:string"/>
  </sequence></extension></complexContent></complexType>
  <complexType name="LoginResult"><sequence><element name="sessionId" type="xsd:string"/></sequence></complexType>
 </schema></types>
 <service name="SforceService"><port binding="tns:SoapBinding" name="Soap"><soap:address location="https://login.salesforce.com/services/Soap/c/62.0/0DF5g000000AbCd"/></port></service>
</definitions>"#;

    #[test]
    fn enterprise_wsdl() {
        let info = parse(ENTERPRISE).expect("wsdl");
        assert_eq!(info.flavor, WsdlFlavor::Enterprise);
        assert_eq!((info.login_url.as_str(), info.api_version.as_str()), ("https://login.salesforce.com", "62.0"));
        assert_eq!(info.objects.get("Account"), Some(&vec!["Name".to_owned(), "ForceSync_Key__c".to_owned()]));
        assert!(!info.objects.contains_key("LoginResult") && !info.objects.contains_key("sObject"));
    }

    #[test]
    fn partner_and_broken_wsdls() {
        let partner = r#"<definitions><service><port><soap:address xmlns:soap="x" location="https://test.salesforce.com/services/Soap/u/64.0"/></port></service></definitions>"#;
        let info = parse(partner).expect("partner");
        assert_eq!((info.flavor, info.api_version.as_str()), (WsdlFlavor::Partner, "64.0"));
        assert!(parse("<definitions/>").is_err_and(|e| e.contains("soap:address")));
        assert!(parse("not xml <").is_err());
        let metadata = partner.replace("/Soap/u/", "/Soap/m/");
        assert!(parse(&metadata).is_err_and(|e| e.contains("Partner")));
    }
}
