//! Every system call mount and umount make, each traced with `ROOTBOX_TRACE=1` in the
//! user's own spelling of the paths. Errors come back as the bare errno: the caller turns
//! it into util-linux's message, which depends on what was being done.

use std::ffi::{CString, OsStr};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use common::newmount::{self, Attr, MountAttr, MoveMount, OpenTree, SetattrAt};
use common::trace;
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};

use crate::opts::Ms;

bitflags::bitflags! {
    /// `umount2(2)` flags by their C names.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Mnt: u32 {
        /// Force (network filesystems).
        const MNT_FORCE = 1;
        /// Lazy: detach now, clean up when no longer busy.
        const MNT_DETACH = 2;
    }
}

fn cstr(s: &OsStr) -> nix::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| Errno::EINVAL)
}

fn q(s: &OsStr) -> String {
    trace::quote(s.as_bytes())
}

/// `mount(2)`. A missing source is passed as `"none"`, as util-linux does.
pub fn mount(
    prog: &str,
    source: Option<&OsStr>,
    target: &OsStr,
    fstype: Option<&OsStr>,
    flags: Ms,
    data: Option<&[u8]>,
) -> nix::Result<()> {
    let source = source.unwrap_or(OsStr::new("none"));
    let result = nix::mount::mount(
        Some(source),
        target,
        fstype,
        MsFlags::from_bits_retain(flags.bits()),
        data,
    );
    trace::call(prog, result, || {
        format!(
            "mount({}, {}, {}, {}, {})",
            q(source),
            q(target),
            trace::quote_opt(fstype.map(OsStrExt::as_bytes)),
            trace::flags(&flags),
            trace::quote_opt(data)
        )
    })
}

/// `umount2(2)`.
pub fn umount2(prog: &str, target: &OsStr, flags: Mnt) -> nix::Result<()> {
    let result = nix::mount::umount2(target, MntFlags::from_bits_retain(flags.bits() as i32));
    trace::call(prog, result, || {
        format!("umount2({}, {})", q(target), trace::flags(&flags))
    })
}

/// `open_tree(AT_FDCWD, path, flags)`.
pub fn open_tree(prog: &str, path: &OsStr, flags: OpenTree) -> nix::Result<OwnedFd> {
    let result = cstr(path).and_then(|c| newmount::open_tree(None, &c, flags));
    trace::call(prog, result, || {
        format!("open_tree(AT_FDCWD, {}, {})", q(path), trace::flags(&flags))
    })
}

/// `mount_setattr(fd, "", AT_EMPTY_PATH[|AT_RECURSIVE], attr)` on a mount fd.
pub fn mount_setattr_fd(prog: &str, fd: &OwnedFd, recursive: bool, attr: &Attr) -> nix::Result<()> {
    let mut flags = SetattrAt::AT_EMPTY_PATH;
    flags.set(SetattrAt::AT_RECURSIVE, recursive);
    let result = newmount::mount_setattr(Some(fd.as_fd()), c"", flags, attr);
    trace::call(prog, result, || {
        format!(
            "mount_setattr({}, \"\", {}, {})",
            fd.as_raw_fd(),
            trace::flags(&flags),
            show_attr(attr)
        )
    })
}

/// `mount_setattr(AT_FDCWD, path, AT_RECURSIVE?, attr)`.
pub fn mount_setattr_path(
    prog: &str,
    path: &OsStr,
    recursive: bool,
    attr: &Attr,
) -> nix::Result<()> {
    let mut flags = SetattrAt::empty();
    flags.set(SetattrAt::AT_RECURSIVE, recursive);
    let result = cstr(path).and_then(|c| newmount::mount_setattr(None, &c, flags, attr));
    trace::call(prog, result, || {
        format!(
            "mount_setattr(AT_FDCWD, {}, {}, {})",
            q(path),
            trace::flags(&flags),
            show_attr(attr)
        )
    })
}

fn show_attr(attr: &Attr) -> String {
    format!(
        "{{attr_set={}, attr_clr={}, propagation={}, userns_fd={}}}",
        trace::flags(&MountAttr::from_bits_retain(attr.attr_set)),
        trace::flags(&MountAttr::from_bits_retain(attr.attr_clr)),
        trace::flags(&Ms::from_bits_retain(attr.propagation)),
        attr.userns_fd
    )
}

/// `move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)`: attach a detached tree.
pub fn move_mount(prog: &str, fd: &OwnedFd, target: &OsStr) -> nix::Result<()> {
    let flags = MoveMount::MOVE_MOUNT_F_EMPTY_PATH;
    let result =
        cstr(target).and_then(|c| newmount::move_mount(Some(fd.as_fd()), c"", None, &c, flags));
    trace::call(prog, result, || {
        format!(
            "move_mount({}, \"\", AT_FDCWD, {}, {})",
            fd.as_raw_fd(),
            q(target),
            trace::flags(&flags)
        )
    })
}

/// The per-mount flags a path's mount has now (`statvfs(3)` `f_flag`), as `MS_*`: what a
/// bind remount must repeat so the kernel does not refuse to drop a locked flag.
pub fn mount_flags(prog: &str, path: &OsStr) -> nix::Result<Ms> {
    // The `ST_*` bits of statvfs(3) by value (kernel ABI; musl's libc lacks some names).
    const ST: &[(u64, Ms)] = &[
        (0x1, Ms::MS_RDONLY),
        (0x2, Ms::MS_NOSUID),
        (0x4, Ms::MS_NODEV),
        (0x8, Ms::MS_NOEXEC),
        (0x400, Ms::MS_NOATIME),
        (0x800, Ms::MS_NODIRATIME),
        (0x1000, Ms::MS_RELATIME),
        (0x2000, Ms::MS_NOSYMFOLLOW),
    ];
    let result = nix::sys::statvfs::statvfs(path).map(|st| {
        // `c_ulong`: 64 bits here, 32 on other targets.
        #[allow(clippy::unnecessary_cast)]
        let bits = st.flags().bits() as u64;
        ST.iter()
            .filter(|(st, _)| bits & st != 0)
            .fold(Ms::empty(), |acc, (_, ms)| acc | *ms)
    });
    trace::call(prog, result.map(|_| ()), || format!("statvfs({})", q(path)))?;
    result
}

/// `mkdir(2)` with `mode` (the umask applies, as `mkdir -p` does).
pub fn mkdir(prog: &str, path: &OsStr, mode: u32) -> nix::Result<()> {
    let result = nix::unistd::mkdir(
        path,
        nix::sys::stat::Mode::from_bits_truncate(mode as nix::libc::mode_t),
    );
    trace::call(prog, result, || format!("mkdir({}, {mode:04o})", q(path)))
}

/// Enter the mount namespace of `/proc/PID/ns/mnt` or of a namespace file:
/// `open(O_RDONLY|O_CLOEXEC)` then `setns(CLONE_NEWNS)`.
pub fn enter_namespace(prog: &str, file: &OsStr) -> nix::Result<()> {
    use nix::fcntl::{OFlag, open};
    let fd = open(
        file,
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    );
    let fd = trace::call(prog, fd, || {
        format!("open({}, O_RDONLY|O_CLOEXEC)", q(file))
    })?;
    let result = nix::sched::setns(&fd, nix::sched::CloneFlags::CLONE_NEWNS);
    trace::call(prog, result, || {
        format!("setns({}, CLONE_NEWNS)", fd.as_raw_fd())
    })
}
