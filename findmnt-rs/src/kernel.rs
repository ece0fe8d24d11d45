//! `-T PATH` and `-M PATH` on the live table, answered by the kernel: which mount PATH is on
//! (`statx(2)`'s mount ID), and what that mount is (`statmount(2)`, kernel 6.8+), in a few
//! syscalls instead of reading and searching the whole of mountinfo (100k mounts: 130 ms of
//! kernel time before any search).
//!
//! The answer is the mount the kernel itself resolves PATH to, so `-T` gives exactly one
//! filesystem, never an over-mounted one (util-linux#4424, fixed upstream in 2026: 2.38
//! string-matches the path and prints every mount stacked there), and `-M` gives the mounts
//! stacked at PATH when PATH is a mount point and nothing when it is not. 2.38 would also list
//! mounts whose recorded mount point string equals PATH though a later mount on a parent
//! directory hides them (nothing at PATH leads to them any more).
//!
//! The entry is built as a mountinfo line (`show_mountinfo` in fs/proc_namespace.c) and read
//! by the same parser as the table, so every column is what reading mountinfo would give.
//! Whatever statmount cannot say exactly (an old kernel, a mount point outside our root,
//! mounts stacked below, options that need the whole table) leaves [`Lookup::entry`] empty
//! and the table is read instead; the mount ID still decides what matches.

use common::newmount::{Statmount, Want};
use common::table::{self, Entry};

use crate::sys;

/// What the kernel said about a `-T`/`-M` path.
#[derive(Debug)]
pub struct Lookup {
    /// The mountinfo ID of the mount the path is on (the top of any stack); 0 when `-M`
    /// learned that the path is no mount point and asked nothing more.
    pub id: u64,
    /// The path is that mount's root: its mount point.
    pub mount_root: bool,
    /// Another mount is stacked below this one at the same mount point.
    pub stacked: bool,
    /// The mount as a table entry, when statmount described all of it.
    pub entry: Option<Entry>,
}

/// Everything a mountinfo line needs.
const WANT: Want = Want::SB_BASIC
    .union(Want::MNT_BASIC)
    .union(Want::PROPAGATE_FROM)
    .union(Want::MNT_ROOT)
    .union(Want::MNT_POINT)
    .union(Want::FS_TYPE)
    .union(Want::MNT_OPTS)
    .union(Want::FS_SUBTYPE)
    .union(Want::SB_SOURCE)
    .union(Want::SUPPORTED_MASK);

/// Ask the kernel about `path` (for `-M` when `mount_point`); `None` when it cannot say (no
/// such path, a kernel before 6.8): the caller then matches by mount point string, as
/// util-linux does.
pub fn lookup(path: &[u8], mount_point: bool) -> Option<Lookup> {
    let fd = sys::open_path(path)?;
    let unique = sys::mount_of(&fd)?;
    if mount_point && !unique.mount_root {
        sys::close(fd);
        return Some(Lookup {
            id: 0,
            mount_root: false,
            stacked: false,
            entry: None,
        });
    }
    let sm = sys::statmount(unique.unique_id, WANT)?;
    // The superblock flag `mand` is the one thing statmount leaves out; statfs has it.
    let mand =
        sys::fstatvfs(&fd).map(|v| v.flags().contains(nix::sys::statvfs::FsFlags::ST_MANDLOCK));
    let stacked = unique.mount_root
        && sm.parent != sm.id
        && sys::statmount(sm.parent, Want::MNT_POINT).is_none_or(|p| p.point == sm.point);
    sys::close(fd);
    let entry = mand
        .and_then(|mand| mountinfo_line(&sm, mand))
        .and_then(|line| table::parse_mountinfo(&line));
    Some(Lookup {
        id: u64::from(sm.id_old),
        mount_root: unique.mount_root,
        stacked,
        entry,
    })
}

/// The line `/proc/self/mountinfo` has for this mount, or `None` when statmount did not
/// return every part of it.
fn mountinfo_line(sm: &Statmount, mand: bool) -> Option<Vec<u8>> {
    let complete = Want::SB_SOURCE | Want::MNT_OPTS | Want::FS_SUBTYPE;
    if !Want::from_bits_retain(sm.supported).contains(complete) {
        return None;
    }
    let point = sm.point.as_deref().filter(|p| !p.is_empty())?;
    let root = sm.root.as_deref()?;
    let fs_type = sm.fs_type.as_deref()?;
    let mut line =
        format!("{} {} {}:{} ", sm.id_old, sm.parent_old, sm.dev.0, sm.dev.1).into_bytes();
    mangle(root, &mut line);
    line.push(b' ');
    mangle(point, &mut line);
    line.push(b' ');
    vfs_options(sm.attr, &mut line);
    optional_fields(sm, &mut line);
    line.extend_from_slice(b" - ");
    mangle(fs_type, &mut line);
    if let Some(sub) = &sm.subtype {
        line.push(b'.');
        mangle(sub, &mut line);
    }
    line.push(b' ');
    // No source string at all is an empty one (a NULL source is "none" in the kernel).
    mangle(sm.source.as_deref().unwrap_or_default(), &mut line);
    line.push(b' ');
    superblock_options(sm, mand, &mut line);
    Some(line)
}

/// The kernel's `mangle()`: space, tab, newline and backslash as `\ooo`.
fn mangle(text: &[u8], out: &mut Vec<u8>) {
    for &b in text {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\\') {
            out.extend_from_slice(format!("\\{b:03o}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

/// `MOUNT_ATTR_*` bits and the per-mount options mountinfo shows for them, in its order
/// (`show_mnt_opts`). The atime mode is a 3-bit field, handled apart.
const ATTR_OPTIONS: &[(u64, &str)] = &[(0x2, ",nosuid"), (0x4, ",nodev"), (0x8, ",noexec")];
const ATTR_NODIRATIME: u64 = 0x80;
const ATTR_NOSYMFOLLOW: u64 = 0x20_0000;
const ATTR_IDMAP: u64 = 0x10_0000;
const ATTR_ATIME: u64 = 0x70;
const ATTR_NOATIME: u64 = 0x10;
const ATTR_RELATIME: u64 = 0;

fn vfs_options(attr: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(if attr & 1 != 0 { b"ro" } else { b"rw" });
    for &(bit, name) in ATTR_OPTIONS {
        if attr & bit != 0 {
            out.extend_from_slice(name.as_bytes());
        }
    }
    if attr & ATTR_ATIME == ATTR_NOATIME {
        out.extend_from_slice(b",noatime");
    }
    if attr & ATTR_NODIRATIME != 0 {
        out.extend_from_slice(b",nodiratime");
    }
    if attr & ATTR_ATIME == ATTR_RELATIME {
        out.extend_from_slice(b",relatime");
    }
    if attr & ATTR_NOSYMFOLLOW != 0 {
        out.extend_from_slice(b",nosymfollow");
    }
    if attr & ATTR_IDMAP != 0 {
        out.extend_from_slice(b",idmapped");
    }
}

const MS_UNBINDABLE: u64 = 1 << 17;
const MS_SLAVE: u64 = 1 << 19;
const MS_SHARED: u64 = 1 << 20;

/// `shared:N master:M propagate_from:P unbindable`, each with a leading space.
fn optional_fields(sm: &Statmount, out: &mut Vec<u8>) {
    if sm.propagation & MS_SHARED != 0 {
        out.extend_from_slice(format!(" shared:{}", sm.peer_group).as_bytes());
    }
    if sm.propagation & MS_SLAVE != 0 {
        out.extend_from_slice(format!(" master:{}", sm.master).as_bytes());
        if sm.propagate_from != 0 && sm.propagate_from != sm.master {
            out.extend_from_slice(format!(" propagate_from:{}", sm.propagate_from).as_bytes());
        }
    }
    if sm.propagation & MS_UNBINDABLE != 0 {
        out.extend_from_slice(b" unbindable");
    }
}

/// `SB_*` flags and their names, in mountinfo's order (`show_sb_opts`); `mand` comes from
/// statfs, between dirsync and lazytime.
const SB_SYNCHRONOUS: u32 = 0x10;
const SB_DIRSYNC: u32 = 0x80;
const SB_LAZYTIME: u32 = 1 << 25;

fn superblock_options(sm: &Statmount, mand: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if sm.sb_flags & 1 != 0 { b"ro" } else { b"rw" });
    if sm.sb_flags & SB_SYNCHRONOUS != 0 {
        out.extend_from_slice(b",sync");
    }
    if sm.sb_flags & SB_DIRSYNC != 0 {
        out.extend_from_slice(b",dirsync");
    }
    if mand {
        out.extend_from_slice(b",mand");
    }
    if sm.sb_flags & SB_LAZYTIME != 0 {
        out.extend_from_slice(b",lazytime");
    }
    // Security options then the filesystem's own, already escaped as mountinfo has them.
    if let Some(opts) = sm.opts.as_deref().filter(|o| !o.is_empty()) {
        out.push(b',');
        out.extend_from_slice(opts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Statmount {
        Statmount {
            mask: WANT.bits(),
            supported: WANT.bits(),
            dev: (0, 42),
            sb_flags: 1 | SB_SYNCHRONOUS | SB_LAZYTIME,
            id: 1 << 31 | 7,
            parent: 1 << 31 | 3,
            id_old: 70,
            parent_old: 30,
            attr: 0x2 | 0x8 | ATTR_NOATIME | ATTR_NOSYMFOLLOW,
            propagation: MS_SHARED | MS_SLAVE,
            peer_group: 5,
            master: 2,
            propagate_from: 9,
            root: Some(b"/sub dir".to_vec()),
            point: Some(b"/mnt/a\tb\\c\nd".to_vec()),
            fs_type: Some(b"fuse".to_vec()),
            opts: Some(b"size=1k,mode=755".to_vec()),
            subtype: Some(b"sshfs".to_vec()),
            source: Some(b"user@host:/x y".to_vec()),
        }
    }

    #[test]
    fn the_line_mountinfo_has() {
        let line =
            mountinfo_line(&sample(), true).map(|l| String::from_utf8_lossy(&l).into_owned());
        assert_eq!(
            line.as_deref(),
            Some(
                "70 30 0:42 /sub\\040dir /mnt/a\\011b\\134c\\012d rw,nosuid,noexec,noatime,nosymfollow \
                 shared:5 master:2 propagate_from:9 - fuse.sshfs user@host:/x\\040y \
                 ro,sync,mand,lazytime,size=1k,mode=755"
            )
        );
        let entry = mountinfo_line(&sample(), false).and_then(|l| table::parse_mountinfo(&l));
        let entry = entry.unwrap_or_default();
        assert_eq!(entry.target, b"/mnt/a\tb\\c\nd");
        assert_eq!(entry.root, b"/sub dir");
        assert_eq!(entry.source, b"user@host:/x y");
        assert_eq!(entry.fs_options, b"ro,sync,lazytime,size=1k,mode=755");
    }

    #[test]
    fn plain_mounts() {
        let sm = Statmount {
            sb_flags: 0,
            attr: 0,
            propagation: 1 << 18,
            subtype: None,
            source: None,
            opts: None,
            ..sample()
        };
        let line = mountinfo_line(&sm, false).map(|l| String::from_utf8_lossy(&l).into_owned());
        assert_eq!(
            line.as_deref(),
            Some("70 30 0:42 /sub\\040dir /mnt/a\\011b\\134c\\012d rw,relatime - fuse  rw")
        );
        let strict = Statmount {
            attr: 1 | 0x20 | ATTR_NODIRATIME | ATTR_IDMAP | 0x4,
            propagation: MS_SLAVE | MS_UNBINDABLE,
            propagate_from: 2,
            ..sm
        };
        let line = mountinfo_line(&strict, false).unwrap_or_default();
        assert!(
            String::from_utf8_lossy(&line)
                .contains(" ro,nodev,nodiratime,idmapped master:2 unbindable - "),
            "{}",
            String::from_utf8_lossy(&line)
        );
    }

    #[test]
    fn incomplete_answers_are_refused() {
        let old_kernel = Statmount {
            supported: 0,
            ..sample()
        };
        assert_eq!(mountinfo_line(&old_kernel, false), None);
        let outside_root = Statmount {
            point: Some(Vec::new()),
            ..sample()
        };
        assert_eq!(mountinfo_line(&outside_root, false), None);
        let no_point = Statmount {
            point: None,
            ..sample()
        };
        assert_eq!(mountinfo_line(&no_point, false), None);
    }
}
