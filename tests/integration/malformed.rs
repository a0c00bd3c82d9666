//! Bytes that are not a valid request, sent to every RPC: with a valid token
//! they are the caller's error (INVALID_ARGUMENT), never INTERNAL; without
//! one the caller learns nothing beyond UNAUTHENTICATED.

use bytes::{Buf, BufMut};
use tonic::Code;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;

use crate::helpers::{ADMIN_TOKEN, spawn_app};

const SERVICES: [(&str, &[&str]); 3] = [
    ("StoreAdminService", &["CreateStore", "GetStore", "ListStores", "DeleteStore", "RotateStoreToken"]),
    ("StoreConfigService", &["GetStoreConfig", "UpdateStoreConfig", "SetCredentials", "TestConnection", "ImportWsdl"]),
    (
        "SyncService",
        &[
            "UpsertCustomer",
            "UpsertProducts",
            "StartCheckout",
            "PlaceOrder",
            "RecordPayment",
            "UpdateOrderStatus",
            "SubmitEvents",
            "GetSyncStatus",
            "ListSyncEvents",
            "RetryFailed",
            "PreviewPlan",
        ],
    ),
];

/// Every RPC's path with the token it needs (the admin token, or `store_token`).
fn every_rpc(store_token: &str) -> Vec<(String, &str)> {
    let token = |service: &str| if service == "StoreAdminService" { ADMIN_TOKEN } else { store_token };
    SERVICES
        .iter()
        .flat_map(|(service, methods)| {
            methods.iter().map(move |method| (format!("/forcesync.v1.{service}/{method}"), token(service)))
        })
        .collect()
}

/// Bodies no RPC can decode: a field with an invalid wire type, a truncated
/// length-delimited field, field 1 (a string or a message in every request)
/// holding bytes that are neither UTF-8 nor a message, and random bytes.
fn bodies() -> Vec<Vec<u8>> {
    let mut random = Vec::with_capacity(64);
    let mut x: u32 = 0x9e37_79b9;
    for _ in 0..64 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random.push(x.to_le_bytes()[0]);
    }
    vec![vec![0x0f], vec![0x0a, 0x05, b'a'], vec![0x0a, 0x02, 0xff, 0xfe], random]
}

async fn call(channel: &Channel, path: &str, token: Option<&str>, body: Vec<u8>) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready().await.expect("ready");
    let mut request = tonic::Request::new(body);
    if let Some(token) = token {
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
    }
    let path = path.parse().expect("path");
    grpc.unary(request, path, RawCodec).await.expect_err("malformed bodies are refused")
}

#[tokio::test]
async fn undecodable_requests_are_client_errors_and_strangers_learn_nothing() {
    let app = spawn_app().await;
    let (_, store_token) = app.create_store("main").await;
    for (path, token) in every_rpc(&store_token) {
        for body in bodies() {
            let status = call(&app.channel, &path, Some(token), body.clone()).await;
            assert_eq!(status.code(), Code::InvalidArgument, "{path} {body:02x?}: {status:?}");
            for stranger in [None, Some("fs_not-a-real-token-0000000000000000000000000"), Some("wrong")] {
                let status = call(&app.channel, &path, stranger, body.clone()).await;
                assert_eq!(status.code(), Code::Unauthenticated, "{path} as {stranger:?}: {status:?}");
            }
        }
    }
}

/// Broken gRPC framing (each is the whole request body): a compression flag
/// that is neither 0 nor 1, a compressed message without `grpc-encoding`, a
/// frame whose body ends early, half a frame header, and no message at all.
fn broken_frames() -> [(&'static str, Vec<u8>); 5] {
    [
        ("compression flag 7", vec![7, 0, 0, 0, 1, 0x0a]),
        ("compressed without an encoding", vec![1, 0, 0, 0, 2, 0x0a, 0x00]),
        ("a frame cut short", vec![0, 0, 0, 0, 10, 0x0a, 0x01]),
        ("half a header", vec![0, 0]),
        ("no message", Vec::new()),
    ]
}

/// Sends `body` as the raw HTTP/2 body of a gRPC call.
async fn send_frames(channel: &Channel, path: &str, token: &str, body: Vec<u8>) -> tonic::Status {
    use tower::ServiceExt as _;
    let request = http::Request::post(format!("http://forcesync{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {token}"))
        .body(tonic::body::Body::new(http_body_util::Full::new(bytes::Bytes::from(body))))
        .expect("request");
    let response = channel.clone().oneshot(request).await.expect("an answer");
    assert_eq!(response.status(), http::StatusCode::OK, "gRPC answers errors in its status");
    if let Some(status) = tonic::Status::from_header_map(response.headers()) {
        return status;
    }
    use http_body_util::BodyExt as _;
    let trailers = response.into_body().collect().await.expect("body").trailers().cloned();
    tonic::Status::from_header_map(&trailers.expect("trailers")).expect("grpc-status")
}

#[tokio::test]
async fn broken_framing_is_a_client_error_on_every_rpc() {
    let app = spawn_app().await;
    let (_, store_token) = app.create_store("main").await;
    for (path, token) in every_rpc(&store_token) {
        for (what, body) in broken_frames() {
            let status = send_frames(&app.channel, &path, token, body).await;
            assert_eq!(status.code(), Code::InvalidArgument, "{path}, {what}: {status:?}");
            assert_eq!(crate::helpers::error_reason(&status), "MALFORMED_REQUEST", "{path}, {what}");
        }
    }
}

/// Sends and receives raw bytes.
#[derive(Default)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        Ok(Some(bytes.to_vec()))
    }
}

/// Messages that decode but carry extreme values (times far outside any
/// calendar, negative nanos, huge page sizes, garbage page tokens, unknown
/// enum numbers, NaN, empty oneofs) are the caller's errors or valid reads,
/// never INTERNAL or UNKNOWN.
#[tokio::test]
async fn extreme_values_in_valid_messages_never_answer_internal() {
    use forcesync::pb::{self, get_sync_status_request::Entity, sync_service_client::SyncServiceClient};
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut sync = SyncServiceClient::with_interceptor(app.channel.clone(), crate::helpers::Bearer::new(&token));
    let times = [
        prost_types::Timestamp { seconds: i64::MAX, nanos: 0 },
        prost_types::Timestamp { seconds: i64::MIN, nanos: 0 },
        prost_types::Timestamp { seconds: 0, nanos: -1 },
        prost_types::Timestamp { seconds: 253_402_300_800, nanos: 999_999_999 },
    ];
    let mut statuses = Vec::new();
    for (n, time) in times.iter().enumerate() {
        let mut customer = pb::UpsertCustomerRequest {
            event_id: format!("t{n}"),
            customer: Some(crate::helpers::sync::jane()),
            occur_time: Some(*time),
        };
        statuses.push(("UpsertCustomer occur_time", sync.upsert_customer(customer.clone()).await.err()));
        customer.event_id = String::new();
        statuses.push(("UpsertCustomer without id", sync.upsert_customer(customer).await.err()));
        let list = pb::ListSyncEventsRequest {
            page_size: i32::MAX,
            page_token: "\u{0}garbage%%".into(),
            state: 999,
            kind: -5,
            received_after: Some(*time),
            received_before: Some(*time),
        };
        statuses.push(("ListSyncEvents", sync.list_sync_events(list).await.err()));
        let mut order = crate::helpers::sync::order(&format!("o{n}"), "9", "77", crate::helpers::sync::jane(), 1);
        order.occur_time = Some(*time);
        order.items[0].quantity = f64::NAN;
        order.total = "1e400".into();
        statuses.push(("PlaceOrder", sync.place_order(order).await.err()));
    }
    let empty = pb::GetSyncStatusRequest { entity: None };
    statuses.push(("GetSyncStatus empty", sync.get_sync_status(empty).await.err()));
    let long = pb::GetSyncStatusRequest { entity: Some(Entity::OrderId("x".repeat(100_000))) };
    statuses.push(("GetSyncStatus long", sync.get_sync_status(long).await.err()));
    let retry = pb::RetryFailedRequest { kind: 12345, error_code: "\u{1f600}".repeat(1000) };
    statuses.push(("RetryFailed", sync.retry_failed(retry).await.err()));
    statuses.push(("PreviewPlan empty", sync.preview_plan(pb::PreviewPlanRequest { event: None }).await.err()));
    let submit = pb::SubmitEventsRequest { events: vec![pb::SyncEvent { event: None }; 3] };
    statuses.push(("SubmitEvents empty events", sync.submit_events(submit).await.err()));
    // A thousand bad events: every one has violations, yet the answer fits the client's header limit.
    let bad = pb::UpsertCustomerRequest { event_id: "é".repeat(500), customer: None, occur_time: None };
    let event = pb::SyncEvent { event: Some(pb::sync_event::Event::Customer(bad)) };
    let refused = sync.submit_events(pb::SubmitEventsRequest { events: vec![event; 1000] }).await;
    let refused = refused.expect_err("every event is invalid");
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    let listed = crate::helpers::violated_fields(&refused);
    assert!(listed.len() <= 21 && refused.message().contains("more violations"), "{listed:?} {refused:?}");
    for (what, status) in statuses {
        if let Some(status) = status {
            assert!(!matches!(status.code(), Code::Internal | Code::Unknown), "{what}: {status:?}");
        }
    }
}

/// The same for the admin and configuration services.
#[tokio::test]
async fn extreme_configuration_requests_never_answer_internal() {
    use forcesync::pb;
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut admin = app.admin();
    let mut config = app.config(&token);
    let mut statuses = Vec::new();
    for (size, page) in [(i32::MAX, "\u{0}"), (-1, "%%%"), (0, "bWFpbg==")] {
        let list = pb::ListStoresRequest { page_size: size, page_token: page.into() };
        statuses.push(("ListStores", admin.list_stores(list).await.err()));
    }
    let odd = ["", "x".repeat(10_000).as_str(), "MAIN", "ma in", "\u{1f600}"].map(str::to_owned);
    for code in &odd {
        let create = pb::CreateStoreRequest { code: code.clone(), display_name: code.repeat(3) };
        statuses.push(("CreateStore", admin.create_store(create).await.err()));
        let get = pb::GetStoreConfigRequest { store_code: code.clone() };
        statuses.push(("GetStoreConfig", config.get_store_config(get).await.err()));
    }
    for paths in
        [vec!["*".to_owned()], vec!["../../etc".into()], vec!["connection".into(), "connection.login_url".into()]]
    {
        let update = pb::UpdateStoreConfigRequest {
            store_code: "main".into(),
            settings: Some(pb::StoreSettings { sales_cycle_days: i32::MIN, ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths }),
            etag: "v9223372036854775807".into(),
        };
        statuses.push(("UpdateStoreConfig", config.update_store_config(update).await.err()));
    }
    for wsdl in ["<".repeat(100_000), "<?xml version=\"1.0\"?><definitions>".into(), "\u{0}".into()] {
        let import = pb::ImportWsdlRequest { store_code: "main".into(), wsdl, apply: true, etag: "v1".into() };
        statuses.push(("ImportWsdl", config.import_wsdl(import).await.err()));
    }
    for (what, status) in statuses {
        if let Some(status) = status {
            assert!(!matches!(status.code(), Code::Internal | Code::Unknown), "{what}: {status:?}");
        }
    }
}

/// A request over an RPC's size limit is RESOURCE_EXHAUSTED (gRPC's code for
/// it) with the reason, not tonic's OUT_OF_RANGE.
#[tokio::test]
async fn a_request_over_the_size_limit_is_resource_exhausted() {
    use forcesync::pb;
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let wsdl = "x".repeat(forcesync::api::MAX_REQUEST_BYTES + 1);
    let import = pb::ImportWsdlRequest { store_code: "main".into(), wsdl, apply: false, etag: String::new() };
    let refused = app.config(&token).import_wsdl(import).await.expect_err("too large");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
    assert_eq!(crate::helpers::error_reason(&refused), "REQUEST_TOO_LARGE");
    let huge = pb::CreateStoreRequest { code: "big".into(), display_name: "x".repeat(5 * 1024 * 1024) };
    let refused = app.admin().create_store(huge).await.expect_err("too large for the admin service");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
}
