//! Thin wrappers of the new mount API system calls nix lacks: `open_tree(2)`,
//! `move_mount(2)` and `mount_setattr(2)` (kernel 5.2 / 5.12; nix#1237, rustix#975), and the
//! calls that name mounts by ID: `statx(2)`'s unique mount ID and `statmount(2)` (6.8).
//!
//! Each wrapper is one `syscall(2)`: it takes Rust types, returns `nix::Result`, and does
//! nothing else (no tracing: the tool's `sys` module traces with the user's spelling).
//! Paths are passed as `&CStr`, so non-UTF-8 paths work. A kernel without the call answers
//! `ENOSYS`, which callers use to fall back (to `mount(2)`, or to reading the mount table).

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

/// What `statx(2)` says about the mount a path is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MountOf {
    /// The unique 64-bit mount ID (`STATX_MNT_ID_UNIQUE`, kernel 6.8), the key of
    /// [`statmount`].
    pub unique_id: u64,
    /// The path is the root of that mount (`STATX_ATTR_MOUNT_ROOT`): its mount point.
    pub mount_root: bool,
}

/// The part of the kernel's `struct statx` (256 bytes, linux/stat.h) that is read here; the
/// rest is padding the kernel fills.
#[repr(C)]
struct Statx {
    mask: u32,
    blksize: u32,
    attributes: u64,
    _ids_mode: [u32; 4],
    _ino_size_blocks: [u64; 3],
    attributes_mask: u64,
    _times_devs: [u32; 20],
    mnt_id: u64,
    _rest: [u64; 13],
}

const STATX_MNT_ID_UNIQUE: u32 = 0x4000;
const STATX_ATTR_MOUNT_ROOT: u64 = 0x2000;

/// `statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE)`: the mount an open file is on.
/// `ENOSYS` when the kernel has no unique mount IDs (before 6.8) or no mount-root
/// attribute (before 5.8): the caller then reads the mount table instead.
#[allow(unsafe_code)]
pub fn mount_of(fd: BorrowedFd<'_>) -> nix::Result<MountOf> {
    let mut buf = std::mem::MaybeUninit::<Statx>::zeroed();
    // SAFETY: the path is a NUL-terminated literal, `buf` is a writable, zeroed buffer of
    // the 256 bytes the kernel's struct statx has (checked by the `abi` test).
    let ret = unsafe {
        libc::syscall(
            libc::SYS_statx,
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            STATX_MNT_ID_UNIQUE,
            buf.as_mut_ptr(),
        )
    };
    Errno::result(ret)?;
    // SAFETY: zero-initialised and then filled by the kernel: every bit pattern is a valid
    // value of these integer fields.
    let st = unsafe { buf.assume_init() };
    if st.mask & STATX_MNT_ID_UNIQUE == 0 || st.attributes_mask & STATX_ATTR_MOUNT_ROOT == 0 {
        return Err(Errno::ENOSYS);
    }
    Ok(MountOf {
        unique_id: st.mnt_id,
        mount_root: st.attributes & STATX_ATTR_MOUNT_ROOT != 0,
    })
}

/// `statmount(2)` (kernel 6.8): the syscall number, the same on every architecture that
/// uses the generic table (x86_64, aarch64, riscv64, ...).
const SYS_STATMOUNT: libc::c_long = 457;

bitflags::bitflags! {
    /// What to ask `statmount(2)` for (`STATMOUNT_*`, linux/mount.h).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Want: u64 {
        /// `sb_dev_*`, `sb_flags`.
        const SB_BASIC = 0x1;
        /// `mnt_id*`, `mnt_parent_id*`, `mnt_attr`, `mnt_propagation`, `mnt_peer_group`,
        /// `mnt_master`.
        const MNT_BASIC = 0x2;
        /// `propagate_from`.
        const PROPAGATE_FROM = 0x4;
        /// The root of the mount within its filesystem.
        const MNT_ROOT = 0x8;
        /// The mount point, relative to the caller's root.
        const MNT_POINT = 0x10;
        /// The filesystem type.
        const FS_TYPE = 0x20;
        /// The superblock options, escaped as in mountinfo (6.10).
        const MNT_OPTS = 0x80;
        /// The filesystem subtype (6.11).
        const FS_SUBTYPE = 0x100;
        /// The mount source (6.11).
        const SB_SOURCE = 0x200;
        /// `supported_mask`: what this kernel can answer (6.15).
        const SUPPORTED_MASK = 0x1000;
    }
}

/// A mount as `statmount(2)` describes it. Strings are unescaped bytes; `None` when the
/// kernel returned nothing for one that was asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statmount {
    /// What the kernel filled in.
    pub mask: u64,
    /// What the kernel can fill in (0 when it cannot say).
    pub supported: u64,
    /// `sb_dev_major`, `sb_dev_minor`.
    pub dev: (u32, u32),
    /// `SB_RDONLY`, `SB_SYNCHRONOUS`, `SB_DIRSYNC`, `SB_LAZYTIME`.
    pub sb_flags: u32,
    /// Unique mount ID.
    pub id: u64,
    /// Unique ID of the parent mount.
    pub parent: u64,
    /// The mount ID mountinfo shows.
    pub id_old: u32,
    /// The parent's mountinfo ID.
    pub parent_old: u32,
    /// `MOUNT_ATTR_*`.
    pub attr: u64,
    /// `MS_SHARED`, `MS_SLAVE`, `MS_PRIVATE`, `MS_UNBINDABLE`.
    pub propagation: u64,
    /// Peer group of a shared mount.
    pub peer_group: u64,
    /// Peer group a slave mount receives from.
    pub master: u64,
    /// The dominating peer group in the caller's root.
    pub propagate_from: u64,
    /// The root of the mount within its filesystem (mountinfo's FSROOT).
    pub root: Option<Vec<u8>>,
    /// The mount point.
    pub point: Option<Vec<u8>>,
    /// The filesystem type.
    pub fs_type: Option<Vec<u8>>,
    /// The superblock options.
    pub opts: Option<Vec<u8>>,
    /// The filesystem subtype.
    pub subtype: Option<Vec<u8>>,
    /// The mount source.
    pub source: Option<Vec<u8>>,
}

/// `struct mnt_id_req`, `MNT_ID_REQ_SIZE_VER0` (24 bytes).
#[repr(C)]
struct MntIdReq {
    size: u32,
    spare: u32,
    mnt_id: u64,
    param: u64,
}

/// `statmount(2)` of the mount with this unique ID in the caller's mount namespace.
#[allow(unsafe_code)]
pub fn statmount(unique_id: u64, want: Want) -> nix::Result<Statmount> {
    let req = MntIdReq {
        size: std::mem::size_of::<MntIdReq>() as u32,
        spare: 0,
        mnt_id: unique_id,
        param: want.bits(),
    };
    // A header of 512 bytes, then the strings; EOVERFLOW means "give me more room".
    let mut size = 4096;
    let buf = loop {
        let mut buf = vec![0u64; size / 8];
        // SAFETY: `req` is a live #[repr(C)] request of the size it states; `buf` is a
        // writable buffer of `size` bytes, 8-byte aligned as struct statmount needs.
        let ret = unsafe {
            libc::syscall(
                SYS_STATMOUNT,
                std::ptr::from_ref(&req),
                buf.as_mut_ptr(),
                size,
                0,
            )
        };
        match Errno::result(ret) {
            Err(Errno::EOVERFLOW) if size < 1 << 24 => size *= 4,
            Err(e) => return Err(e),
            Ok(_) => break buf,
        }
    };
    let bytes: Vec<u8> = buf.iter().flat_map(|w| w.to_ne_bytes()).collect();
    Ok(decode(&bytes))
}

/// The fields of a `struct statmount` buffer (offsets from linux/mount.h).
fn decode(b: &[u8]) -> Statmount {
    let u32_at = |o: usize| {
        b.get(o..o + 4)
            .map_or(0, |s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
    };
    let u64_at = |o: usize| u64::from(u32_at(o)) | u64::from(u32_at(o + 4)) << 32;
    let mask = u64_at(8);
    const STR: usize = 512;
    let string = |flag: Want, offset_at: usize| -> Option<Vec<u8>> {
        if mask & flag.bits() == 0 {
            return None;
        }
        let text = b.get(STR + u32_at(offset_at) as usize..)?;
        let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
        Some(text[..end].to_vec())
    };
    Statmount {
        mask,
        supported: if mask & Want::SUPPORTED_MASK.bits() != 0 {
            u64_at(144)
        } else {
            0
        },
        dev: (u32_at(16), u32_at(20)),
        sb_flags: u32_at(32),
        id: u64_at(40),
        parent: u64_at(48),
        id_old: u32_at(56),
        parent_old: u32_at(60),
        attr: u64_at(64),
        propagation: u64_at(72),
        peer_group: u64_at(80),
        master: u64_at(88),
        propagate_from: u64_at(96),
        root: string(Want::MNT_ROOT, 104),
        point: string(Want::MNT_POINT, 108),
        fs_type: string(Want::FS_TYPE, 36),
        opts: string(Want::MNT_OPTS, 4),
        subtype: string(Want::FS_SUBTYPE, 120),
        source: string(Want::SB_SOURCE, 124),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi() {
        assert_eq!(std::mem::size_of::<Attr>(), 32);
        assert_eq!(std::mem::size_of::<Statx>(), 256);
        assert_eq!(std::mem::offset_of!(Statx, attributes_mask), 56);
        assert_eq!(std::mem::offset_of!(Statx, mnt_id), 144);
        assert_eq!(std::mem::size_of::<MntIdReq>(), 24);
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
