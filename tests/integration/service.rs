//! The server as infrastructure sees it: health, reflection, shutdown.

use forcesync::pb::GetStoreConfigRequest;
use tokio_stream::StreamExt as _;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_reports_serving_for_every_service() {
    let app = spawn_app().await;
    let mut health = HealthClient::new(app.channel.clone());
    let services = [
        "",
        "forcesync.v1.StoreAdminService",
        "forcesync.v1.StoreConfigService",
        "forcesync.v1.SyncService",
        "forcesync.v1.InventoryService",
    ];
    for service in services {
        let response = health.check(HealthCheckRequest { service: service.into() }).await.expect("check");
        assert_eq!(response.into_inner().status(), ServingStatus::Serving, "{service:?}");
    }
}

#[tokio::test]
async fn reflection_lists_the_services() {
    let app = spawn_app().await;
    let mut client = ServerReflectionClient::new(app.channel.clone());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses =
        client.server_reflection_info(tokio_stream::iter([request])).await.expect("reflection").into_inner();
    let response = responses.next().await.expect("one response").expect("ok");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection response: {response:?}");
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "forcesync.v1.ChangeService",
            "forcesync.v1.InventoryService",
            "forcesync.v1.StoreAdminService",
            "forcesync.v1.StoreConfigService",
            "forcesync.v1.SyncService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
        ]
    );
}

#[tokio::test]
async fn shutdown_is_graceful_and_the_data_survives_a_restart() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let database_url = app.database_url.clone();
    let crate::helpers::TestApp { server, dir, .. } = app;
    server.shutdown().await.expect("clean shutdown");

    let config = forcesync::server::ServeConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(database_url),
        admin_token: None,
        master_key: None,
        retry: Default::default(),
        engine: Default::default(),
        amqp: None,
        http_listen: None,
        http_routes: None,
    };
    let restarted = forcesync::server::start(config, std::future::pending()).await.expect("restart");
    assert!(restarted.generated_admin_token.is_some(), "no admin token configured: one is generated and shown");
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", restarted.addr)).expect("uri");
    let channel = channel.connect().await.expect("connect");
    let mut client = forcesync::pb::store_config_service_client::StoreConfigServiceClient::with_interceptor(
        channel,
        crate::helpers::Bearer::new(&token),
    );
    client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("token still works");
    restarted.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_start_that_cannot_listen_keeps_no_admin_token_and_the_next_start_shows_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port to occupy");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = |listen: std::net::SocketAddr| forcesync::server::ServeConfig {
        listen,
        data_dir: dir.path().to_path_buf(),
        database_url: None,
        admin_token: None,
        master_key: None,
        retry: Default::default(),
        engine: Default::default(),
        amqp: None,
        http_listen: None,
        http_routes: None,
    };
    let taken_addr = taken.local_addr().expect("taken address");
    let failed = forcesync::server::start(config(taken_addr), std::future::pending()).await;
    let error = failed.expect_err("the address is taken");
    assert!(format!("{error:#}").contains(&taken_addr.to_string()), "names the address: {error:#}");

    let server = forcesync::server::start(config("127.0.0.1:0".parse().expect("addr")), std::future::pending())
        .await
        .expect("starts on a free port");
    let token = server.generated_admin_token.clone().expect("the first start that serves shows the generated token");
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr)).expect("uri");
    let channel = channel.connect().await.expect("connect");
    let mut admin = forcesync::pb::store_admin_service_client::StoreAdminServiceClient::with_interceptor(
        channel,
        crate::helpers::Bearer::new(token.expose()),
    );
    admin.list_stores(forcesync::pb::ListStoresRequest::default()).await.expect("the shown token works");
    server.shutdown().await.expect("shutdown");
}
