//! The `forcesync` binary: parse the command line, run it.

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc rather than glibc's malloc: the server allocates on one thread and
/// frees on another all the time (tokio moves tasks between workers, and each
/// SQLite connection has a thread of its own), and glibc then takes the owning
/// arena's lock for every such free; profiled under `bench ingest`, those locks
/// and their futex wake-ups were a tenth of the process's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    forcesync::install_crypto_provider();
    let cli = forcesync::cli::Cli::parse();
    forcesync::cli::init_logging(cli.log_format, cli.default_log_level());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(forcesync::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", forcesync::error_text::report(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}
