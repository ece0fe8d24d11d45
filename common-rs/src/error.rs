//! The error value every tool returns, and [`finish`], the one place that prints it.
//!
//! A [`Failure`] is an `anyhow::Error` chain plus what the tool needs to end correctly: an
//! exit code (none means "the tool's default failure code"), whether it is a usage error
//! (which adds the `Try 'prog --help'` line), optional hint lines printed after the message,
//! and whether it is silent (a reader that went away: nothing to say).

use std::fmt::Display;
use std::io::Write;

use nix::errno::Errno;

/// What a tool's `run()` returns: `Ok(status)` or a failure to report.
pub type Result<T, E = Failure> = std::result::Result<T, E>;

/// An error on its way to [`finish`].
#[derive(Debug)]
pub struct Failure {
    error: anyhow::Error,
    code: Option<u8>,
    usage: bool,
    silent: bool,
    hints: Vec<String>,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure {
            error: error.into(),
            code: None,
            usage: false,
            silent: false,
            hints: Vec::new(),
        }
    }
}

impl Failure {
    /// A failure with this message and no cause.
    pub fn msg(message: impl Display) -> Self {
        anyhow::anyhow!("{message}").into()
    }

    /// A usage error: printed with the `Try 'prog --help'` line, exit with the usage code.
    pub fn usage(message: impl Display) -> Self {
        Failure {
            usage: true,
            ..Failure::msg(message)
        }
    }

    /// Nothing to print; exit with `code` (a reader that went away).
    pub fn silent(code: u8) -> Self {
        Failure {
            silent: true,
            code: Some(code),
            ..Failure::msg("")
        }
    }

    /// Exit with `code` instead of the tool's default.
    pub fn with_code(mut self, code: u8) -> Self {
        self.code = Some(code);
        self
    }

    /// Add a line printed, as it is, after the message.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The exit code this failure asks for, if any.
    pub fn code(&self) -> Option<u8> {
        self.code
    }

    /// Whether this is a usage error.
    pub fn is_usage(&self) -> bool {
        self.usage
    }

    /// The message as it will be printed after `prog: ` (no hints).
    pub fn message(&self) -> String {
        render(&self.error)
    }

    /// The errno at the root of the chain, if the failure came from a system call.
    pub fn errno(&self) -> Option<Errno> {
        self.error.chain().find_map(errno_of)
    }
}

/// `Result` helpers: set the exit code or add a hint on the error path.
pub trait ResultExt<T> {
    /// On error, exit with `code`.
    fn code(self, code: u8) -> Result<T>;
    /// On error, add a hint line computed from the failure.
    fn hint(self, hint: impl FnOnce(&Failure) -> Option<String>) -> Result<T>;
}

impl<T, E: Into<Failure>> ResultExt<T> for std::result::Result<T, E> {
    fn code(self, code: u8) -> Result<T> {
        self.map_err(|e| e.into().with_code(code))
    }

    fn hint(self, hint: impl FnOnce(&Failure) -> Option<String>) -> Result<T> {
        self.map_err(|e| {
            let failure = e.into();
            match hint(&failure) {
                Some(h) => failure.with_hint(h),
                None => failure,
            }
        })
    }
}

fn errno_of(cause: &(dyn std::error::Error + 'static)) -> Option<Errno> {
    if let Some(errno) = cause.downcast_ref::<Errno>() {
        return Some(*errno);
    }
    cause
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::raw_os_error)
        .map(Errno::from_raw)
}

/// The C library's text for `errno` (`strerror`), as C tools print it. nix's own table
/// differs in places (`EBADF` is "Bad file number" there, "Bad file descriptor" in glibc).
pub fn strerror(errno: Errno) -> String {
    let text = std::io::Error::from_raw_os_error(errno as i32).to_string();
    // std appends " (os error N)" to the C library's text.
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The chain joined with `": "`, every errno as plain strerror text (never nix's
/// `EPERM: ...` nor std's `(os error 1)`).
pub fn render(error: &anyhow::Error) -> String {
    let parts: Vec<String> = error
        .chain()
        .map(|cause| match errno_of(cause) {
            Some(errno) => strerror(errno),
            None => cause.to_string(),
        })
        .collect();
    parts.join(": ")
}

/// End a tool: print the failure once on stderr and return the exit code.
///
/// `usage_code` is the tool's code for usage errors, `fail_code` its default failure code.
pub fn finish(prog: &str, usage_code: u8, fail_code: u8, result: Result<u8>) -> u8 {
    let failure = match result {
        Ok(code) => return code,
        Err(failure) => failure,
    };
    if failure.silent {
        return failure.code.unwrap_or(fail_code);
    }
    let mut text = format!("{prog}: {}\n", failure.message());
    if failure.usage {
        text.push_str(&format!("Try '{prog} --help' for more information.\n"));
    }
    for hint in &failure.hints {
        text.push_str(hint);
        text.push('\n');
    }
    // One write, so the message is never interleaved; nothing more to do if stderr is gone.
    let _ = std::io::stderr().write_all(text.as_bytes());
    let default = if failure.usage { usage_code } else { fail_code };
    failure.code.unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn errno_prints_as_strerror() {
        let r: std::result::Result<(), Errno> = Err(Errno::EPERM);
        let f: Failure = r
            .context("cannot change root directory to 'x'")
            .unwrap_err()
            .into();
        assert_eq!(
            f.message(),
            "cannot change root directory to 'x': Operation not permitted"
        );
        assert_eq!(f.errno(), Some(Errno::EPERM));
    }

    #[test]
    fn io_error_loses_os_error_suffix() {
        let io = std::io::Error::from_raw_os_error(2);
        let f: Failure = anyhow::Error::new(io).context("open 'a'").into();
        assert_eq!(f.message(), "open 'a': No such file or directory");
    }

    #[test]
    fn strerror_is_the_c_library_text() {
        assert_eq!(strerror(Errno::EBADF), "Bad file descriptor");
        assert_eq!(strerror(Errno::ENOENT), "No such file or directory");
    }

    #[test]
    fn codes_and_kinds() {
        assert_eq!(finish("t", 1, 32, Ok(5)), 5);
        assert_eq!(finish("t", 1, 32, Err(Failure::msg("boom"))), 32);
        assert_eq!(finish("t", 7, 32, Err(Failure::usage("bad"))), 7);
        assert_eq!(finish("t", 7, 32, Err(Failure::msg("x").with_code(3))), 3);
        assert_eq!(finish("t", 7, 32, Err(Failure::silent(0))), 0);
        let r: std::result::Result<(), Errno> = Err(Errno::EBUSY);
        assert_eq!(r.code(9).unwrap_err().code(), Some(9));
    }
}
