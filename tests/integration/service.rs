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
    let services =
        ["", "forcesync.v1.StoreAdminService", "forcesync.v1.StoreConfigService", "forcesync.v1.SyncService"];
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
