//! The checked, buffered stdout every tool prints through.
//!
//! Write errors are reported once (`prog: write error: No space left on device`, exit 1 or
//! the tool's failure code); a closed stdout with pending output is such an error (EBADF). A
//! reader that went away (EPIPE, seen only when the caller left SIGPIPE ignored; otherwise the
//! signal ends us exactly as it ends a C tool) ends the tool quietly.

use std::io::{self, BufWriter, ErrorKind, Write};
use std::os::fd::AsFd;

use crate::Failure;

/// Buffered stdout whose errors become [`Failure`]s.
pub struct Out {
    inner: BufWriter<Fd1>,
}

/// File descriptor 1, written with write(2). std's `Stdout` treats EBADF as success (a
/// closed stdout swallows everything); a tool whose output went nowhere must say so.
struct Fd1;

impl Write for Fd1 {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match nix::unistd::write(io::stdout().as_fd(), buf) {
                Err(nix::errno::Errno::EINTR) => continue,
                other => return other.map_err(io::Error::from),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Default for Out {
    fn default() -> Self {
        Self::new()
    }
}

impl Out {
    /// A writer over the process's stdout.
    pub fn new() -> Self {
        Out {
            inner: BufWriter::with_capacity(64 * 1024, Fd1),
        }
    }

    /// Write bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> crate::Result<()> {
        self.inner.write_all(bytes).map_err(write_error)
    }

    /// Write a string.
    pub fn str(&mut self, s: &str) -> crate::Result<()> {
        self.bytes(s.as_bytes())
    }

    /// Flush everything; call once before the tool returns.
    pub fn flush(&mut self) -> crate::Result<()> {
        self.inner.flush().map_err(write_error)
    }
}

/// Print `text` (a tool's `--help` or `--version`) and flush: exit status 0, or the write
/// error.
pub fn print(text: &str) -> crate::Result<u8> {
    let mut out = Out::new();
    out.str(text)?;
    out.flush()?;
    Ok(0)
}

/// A write error as the tool reports it: quiet on EPIPE, else `write error: strerror`.
pub fn write_error(error: io::Error) -> Failure {
    if error.kind() == ErrorKind::BrokenPipe {
        return Failure::silent(0);
    }
    Failure::from(anyhow::Error::new(error).context("write error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_silent_and_enospc_is_reported() {
        let quiet = write_error(io::Error::from(ErrorKind::BrokenPipe));
        assert_eq!(crate::finish("t", 1, 1, Err(quiet)), 0);
        let full = write_error(io::Error::from_raw_os_error(28));
        assert_eq!(full.message(), "write error: No space left on device");
    }
}
