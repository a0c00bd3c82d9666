//! Store tokens are checked before a request body is even decoded: a caller
//! without a valid token learns nothing beyond `UNAUTHENTICATED`, whatever
//! bytes it sends. (The admin service checks its token in an interceptor,
//! which also runs before decoding.) The one token lookup of a call happens
//! here: the resolved [`Caller`] goes into the request's extensions, where
//! the handlers find it (tonic hands them the HTTP request's extensions).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tonic::metadata::MetadataMap;
use tower::{Layer, Service};

use super::auth::{Caller, TokenStores};

/// The services whose calls need a valid store token.
const STORE_SERVICES: [&str; 4] = [
    "/forcesync.v1.SyncService/",
    "/forcesync.v1.StoreConfigService/",
    "/forcesync.v1.InventoryService/",
    "/forcesync.v1.ChangeService/",
];

/// Wraps the server's routes with [`StoreTokenCheck`].
#[derive(Debug, Clone)]
pub struct StoreTokenLayer {
    tokens: TokenStores,
}

impl StoreTokenLayer {
    pub fn new(tokens: TokenStores) -> Self {
        Self { tokens }
    }
}

impl<S> Layer<S> for StoreTokenLayer {
    type Service = StoreTokenCheck<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StoreTokenCheck { inner, tokens: self.tokens.clone() }
    }
}

/// Refuses calls to the store services that carry no valid store token, and
/// hands the others on with their [`Caller`].
#[derive(Debug, Clone)]
pub struct StoreTokenCheck<S> {
    inner: S,
    tokens: TokenStores,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> Service<http::Request<B>> for StoreTokenCheck<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The clone that was made ready serves this call; the fresh one waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        if !STORE_SERVICES.iter().any(|prefix| request.uri().path().starts_with(prefix)) {
            return Box::pin(inner.call(request));
        }
        let tokens = self.tokens.clone();
        Box::pin(async move {
            let metadata = MetadataMap::from_headers(request.headers().clone());
            match tokens.caller(&metadata).await {
                Ok(caller) => {
                    request.extensions_mut().insert::<Caller>(caller);
                    inner.call(request).await
                }
                Err(error) => Ok(tonic::Status::from(error).into_http()),
            }
        })
    }
}
