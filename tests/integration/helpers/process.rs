//! A server in a runtime of its own, so that a test can kill it the way
//! `kill -9` kills a process: every task it spawned (each connection, the
//! intake, the folder, the workers) stops at once, wherever it was, with
//! transactions left open (rolled back by the database) and leases left held.
//! Aborting the server's task alone would not do: hyper serves each
//! connection in a task of its own, and those would go on answering.

use std::path::Path;

use forcesync::engine::EngineConfig;
use forcesync::server::RunningServer;
use tokio::runtime::Runtime;

use super::{TestApp, connect, serve_config};

pub struct Process(Option<Runtime>);

impl Process {
    fn kill(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts a server on `database_url` (`None`: SQLite in a fresh temp dir) in a process of its own.
pub async fn spawn_process(database_url: Option<String>, engine: EngineConfig) -> TestApp {
    super::logs::capture();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = serve_config(dir.path(), database_url, engine.clone()).database_url();
    start(dir, database_url, engine).await
}

/// Starts a server in a process of its own on `dir` and `database_url` (which another server may have used).
pub async fn start(dir: tempfile::TempDir, database_url: String, engine: EngineConfig) -> TestApp {
    let (server, process) = run(dir.path(), database_url.clone(), engine).await;
    TestApp { channel: connect(&server).await, server, database_url, dir, process: Some(process) }
}

async fn run(dir: &Path, database_url: String, engine: EngineConfig) -> (RunningServer, Process) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("killable-server")
        .enable_all()
        .build()
        .expect("a runtime for the server");
    let config = serve_config(dir, Some(database_url), engine);
    let server = runtime.spawn(forcesync::server::start(config, std::future::pending()));
    let server = server.await.expect("server start panicked").expect("server starts");
    (server, Process(Some(runtime)))
}

impl TestApp {
    /// Kills the server: gracefully when `graceful`, else like `kill -9`
    /// (a server not started by [`spawn_process`] or [`start`] cannot be).
    /// Returns its data directory and database URL for a new server.
    pub async fn stop(self, graceful: bool) -> (tempfile::TempDir, String) {
        let TestApp { server, dir, database_url, process, .. } = self;
        let mut process = process.expect("a server in a process of its own");
        if graceful {
            server.shutdown().await.expect("graceful shutdown");
        } else {
            process.kill();
            drop(server);
        }
        drop(process);
        (dir, database_url)
    }
}
