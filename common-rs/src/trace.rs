//! `ROOTBOX_TRACE=1`: every tool prints each system call it makes, its arguments decoded and
//! its result, one line on stderr: `mount: mount("none", "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0`.
//!
//! The variable is read from the environment so it covers a whole pipeline of tools. Each
//! syscall wrapper passes its result through [`call`]; the description is only built when
//! tracing is on.

use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::OnceLock;

use nix::errno::Errno;

/// Whether `ROOTBOX_TRACE` is set to something other than empty or `0`.
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ROOTBOX_TRACE").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// A syscall's successful result as the trace shows it.
pub trait Shown {
    /// `0` for calls that return nothing, the number for fds and pids.
    fn shown(&self) -> String;
}

impl Shown for () {
    fn shown(&self) -> String {
        "0".into()
    }
}

impl Shown for OwnedFd {
    fn shown(&self) -> String {
        self.as_raw_fd().to_string()
    }
}

impl Shown for nix::unistd::Pid {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for usize {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for i32 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

/// Print `prog: DESC = RESULT` when tracing is on; return the result unchanged.
pub fn call<T: Shown>(
    prog: &str,
    result: nix::Result<T>,
    desc: impl FnOnce() -> String,
) -> nix::Result<T> {
    if enabled() {
        let outcome = match &result {
            Ok(value) => value.shown(),
            Err(errno) => errno_text(*errno),
        };
        line(prog, &format!("{} = {outcome}", desc()));
    }
    result
}

/// `-1 EINVAL (Invalid argument)`, as strace shows a failed call.
pub fn errno_text(errno: Errno) -> String {
    format!("-1 {errno:?} ({})", crate::strerror(errno))
}

/// Print one trace line when tracing is on (for steps that are not a single syscall,
/// such as a write to a /proc file).
pub fn line(prog: &str, text: &str) {
    if enabled() {
        let _ = std::io::stderr().write_all(format!("{prog}: {text}\n").as_bytes());
    }
}

/// A byte string as C source would spell it: `"a\nb"`, non-printable bytes as `\xNN`.
pub fn quote(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

/// An optional string argument: quoted, or `NULL`.
pub fn quote_opt(bytes: Option<&[u8]>) -> String {
    bytes.map_or_else(|| "NULL".into(), quote)
}

/// An argument vector: `["ls", "-l"]`.
pub fn argv(args: &[std::ffi::OsString]) -> String {
    use std::os::unix::ffi::OsStrExt;
    let items: Vec<String> = args.iter().map(|a| quote(a.as_bytes())).collect();
    format!("[{}]", items.join(", "))
}

/// Flags by their C names joined with `|`, `0` when empty: `MS_REC|MS_PRIVATE`.
pub fn flags<F: bitflags::Flags>(value: &F) -> String
where
    F::Bits: Ord,
{
    let mut named: Vec<(F::Bits, &str)> = value
        .iter_names()
        .map(|(name, f)| (f.bits(), name))
        .collect();
    named.sort();
    let names: Vec<&str> = named.into_iter().map(|(_, name)| name).collect();
    join_flags(&names)
}

/// Flag names joined with `|` as strace shows a flags argument, `0` when there are none.
pub fn join_flags<S: AsRef<str>>(names: &[S]) -> String {
    if names.is_empty() {
        return "0".into();
    }
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    names.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::mount::MsFlags;

    #[test]
    fn decoding() {
        assert_eq!(quote(b"a b\n\x1b\"\\"), r#""a b\n\x1b\"\\""#);
        assert_eq!(quote_opt(None), "NULL");
        assert_eq!(
            flags(&(MsFlags::MS_REC | MsFlags::MS_PRIVATE)),
            "MS_REC|MS_PRIVATE"
        );
        assert_eq!(flags(&MsFlags::empty()), "0");
        assert_eq!(errno_text(Errno::EINVAL), "-1 EINVAL (Invalid argument)");
    }
}
