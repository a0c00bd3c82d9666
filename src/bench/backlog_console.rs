//! The web console's pages, timed through HTTP with a signed-in session for
//! `bench backlog` (empty queue beside backlog): the stores overview, the
//! store's parked items, the sync log's first page and the lookup of one
//! order. Every answer must be 200 with the page's own heading, so an error
//! page cannot pass for a fast one.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

use super::harness::{ADMIN_TOKEN, Bench};

/// Requests per page per side.
pub(super) const PAGE_READS: usize = 50;

/// The pages' sorted latencies.
#[derive(Debug)]
pub(super) struct ConsoleProbe {
    pub overview: Vec<Duration>,
    pub parked: Vec<Duration>,
    pub log: Vec<Duration>,
    pub lookup: Vec<Duration>,
}

/// The `name=value` pair a response's `Set-Cookie` carries.
fn cookie(response: &reqwest::Response) -> anyhow::Result<String> {
    let set = response.headers().get(SET_COOKIE).context("no Set-Cookie")?.to_str()?;
    Ok(set.split(';').next().unwrap_or_default().to_owned())
}

/// Signs in with the bench's admin token; returns the session cookie.
async fn sign_in(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let form = http.get(format!("{base}/console/sign-in")).send().await?.error_for_status()?;
    let anonymous = cookie(&form)?;
    let body = form.text().await?;
    let marker = "name=\"csrf\" value=\"";
    let at = body.find(marker).context("no CSRF field on the sign-in form")? + marker.len();
    let csrf = body[at..].split('"').next().unwrap_or_default().to_owned();
    let signed = http
        .post(format!("{base}/console/sign-in"))
        .header(COOKIE, anonymous)
        .form(&[("csrf", csrf.as_str()), ("token", ADMIN_TOKEN)])
        .send()
        .await?;
    if signed.status() != StatusCode::SEE_OTHER {
        bail!("console sign-in answered {}", signed.status());
    }
    cookie(&signed)
}

/// Times `count` GETs of the page `path(i)` names, checking each is the page with `heading`.
async fn timed(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    heading: &str,
    path: impl Fn(usize) -> String,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(PAGE_READS);
    for i in 0..PAGE_READS {
        let url = format!("{base}{}", path(i));
        let started = Instant::now();
        let response = http.get(&url).header(COOKIE, session).send().await?;
        let status = response.status();
        let body = response.text().await?;
        samples.push(started.elapsed());
        if status != StatusCode::OK || !body.contains(heading) {
            bail!("console {url} answered {status} without {heading:?}");
        }
    }
    samples.sort_unstable();
    Ok(samples)
}

/// Times the console's pages of store `code`; `order_id(i)` names an order to look up.
pub(super) async fn console_probe(
    bench: &Bench,
    code: &str,
    order_id: impl Fn(usize) -> String,
) -> anyhow::Result<ConsoleProbe> {
    let addr = bench.server.http_addr.context("the bench server has no HTTP listener")?;
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let session = sign_in(&http, &base).await?;
    let store = format!("/console/stores/{code}");
    Ok(ConsoleProbe {
        overview: timed(&http, &base, &session, "<h1>Stores</h1>", |_| "/console/".to_owned()).await?,
        parked: timed(&http, &base, &session, "<h1>Parked items", |_| format!("{store}/parked")).await?,
        log: timed(&http, &base, &session, "<h1>Sync log", |_| format!("{store}/log")).await?,
        lookup: timed(&http, &base, &session, "<h1>Lookup", |i| format!("{store}/lookup?q=order+{}", order_id(i)))
            .await?,
    })
}
