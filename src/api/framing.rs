//! A request whose gRPC framing is broken (a compression flag other than 0
//! or 1, a compressed message without `grpc-encoding`, a body that ends
//! inside a frame, no message at all) is refused by tonic before our codec
//! sees it, with `INTERNAL`. Those are the caller's mistakes: this layer
//! answers them as `INVALID_ARGUMENT` / `MALFORMED_REQUEST`, like bytes that
//! are no valid message (`codec.rs`), so `INTERNAL` stays for our bugs.
//! (gRPC's compression document asks for INTERNAL on a compressed flag
//! without an encoding; we put the caller-or-us distinction first.) A
//! message over the size limit, which tonic answers OUT_OF_RANGE, is
//! RESOURCE_EXHAUSTED as gRPC's status codes have it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tonic::Code;
use tower::{Layer, Service};

use tonic_types::{ErrorDetails, StatusExt};

use super::codec::malformed;
use super::error::ERROR_DOMAIN;

/// How tonic's request decoder words the framing errors it answers with INTERNAL.
const FRAMING_ERRORS: [&str; 4] =
    ["protocol error:", "Unexpected EOF decoding stream", "Error decompressing:", "Missing request message"];

/// Wraps the server's routes with [`FramingErrors`].
#[derive(Debug, Clone, Copy, Default)]
pub struct FramingErrorsLayer;

impl<S> Layer<S> for FramingErrorsLayer {
    type Service = FramingErrors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FramingErrors { inner }
    }
}

/// Turns tonic's INTERNAL answers to broken request framing into INVALID_ARGUMENT.
#[derive(Debug, Clone)]
pub struct FramingErrors<S> {
    inner: S,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> Service<http::Request<B>> for FramingErrors<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>> + Send,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let answer = self.inner.call(request);
        Box::pin(async move { answer.await.map(reword) })
    }
}

/// A unary call refused while its request was read is answered with its
/// status in the headers (trailers-only); that is where these errors are.
fn reword(response: http::Response<tonic::body::Body>) -> http::Response<tonic::body::Body> {
    match tonic::Status::from_header_map(response.headers()) {
        Some(status) if is_framing_error(&status) => malformed(status.message()).into_http(),
        Some(status) if is_too_large(&status) => too_large(status.message()).into_http(),
        _ => response,
    }
}

/// tonic refuses a message over the service's size limit with OUT_OF_RANGE;
/// gRPC's status codes say a server answers that with RESOURCE_EXHAUSTED.
fn is_too_large(status: &tonic::Status) -> bool {
    status.code() == Code::OutOfRange && status.message().starts_with(TOO_LARGE)
}

const TOO_LARGE: &str = "Error, decoded message length too large";

fn too_large(why: &str) -> tonic::Status {
    let limit = why.rsplit("limit is: ").next().unwrap_or_default().to_owned();
    let details = ErrorDetails::with_error_info("REQUEST_TOO_LARGE", ERROR_DOMAIN, [("limit".to_owned(), limit)]);
    let message = format!("the request is larger than this RPC accepts: {why}");
    tonic::Status::with_error_details(Code::ResourceExhausted, message, details)
}

fn is_framing_error(status: &tonic::Status) -> bool {
    status.code() == Code::Internal && FRAMING_ERRORS.iter().any(|start| status.message().starts_with(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tonics_framing_errors_are_reworded() {
        let framing = tonic::Status::internal("protocol error: received message with invalid compression flag: 7");
        assert!(is_framing_error(&framing));
        assert!(is_framing_error(&tonic::Status::internal("Missing request message.")));
        assert!(!is_framing_error(&tonic::Status::internal("internal error")), "our own bugs stay INTERNAL");
        assert!(!is_framing_error(&tonic::Status::unavailable("protocol error: elsewhere")));
    }

    #[test]
    fn a_reworded_answer_is_invalid_argument_naming_the_cause() {
        let broken = tonic::Status::internal("Unexpected EOF decoding stream.").into_http();
        let answer = reword(broken);
        let status = tonic::Status::from_header_map(answer.headers()).expect("a status");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("Unexpected EOF"), "{status:?}");
    }
}
