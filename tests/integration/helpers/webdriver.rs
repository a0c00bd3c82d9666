//! A small W3C WebDriver client (JSON over HTTP, with the reqwest already in
//! the dependencies) driving Debian's headless Chromium through
//! chromedriver: start a driver, open a session, navigate, find elements by
//! CSS, click, type, read text, take screenshots. [`Browser::start`] gives
//! `None` when chromedriver is not installed, and the caller skips.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Longest wait for the driver, a page or an element.
const PATIENCE: Duration = Duration::from_secs(30);

/// Where chromedriver is: `FORCESYNC_CHROMEDRIVER`, else Debian's path.
fn chromedriver() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("FORCESYNC_CHROMEDRIVER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromedriver".into());
    path.is_file().then_some(path)
}

/// Only one browser at a time: each is a few hundred MB and the machine is shared.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running chromedriver with one headless Chromium session.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// An element found on the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts chromedriver and a headless Chromium session; `None` (after
    /// printing "skipped: chromedriver not found") when it is not installed.
    pub async fn start() -> Option<Browser> {
        let Some(driver_path) = chromedriver() else {
            println!("skipped: chromedriver not found");
            return None;
        };
        super::install_crypto();
        let turn = ONE_AT_A_TIME.lock().await;
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            listener.local_addr().expect("addr").port()
        };
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("client");
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut browser = Browser { http, base, session: String::new(), driver, _profile: profile, _turn: turn };
        browser.wait_ready().await;
        let profile_dir = browser._profile.path().display().to_string();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1366,900".into(),
            format!("--user-data-dir={profile_dir}"),
        ];
        args.push("--lang=en-US".into());
        let mut options = json!({ "args": args });
        if std::path::Path::new("/usr/bin/chromium").is_file() {
            options["binary"] = json!("/usr/bin/chromium");
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options } } });
        let created = browser.call(reqwest::Method::POST, "/session", Some(capabilities)).await;
        browser.session = created["sessionId"].as_str().expect("a session id").to_owned();
        Some(browser)
    }

    async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let status = self.http.get(format!("{}/status", self.base)).send().await;
            if let Ok(status) = status {
                let body: Value = status.json().await.unwrap_or_default();
                if body["value"]["ready"] == json!(true) {
                    return;
                }
            }
            assert!(tokio::time::Instant::now() < deadline, "chromedriver not ready after {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One WebDriver command; returns its `value`, panicking on a WebDriver error.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method.clone(), path, body).await.unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    async fn try_call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let ok = response.status().is_success();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if ok { Ok(body["value"].clone()) } else { Err(body["value"].to_string()) }
    }

    fn at(&self, path: &str) -> String {
        format!("/session/{}{path}", self.session)
    }

    /// Loads `url` and waits for it.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, &self.at("/url"), Some(json!({ "url": url }))).await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, &self.at("/url"), None).await.as_str().unwrap_or_default().to_owned()
    }

    pub async fn title(&self) -> String {
        self.call(reqwest::Method::GET, &self.at("/title"), None).await.as_str().unwrap_or_default().to_owned()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let found = self
                .try_call(
                    reqwest::Method::POST,
                    &self.at("/element"),
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Ok(found) = found
                && let Some(id) = found[ELEMENT].as_str()
            {
                return Element(id.to_owned());
            }
            assert!(tokio::time::Instant::now() < deadline, "no element {css:?} after {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every element matching `css` now.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let found = self
            .call(reqwest::Method::POST, &self.at("/elements"), Some(json!({"using": "css selector", "value": css})))
            .await;
        let found = found.as_array().cloned().unwrap_or_default();
        found.iter().filter_map(|e| e[ELEMENT].as_str()).map(|id| Element(id.to_owned())).collect()
    }

    pub async fn click(&self, element: &Element) {
        self.call(reqwest::Method::POST, &self.at(&format!("/element/{}/click", element.0)), Some(json!({}))).await;
    }

    /// Empties a text input.
    pub async fn clear(&self, element: &Element) {
        self.call(reqwest::Method::POST, &self.at(&format!("/element/{}/clear", element.0)), Some(json!({}))).await;
    }

    /// Types `text` into an element (as keystrokes).
    pub async fn type_text(&self, element: &Element, text: &str) {
        let body = json!({ "text": text });
        self.call(reqwest::Method::POST, &self.at(&format!("/element/{}/value", element.0)), Some(body)).await;
    }

    /// The element's rendered text.
    pub async fn text(&self, element: &Element) -> String {
        let path = self.at(&format!("/element/{}/text", element.0));
        self.call(reqwest::Method::GET, &path, None).await.as_str().unwrap_or_default().to_owned()
    }

    /// The element's property (`value` of an input, for example).
    pub async fn property(&self, element: &Element, name: &str) -> Value {
        self.call(reqwest::Method::GET, &self.at(&format!("/element/{}/property/{name}", element.0)), None).await
    }

    /// Waits until the text of the first element matching `css` contains `wanted`.
    pub async fn wait_text(&self, css: &str, wanted: &str) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let text = self.text(&self.find(css).await).await;
            if text.contains(wanted) {
                return text;
            }
            assert!(tokio::time::Instant::now() < deadline, "{css:?} still reads {text:?}, not {wanted:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call(reqwest::Method::GET, &self.at("/screenshot"), None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default());
        let png = png.expect("a base64 screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        png
    }

    /// Ends the session and the driver.
    pub async fn quit(mut self) {
        let _ = self.try_call(reqwest::Method::DELETE, &format!("/session/{}", self.session), None).await;
        self.session.clear();
    }
}

impl Drop for Browser {
    /// Ends the session (so Chromium exits even when a test failed), then the driver.
    fn drop(&mut self) {
        if !self.session.is_empty() {
            use std::io::{Read as _, Write as _};
            let host = self.base.trim_start_matches("http://").to_owned();
            if let Ok(mut stream) = std::net::TcpStream::connect(&host) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                let request = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    self.session
                );
                let _ = stream.write_all(request.as_bytes());
                let _ = stream.read(&mut [0u8; 512]);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
