//! The `forcesync` binary as an operator runs it.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};

/// Log lines written to a file or a pipe carry no colour codes.
#[test]
fn logs_that_are_not_on_a_terminal_have_no_colour_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_forcesync"))
        .args(["serve", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .env("FORCESYNC_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN)
        .env("FORCESYNC_MASTER_KEY", crate::helpers::MASTER_KEY_B64)
        .env_remove("NO_COLOR")
        .env_remove("FORCESYNC_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start forcesync serve");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let serving = stdout.lines().map_while(Result::ok).any(|line| line.starts_with("forcesync listening on"));
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("read the logs");
    assert!(serving, "the server started: {logs}");
    assert!(logs.contains("forcesync is serving"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no ANSI escape codes: {logs:?}");
}
