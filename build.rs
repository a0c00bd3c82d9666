//! Compiles `proto/forcesync/v1/*.proto` with tonic's prost generator and writes
//! a file descriptor set for gRPC reflection. `protoc` and the well-known types
//! come from the `protoc-bin-vendored` crate, so the build needs nothing
//! installed; set `PROTOC` to use another protoc.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = match std::env::var_os("PROTOC") {
        Some(path) => PathBuf::from(path),
        None => protoc_bin_vendored::protoc_bin_path()?,
    };
    let well_known = protoc_bin_vendored::include_path()?;

    let mut protos: Vec<PathBuf> = std::fs::read_dir("proto/forcesync/v1")?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "proto"))
        .collect();
    protos.sort();

    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    // Maps as B-tree maps: a message always encodes to the same bytes, which
    // is what identifies a store event's content (duplicate detection).
    config.btree_map(["."]);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("forcesync_descriptor.bin"))
        // A request that does not decode answers INVALID_ARGUMENT (src/api/codec.rs).
        .codec_path("crate::api::codec::ForcesyncCodec")
        // Messages that carry secrets get a redacting Debug in src/pb.rs.
        .skip_debug([
            "forcesync.v1.CredentialValue",
            "forcesync.v1.CreateStoreResponse",
            "forcesync.v1.RotateStoreTokenResponse",
        ])
        .compile_with_config(config, &protos, &[PathBuf::from("proto"), well_known])?;
    println!("cargo:rerun-if-changed=proto");
    // `sqlx::migrate!` embeds the migrations at compile time; a new file must rebuild the crate.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=PROTOC");
    Ok(())
}
