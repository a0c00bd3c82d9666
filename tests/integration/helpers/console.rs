//! The web console over plain HTTP (no browser): sign in, GET pages and POST
//! forms with the session cookie, read CSRF tokens out of pages.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};

/// A console client holding one session cookie. Redirects are not followed.
pub struct ConsoleHttp {
    http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
}

/// A response: status, `Location`, `Set-Cookie`, `Retry-After` and body.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

/// The value of the first `name="csrf"` hidden input on a page.
pub fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a CSRF field on the page") + "name=\"csrf\" value=\"".len();
    body[at..].split('"').next().unwrap_or_default().to_owned()
}

impl ConsoleHttp {
    pub fn new(addr: std::net::SocketAddr) -> Self {
        super::install_crypto();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { http, base: format!("http://{addr}"), cookie: None }
    }

    /// A client signed in with `token` (panics unless sign-in succeeds).
    pub async fn signed_in(addr: std::net::SocketAddr, token: &str) -> Self {
        let mut console = Self::new(addr);
        let page = console.sign_in(token).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{page:?}");
        console
    }

    /// Loads the sign-in form and submits `token`; keeps the session cookie.
    pub async fn sign_in(&mut self, token: &str) -> Page {
        let form = self.get("/console/sign-in").await;
        assert_eq!(form.status, StatusCode::OK, "{form:?}");
        let csrf = csrf(&form.body);
        self.post("/console/sign-in", &[("csrf", &csrf), ("token", token)]).await
    }

    fn keep(&mut self, response: &reqwest::Response) -> Option<String> {
        let set = response.headers().get(SET_COOKIE)?.to_str().ok()?.to_owned();
        let pair = set.split(';').next().unwrap_or_default().to_owned();
        self.cookie = Some(pair).filter(|p| !p.ends_with('='));
        Some(set)
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let retry_after = response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let set_cookie = self.keep(&response);
        Page { status, location, set_cookie, retry_after, body: response.text().await.expect("body") }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.expect("GET");
        self.finish(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.expect("POST");
        self.finish(response).await
    }
}

/// The fields a page's form would submit as it stands: text inputs and
/// hidden fields with their values, textareas' text, checked checkboxes,
/// selects' selected options (a crude reader for the console's own markup, enough for tests).
pub fn form_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body.find(&format!("action=\"{action}\"")).expect("the form");
    let form = &body[start..body[start..].find("</form>").map_or(body.len(), |end| start + end)];
    let attribute = |tag: &str, name: &str| {
        let key = format!(" {name}=\"");
        tag.find(&key).map(|at| unescape(tag[at + key.len()..].split('"').next().unwrap_or_default()))
    };
    let mut fields = Vec::new();
    for tag in form.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default().replace('\n', " ");
        if tag.starts_with("input") {
            let Some(name) = attribute(&tag, "name") else { continue };
            let checkbox = attribute(&tag, "type").as_deref() == Some("checkbox");
            if checkbox && !tag.contains(" checked") {
                continue;
            }
            fields.push((name, attribute(&tag, "value").unwrap_or_default()));
        }
    }
    for textarea in form.split("<textarea").skip(1) {
        let head = textarea.split('>').next().unwrap_or_default().replace('\n', " ");
        let Some(name) = attribute(&head, "name") else { continue };
        let body =
            textarea.split_once('>').map_or("", |(_, rest)| rest.split("</textarea>").next().unwrap_or_default());
        fields.push((name, unescape(body)));
    }
    for select in form.split("<select").skip(1) {
        let head = select.split('>').next().unwrap_or_default();
        let Some(name) = attribute(head, "name") else { continue };
        let options = select.split("</select>").next().unwrap_or_default();
        let chosen =
            options.split("<option").skip(1).find(|o| o.split('>').next().unwrap_or_default().contains(" selected"));
        if let Some(chosen) = chosen.or_else(|| options.split("<option").nth(1)) {
            fields.push((name, attribute(chosen, "value").unwrap_or_default()));
        }
    }
    fields
}

/// HTML character references as the templates write them, decoded.
fn unescape(raw: &str) -> String {
    [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#x27;", "'"), ("&#x2f;", "/"), ("&#39;", "'"), ("&amp;", "&")]
        .iter()
        .fold(raw.to_owned(), |text, (entity, plain)| text.replace(entity, plain))
}
