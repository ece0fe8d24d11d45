//! Every system call findmnt makes, each traced under `ROOTBOX_TRACE=1` in the shape the
//! other tools use (`findmnt: statvfs("/x") = 0`). Path resolution (`realpath`) and
//! directory listing (`readdir`) are several syscalls each; they are traced as one step
//! with their result, as pivot_root traces `realpath`.

use std::ffi::OsStr;
use std::fs::Metadata;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use common::newmount::{self, MountOf, Statmount, Want};
use common::table::{Format, Table};
use common::trace;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use nix::sys::statvfs::Statvfs;

use crate::NAME;

fn q(path: &[u8]) -> String {
    trace::quote(path)
}

fn errno(e: &io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(Errno::EIO as i32))
}

/// A traced step whose result is a path (`= "/abs"`) or an error.
fn path_step(call: &str, arg: &[u8], result: &io::Result<PathBuf>) {
    if !trace::enabled() {
        return;
    }
    let shown = match result {
        Ok(p) => q(p.as_os_str().as_bytes()),
        Err(e) => trace::errno_text(errno(e)),
    };
    trace::line(NAME, &format!("{call}({}) = {shown}", q(arg)));
}

/// A table file, parsed as it is read (`format` `None`: detected): a live one (`/proc/...`)
/// read consistently (poll and re-read), any other read to EOF. The reads are made on a
/// reader thread (see `reader`).
pub fn read_table(path: &Path, live: bool, format: Option<Format>) -> io::Result<Table> {
    crate::reader::read_table(path, live, format)
}

/// realpath(3): the canonical form of a path, if it exists.
pub fn realpath(path: &[u8]) -> Option<Vec<u8>> {
    let result = std::fs::canonicalize(OsStr::from_bytes(path));
    path_step("realpath", path, &result);
    result.ok().map(|p| p.into_os_string().into_vec())
}

/// readlink(2).
pub fn readlink(path: &[u8]) -> Option<PathBuf> {
    let result = std::fs::read_link(OsStr::from_bytes(path));
    path_step("readlink", path, &result);
    result.ok()
}

/// statvfs(2).
pub fn statvfs(path: &[u8]) -> Option<Statvfs> {
    let result = nix::sys::statvfs::statvfs(OsStr::from_bytes(path));
    trace::call(NAME, result.map(|_| ()), || format!("statvfs({})", q(path))).ok()?;
    result.ok()
}

/// stat(2).
pub fn stat(path: &[u8]) -> io::Result<Metadata> {
    let result = std::fs::metadata(OsStr::from_bytes(path));
    let shown = result.as_ref().map(|_| ()).map_err(errno);
    let _ = trace::call(NAME, shown, || format!("stat({})", q(path)));
    result
}

/// The names in a directory (opendir/getdents/closedir), traced with their count.
pub fn readdir(dir: &Path) -> Vec<PathBuf> {
    let result: io::Result<Vec<PathBuf>> =
        std::fs::read_dir(dir).and_then(|rd| rd.map(|e| e.map(|e| e.path())).collect());
    let shown = result.as_ref().map(Vec::len).map_err(errno);
    let _ = trace::call(NAME, shown, || {
        format!("readdir({})", q(dir.as_os_str().as_bytes()))
    });
    result.unwrap_or_default()
}

/// `open(path, O_PATH|O_CLOEXEC)`: a handle on the file a `-T`/`-M` path names, so the
/// mount ID and the statfs flags below come from the same lookup. O_PATH does not trigger
/// an automount at the last component.
pub fn open_path(path: &[u8]) -> Option<OwnedFd> {
    let flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    let result = nix::fcntl::open(OsStr::from_bytes(path), flags, Mode::empty());
    trace::call(NAME, result, || {
        format!("open({}, O_PATH|O_CLOEXEC)", q(path))
    })
    .ok()
}

/// `statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE)`.
pub fn mount_of(fd: &OwnedFd) -> Option<MountOf> {
    let result = newmount::mount_of(fd.as_fd());
    let shown = result.map(|_| ());
    let _ = trace::call(NAME, shown, || {
        format!(
            "statx({}, \"\", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE)",
            fd.as_raw_fd()
        )
    });
    result.ok()
}

/// `statmount(2)` of a mount by its unique ID.
pub fn statmount(unique_id: u64, want: Want) -> Option<Statmount> {
    let result = newmount::statmount(unique_id, want);
    let shown = result.as_ref().map(|_| ()).map_err(|e| *e);
    let _ = trace::call(NAME, shown, || {
        format!(
            "statmount({{mnt_id={unique_id}, param={}}})",
            trace::flags(&want)
        )
    });
    result.ok()
}

/// close(2) of a descriptor only read from (nothing can be lost if it fails).
pub fn close(fd: OwnedFd) {
    let raw = fd.as_raw_fd();
    let _ = trace::call(NAME, nix::unistd::close(fd), || format!("close({raw})"));
}

/// fstatvfs(2).
pub fn fstatvfs(fd: &OwnedFd) -> Option<Statvfs> {
    let result = nix::sys::statvfs::fstatvfs(fd);
    trace::call(NAME, result.map(|_| ()), || {
        format!("fstatvfs({})", fd.as_raw_fd())
    })
    .ok()?;
    result.ok()
}

/// What libblkid does first with a device it is asked to probe: `open(path,
/// O_RDONLY|O_CLOEXEC|O_NONBLOCK)` and `fstat`; the error is the reason it gives up.
pub fn open_device(path: &[u8]) -> io::Result<Metadata> {
    use std::os::unix::fs::OpenOptionsExt;
    let result = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(OsStr::from_bytes(path))
        .and_then(|f| f.metadata());
    let shown = result.as_ref().map(|_| ()).map_err(errno);
    let _ = trace::call(NAME, shown, || {
        format!("open({}, O_RDONLY|O_CLOEXEC|O_NONBLOCK), fstat", q(path))
    });
    result
}

/// A whole small file (`/proc/filesystems`, `modules.dep`), traced as one step.
pub fn read_file(path: &[u8]) -> Option<Vec<u8>> {
    let result = std::fs::read(OsStr::from_bytes(path));
    let shown = result.as_ref().map(Vec::len).map_err(errno);
    let _ = trace::call(NAME, shown, || format!("read_file({})", q(path)));
    result.ok()
}

/// The width of the terminal stdout is, or `None` when stdout is not a terminal
/// (libsmartcols fits a table only then): the TIOCGWINSZ column count, else a positive
/// decimal `$COLUMNS`, else 80 (util-linux lib/ttyutils.c `get_terminal_width`).
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let mut ws = nix::libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    #[allow(unsafe_code)]
    // SAFETY: TIOCGWINSZ (ioctl_tty(2)) only writes one struct winsize through the pointer,
    // which points to a live, writable winsize for the whole call. nix has no wrapper.
    let ret = unsafe { nix::libc::ioctl(1, nix::libc::TIOCGWINSZ, &mut ws) };
    let result = Errno::result(ret).map(|_| ());
    let _ = trace::call(NAME, result, || {
        format!(
            "ioctl(1, TIOCGWINSZ, {{ws_row={}, ws_col={}}})",
            ws.ws_row, ws.ws_col
        )
    });
    let mut cols = if result.is_ok() {
        usize::from(ws.ws_col)
    } else {
        0
    };
    if cols == 0 {
        cols = std::env::var_os("COLUMNS")
            .and_then(|v| columns_value(v.as_bytes()))
            .unwrap_or(0);
    }
    Some(if cols > 0 { cols } else { 80 })
}

/// `$COLUMNS` as util-linux takes it (`strtol` base 10, the whole string, 1..=INT_MAX):
/// leading blanks and a sign are allowed, anything after the digits is not.
fn columns_value(v: &[u8]) -> Option<usize> {
    let s = std::str::from_utf8(v).ok()?;
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    (1..=i64::from(i32::MAX))
        .contains(&n)
        .then(|| usize::try_from(n).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::columns_value;

    #[test]
    fn columns_like_strtol() {
        assert_eq!(columns_value(b"100"), Some(100));
        assert_eq!(columns_value(b" +42"), Some(42));
        assert_eq!(columns_value(b"0"), None);
        assert_eq!(columns_value(b"-5"), None);
        assert_eq!(columns_value(b"80x"), None);
        assert_eq!(columns_value(b""), None);
        assert_eq!(columns_value(b"2147483647"), Some(2147483647));
        assert_eq!(columns_value(b"2147483648"), None);
    }
}
