//! ImportWsdl: an uploaded WSDL sets the connection's login URL and version.

use forcesync::pb::{GetStoreConfigRequest, ImportWsdlRequest, WsdlFlavor};

use crate::helpers::{spawn_app, violated_fields};

const ENTERPRISE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:ens="urn:sobject.enterprise.soap.sforce.com">
 <types><schema xmlns="http://www.w3.org/2001/XMLSchema">
  <complexType name="Order"><complexContent><extension base="ens:sObject"><sequence>
   <element name="Status" type="xsd:string"/><element name="Carrier__c" type="xsd:string"/>
  </sequence></extension></complexContent></complexType>
 </schema></types>
 <service name="SforceService"><port name="Soap"><soap:address location="https://test.salesforce.com/services/Soap/c/62.0/0DF000000000001"/></port></service>
</definitions>"#;

#[tokio::test]
async fn wsdl_sets_the_connection_defaults() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let preview =
        ImportWsdlRequest { store_code: "main".into(), wsdl: ENTERPRISE.into(), apply: false, etag: String::new() };
    let parsed = client.import_wsdl(preview.clone()).await.expect("preview").into_inner();
    assert_eq!(parsed.flavor(), WsdlFlavor::Enterprise);
    assert_eq!((parsed.login_url.as_str(), parsed.api_version.as_str()), ("https://test.salesforce.com", "62.0"));
    assert_eq!(parsed.objects[0].fields, ["Status", "Carrier__c"]);
    assert!(!parsed.applied && parsed.etag == "v1");

    let applied = client
        .import_wsdl(ImportWsdlRequest { apply: true, etag: "v1".into(), ..preview.clone() })
        .await
        .expect("apply");
    assert_eq!((applied.get_ref().applied, applied.get_ref().etag.as_str()), (true, "v2"));
    let config =
        client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("get").into_inner();
    let connection = config.settings.and_then(|s| s.connection).expect("connection");
    assert_eq!(
        (connection.login_url.as_str(), connection.api_version.as_str()),
        ("https://test.salesforce.com", "62.0")
    );

    let broken = ImportWsdlRequest { wsdl: "<definitions/>".into(), ..preview.clone() };
    assert_eq!(violated_fields(&client.import_wsdl(broken).await.expect_err("no endpoint")), ["wsdl"]);
    let unsafe_apply = ImportWsdlRequest { apply: true, etag: String::new(), ..preview };
    assert_eq!(violated_fields(&client.import_wsdl(unsafe_apply).await.expect_err("no etag")), ["etag"]);
}
