//! Thin wrappers of the new mount API system calls nix lacks: `open_tree(2)`,
//! `move_mount(2)` and `mount_setattr(2)` (kernel 5.2 / 5.12; nix#1237, rustix#975).
//!
//! Each wrapper is one `syscall(2)`: it takes Rust types, returns `nix::Result`, and does
//! nothing else (no tracing: the tool's `sys` module traces with the user's spelling).
//! Paths are passed as `&CStr`, so non-UTF-8 paths work. A kernel without the call answers
//! `ENOSYS`, which callers use to fall back to `mount(2)`.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::libc;

bitflags::bitflags! {
    /// `open_tree(2)` flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct OpenTree: u32 {
        /// `OPEN_TREE_CLONE`: a detached copy of the mount, not the mount itself.
        const OPEN_TREE_CLONE = 1;
        /// `AT_EMPTY_PATH`: operate on the fd itself.
        const AT_EMPTY_PATH = 0x1000;
        /// `AT_RECURSIVE`: with `OPEN_TREE_CLONE`, the whole subtree (`--rbind`).
        const AT_RECURSIVE = 0x8000;
        /// `OPEN_TREE_CLOEXEC` (= `O_CLOEXEC`).
        const OPEN_TREE_CLOEXEC = 0o2000000;
    }
}

bitflags::bitflags! {
    /// `move_mount(2)` flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct MoveMount: u32 {
        /// `MOVE_MOUNT_F_EMPTY_PATH`: the source is the fd itself.
        const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
        /// `MOVE_MOUNT_T_EMPTY_PATH`: the target is the fd itself.
        const MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    }
}

bitflags::bitflags! {
    /// The `*at` flags of `mount_setattr(2)`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct SetattrAt: u32 {
        /// `AT_EMPTY_PATH`: operate on the fd itself.
        const AT_EMPTY_PATH = 0x1000;
        /// `AT_RECURSIVE`: the mount and every mount below it.
        const AT_RECURSIVE = 0x8000;
    }
}

bitflags::bitflags! {
    /// `MOUNT_ATTR_*` per-mount attributes (`struct mount_attr`'s `attr_set`/`attr_clr`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct MountAttr: u64 {
        // Declared first so a full mask prints as one name in traces.
        /// `MOUNT_ATTR__ATIME`: the mask of the atime field; put it in `attr_clr` to change
        /// the atime mode (`MOUNT_ATTR_RELATIME` is the field's 0 value).
        const MOUNT_ATTR__ATIME = 0x70;
        /// `MOUNT_ATTR_RDONLY`.
        const MOUNT_ATTR_RDONLY = 0x1;
        /// `MOUNT_ATTR_NOSUID`.
        const MOUNT_ATTR_NOSUID = 0x2;
        /// `MOUNT_ATTR_NODEV`.
        const MOUNT_ATTR_NODEV = 0x4;
        /// `MOUNT_ATTR_NOEXEC`.
        const MOUNT_ATTR_NOEXEC = 0x8;
        /// `MOUNT_ATTR_NOATIME` (one value of the `MOUNT_ATTR__ATIME` field).
        const MOUNT_ATTR_NOATIME = 0x10;
        /// `MOUNT_ATTR_STRICTATIME` (one value of the `MOUNT_ATTR__ATIME` field).
        const MOUNT_ATTR_STRICTATIME = 0x20;
        /// `MOUNT_ATTR_NODIRATIME`.
        const MOUNT_ATTR_NODIRATIME = 0x80;
        /// `MOUNT_ATTR_NOSYMFOLLOW`.
        const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;
    }
}

/// `struct mount_attr` (linux/mount.h, `MOUNT_ATTR_SIZE_VER0` = 32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attr {
    /// Attributes to set.
    pub attr_set: u64,
    /// Attributes to clear.
    pub attr_clr: u64,
    /// `MS_SHARED`, `MS_SLAVE`, `MS_PRIVATE`, `MS_UNBINDABLE` or 0.
    pub propagation: u64,
    /// User namespace fd for `MOUNT_ATTR_IDMAP` (unused here).
    pub userns_fd: u64,
}

fn raw(dirfd: Option<BorrowedFd<'_>>) -> libc::c_int {
    dirfd.map_or(libc::AT_FDCWD, |fd| fd.as_raw_fd())
}

/// `open_tree(dirfd, path, flags)`: an `O_PATH`-like fd of the mount at `path`, or with
/// `OPEN_TREE_CLONE` a detached copy of it. `None` for `dirfd` is `AT_FDCWD`.
#[allow(unsafe_code)]
pub fn open_tree(
    dirfd: Option<BorrowedFd<'_>>,
    path: &CStr,
    flags: OpenTree,
) -> nix::Result<OwnedFd> {
    // SAFETY: open_tree reads the NUL-terminated `path` (valid for the call) and takes plain
    // integers; it creates no memory aliasing.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            raw(dirfd),
            path.as_ptr(),
            libc::c_uint::from(flags.bits()),
        )
    };
    let fd = Errno::result(ret)?;
    let fd = libc::c_int::try_from(fd).map_err(|_| Errno::EBADF)?;
    // SAFETY: on success the kernel returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `move_mount(from_dirfd, from_path, to_dirfd, to_path, flags)`: attach (or move) the mount
/// `from` onto `to`. `None` for a dirfd is `AT_FDCWD`.
#[allow(unsafe_code)]
pub fn move_mount(
    from_dirfd: Option<BorrowedFd<'_>>,
    from_path: &CStr,
    to_dirfd: Option<BorrowedFd<'_>>,
    to_path: &CStr,
    flags: MoveMount,
) -> nix::Result<()> {
    // SAFETY: both paths are NUL-terminated and live for the call; the rest are integers.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            raw(from_dirfd),
            from_path.as_ptr(),
            raw(to_dirfd),
            to_path.as_ptr(),
            libc::c_uint::from(flags.bits()),
        )
    };
    Errno::result(ret).map(drop)
}

/// `mount_setattr(dirfd, path, flags, attr, sizeof attr)`: change per-mount attributes and
/// propagation, of one mount or (`AT_RECURSIVE`) a whole subtree. `None` is `AT_FDCWD`.
#[allow(unsafe_code)]
pub fn mount_setattr(
    dirfd: Option<BorrowedFd<'_>>,
    path: &CStr,
    flags: SetattrAt,
    attr: &Attr,
) -> nix::Result<()> {
    // SAFETY: `path` is NUL-terminated, `attr` points to a live `#[repr(C)]` struct whose
    // size is passed with it; the kernel only reads both.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            raw(dirfd),
            path.as_ptr(),
            libc::c_uint::from(flags.bits()),
            std::ptr::from_ref(attr),
            std::mem::size_of::<Attr>(),
        )
    };
    Errno::result(ret).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi() {
        assert_eq!(std::mem::size_of::<Attr>(), 32);
        assert_eq!(OpenTree::OPEN_TREE_CLOEXEC.bits(), libc::O_CLOEXEC as u32);
        assert_eq!(OpenTree::AT_RECURSIVE.bits(), libc::AT_RECURSIVE as u32);
        assert_eq!(OpenTree::AT_EMPTY_PATH.bits(), libc::AT_EMPTY_PATH as u32);
    }

    #[test]
    fn missing_path_is_an_error_not_a_crash() {
        // A path that does not exist: nothing can change. (An all-zero attr would return 0
        // before the lookup: "nothing to do" in the kernel.)
        let attr = Attr {
            attr_set: MountAttr::MOUNT_ATTR_RDONLY.bits(),
            ..Attr::default()
        };
        let r = mount_setattr(None, c"/nonexistent/rootbox", SetattrAt::empty(), &attr);
        assert_eq!(r, Err(Errno::ENOENT));
        let r = open_tree(None, c"/nonexistent/rootbox", OpenTree::OPEN_TREE_CLOEXEC);
        assert_eq!(r.err(), Some(Errno::ENOENT));
    }
}
