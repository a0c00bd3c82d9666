//! The protobuf codec of forcesync's services: prost's, except that a
//! request whose bytes are not a valid message (random or truncated bytes,
//! strings that are not UTF-8, nesting past prost's recursion limit) is the
//! caller's error, `INVALID_ARGUMENT`, not `INTERNAL`: INTERNAL is for our bugs.
//! The generated code uses it through `codec_path` in build.rs.

use std::collections::HashMap;

use prost::Message;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};
use tonic_types::{ErrorDetails, StatusExt};

use super::error::ERROR_DOMAIN;

/// prost's codec with decode failures answered as `INVALID_ARGUMENT`.
#[derive(Debug)]
pub struct ForcesyncCodec<T, U>(ProstCodec<T, U>);

impl<T, U> Default for ForcesyncCodec<T, U> {
    fn default() -> Self {
        Self(ProstCodec::default())
    }
}

impl<T, U> Codec for ForcesyncCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = MessageDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.0.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        MessageDecoder(self.0.decoder())
    }
}

/// prost's decoder; a message it cannot decode is a malformed request.
#[derive(Debug)]
pub struct MessageDecoder<U>(ProstDecoder<U>);

impl<U: Message + Default> Decoder for MessageDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.0.decode(buf).map_err(|status| malformed(status.message()))
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.0.buffer_settings()
    }
}

/// `INVALID_ARGUMENT` with reason `MALFORMED_REQUEST`.
pub fn malformed(why: &str) -> Status {
    let details = ErrorDetails::with_error_info("MALFORMED_REQUEST", ERROR_DOMAIN, HashMap::new());
    let message = format!("the request is not a valid message of this RPC: {why}");
    Status::with_error_details(tonic::Code::InvalidArgument, message, details)
}
