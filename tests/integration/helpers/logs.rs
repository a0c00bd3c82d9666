//! Captures every log line the process writes (all crates, debug level), so
//! tests can prove that secrets never reach the logs.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("log buffer poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static BUFFER: OnceLock<SharedBuffer> = OnceLock::new();

/// Installs the capturing subscriber once per process.
pub fn capture() {
    BUFFER.get_or_init(|| {
        let buffer = SharedBuffer::default();
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init();
        buffer
    });
}

/// Everything logged so far in this process.
pub fn captured() -> String {
    let buffer = BUFFER.get().map(|b| b.0.lock().map(|bytes| bytes.clone()).unwrap_or_default()).unwrap_or_default();
    String::from_utf8_lossy(&buffer).into_owned()
}
