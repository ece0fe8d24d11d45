//! Every system call nsenter makes, traced (`ROOTBOX_TRACE=1`) and wrapped with the
//! context util-linux prints, naming the user's own spelling of each path.

use std::ffi::{CString, OsStr, OsString};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use anyhow::Context;
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::libc;
use nix::sched::CloneFlags;
use nix::sys::stat::{Mode, stat};
use nix::unistd::{Gid, Uid};

use common::{Result, trace};

use crate::NAME;

/// `open(path, O_RDONLY|O_CLOEXEC)`; util-linux's words on failure: `cannot open PATH`.
pub fn open_ro(path: &OsStr) -> Result<OwnedFd> {
    open_or(path, || {
        format!("cannot open {}", common::usage::lossy(path))
    })
}

/// `open(path, O_RDONLY|O_CLOEXEC)` with the caller's words on failure.
pub fn open_or(path: &OsStr, context: impl FnOnce() -> String) -> Result<OwnedFd> {
    let result = open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty());
    let fd = trace::call(NAME, result, || {
        format!(
            "open({}, O_RDONLY|O_CLOEXEC)",
            trace::quote(path.as_bytes())
        )
    });
    Ok(fd.with_context(context)?)
}

/// `pidfd_open(pid, 0)`: a handle on the target that cannot be confused with a later
/// process reusing its pid, and that `setns(2)` takes (Linux 5.8) to enter several
/// namespaces of the target at once. The fd is close-on-exec (pidfd_open(2)).
pub fn pidfd_open(pid: i32) -> nix::Result<OwnedFd> {
    #[allow(unsafe_code)]
    // SAFETY: pidfd_open takes two integers and returns a new fd or -1; nix lacks it.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let result = match i32::try_from(ret) {
        Ok(fd) if fd >= 0 => {
            #[allow(unsafe_code)]
            // SAFETY: the kernel just returned this fd to us; nothing else owns it.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        }
        _ => Err(Errno::last()),
    };
    trace::call(NAME, result, || format!("pidfd_open({pid}, 0)"))
}

/// `setns(fd, flags)`.
pub fn setns(fd: BorrowedFd<'_>, flags: i32) -> nix::Result<()> {
    let result = nix::sched::setns(fd, CloneFlags::from_bits_retain(flags));
    trace::call(NAME, result, || {
        format!(
            "setns({}, {})",
            fd.as_raw_fd(),
            common::ns::flag_names(flags)
        )
    })
}

/// The inode number of a namespace file (`stat(2)`); `stat of PATH failed` on error.
pub fn ns_inode(path: &str) -> Result<u64> {
    let result = stat(path).map(|st| Ino(st.st_ino));
    let ino = trace::call(NAME, result, || {
        format!("stat({})", trace::quote(path.as_bytes()))
    });
    Ok(ino.with_context(|| format!("stat of {path} failed"))?.0)
}

/// Whether a namespace kind exists on this kernel (its file in /proc/self/ns).
pub fn ns_supported(path: &str) -> bool {
    let result = stat(path).map(|_| ());
    trace::call(NAME, result, || {
        format!("stat({})", trace::quote(path.as_bytes()))
    }) != Err(Errno::ENOENT)
}

struct Ino(u64);

impl trace::Shown for Ino {
    fn shown(&self) -> String {
        format!("0 [ino {}]", self.0)
    }
}

/// `fchdir(fd)`.
pub fn fchdir(fd: &OwnedFd, what: &str) -> Result<()> {
    let result = nix::unistd::fchdir(fd.as_fd());
    trace::call(NAME, result, || format!("fchdir({})", fd.as_raw_fd()))
        .with_context(|| format!("change directory by {what} file descriptor failed"))?;
    Ok(())
}

/// `chroot(".")` then `chdir("/")`, after `fchdir` to the new root.
pub fn chroot_here() -> Result<()> {
    let result = nix::unistd::chroot(".");
    trace::call(NAME, result, || "chroot(\".\")".into()).context("chroot failed")?;
    let result = nix::unistd::chdir("/");
    trace::call(NAME, result, || "chdir(\"/\")".into()).context("cannot change directory to /")?;
    Ok(())
}

/// `setgroups(0, NULL)`: drop the supplementary groups.
pub fn drop_groups() -> nix::Result<()> {
    trace::call(NAME, nix::unistd::setgroups(&[]), || {
        "setgroups(0, NULL)".into()
    })
}

/// `setgid(gid)`.
pub fn setgid(gid: u32) -> Result<()> {
    let result = nix::unistd::setgid(Gid::from_raw(gid));
    trace::call(NAME, result, || format!("setgid({gid})")).context("setgid failed")?;
    Ok(())
}

/// `setuid(uid)`.
pub fn setuid(uid: u32) -> Result<()> {
    let result = nix::unistd::setuid(Uid::from_raw(uid));
    trace::call(NAME, result, || format!("setuid({uid})")).context("setuid failed")?;
    Ok(())
}

/// The owner of a /proc/PID directory: the ids `-S follow` / `-G follow` take.
pub fn owner(path: &str) -> Result<(u32, u32)> {
    let result = stat(path).map(|st| Owner(st.st_uid, st.st_gid));
    let owner = trace::call(NAME, result, || {
        format!("stat({})", trace::quote(path.as_bytes()))
    })
    .with_context(|| format!("cannot stat {path}"))?;
    Ok((owner.0, owner.1))
}

struct Owner(u32, u32);

impl trace::Shown for Owner {
    fn shown(&self) -> String {
        format!("0 [uid {} gid {}]", self.0, self.1)
    }
}

/// Run the user's shell as a login shell would be named (`-sh`), as util-linux
/// `exec_shell()` does; returns only on failure.
pub fn exec_shell(shell: &OsStr) -> Errno {
    let base = shell
        .as_bytes()
        .rsplit(|&b| b == b'/')
        .next()
        .unwrap_or_default();
    let mut arg0 = b"-".to_vec();
    arg0.extend_from_slice(base);
    let (Ok(path), Ok(arg0)) = (CString::new(shell.as_bytes()), CString::new(arg0)) else {
        return Errno::EINVAL;
    };
    let result = nix::unistd::execv(&path, &[&arg0]).map(|_| ());
    let shown = [OsString::from(OsStr::from_bytes(arg0.as_bytes()))];
    match trace::call(NAME, result, || {
        format!(
            "execv({}, {})",
            trace::quote(path.as_bytes()),
            trace::argv(&shown)
        )
    }) {
        Ok(()) => Errno::UnknownErrno,
        Err(errno) => errno,
    }
}
