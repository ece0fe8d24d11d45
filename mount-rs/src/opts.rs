//! The mount option keywords shared by mount and umount: the flat keyword → `MS_*` table
//! (libmount's `linux_flags_map` and `userspace_opts_map`, research/features.md §2.2), the
//! `-o` list splitter, and the `-t`/`-O` filters.
//!
//! Keywords are evaluated left to right and the last one wins (`ro,rw` is rw). Keywords
//! that only userspace reads (`defaults`, `noauto`, `user`, `x-*`, ...) are accepted and
//! never reach the kernel; anything not in the table goes to the filesystem as data.

use common::newmount::MountAttr;

bitflags::bitflags! {
    /// `mount(2)` flags by their C names (nix lacks `MS_NOSYMFOLLOW`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Ms: u64 {
        /// Read-only.
        const MS_RDONLY = 1;
        /// Ignore set-user-ID and set-group-ID bits and file capabilities.
        const MS_NOSUID = 1 << 1;
        /// No device files.
        const MS_NODEV = 1 << 2;
        /// No program execution.
        const MS_NOEXEC = 1 << 3;
        /// Synchronous writes (superblock).
        const MS_SYNCHRONOUS = 1 << 4;
        /// Change an existing mount.
        const MS_REMOUNT = 1 << 5;
        /// Mandatory locks (gone since Linux 5.15).
        const MS_MANDLOCK = 1 << 6;
        /// Synchronous directory changes (superblock).
        const MS_DIRSYNC = 1 << 7;
        /// Do not follow symbolic links (Linux 5.10).
        const MS_NOSYMFOLLOW = 1 << 8;
        /// Do not update access times.
        const MS_NOATIME = 1 << 10;
        /// Do not update directory access times.
        const MS_NODIRATIME = 1 << 11;
        /// Bind mount.
        const MS_BIND = 1 << 12;
        /// Move a mount.
        const MS_MOVE = 1 << 13;
        /// Recursive (rbind, r* propagation).
        const MS_REC = 1 << 14;
        /// Suppress some kernel messages.
        const MS_SILENT = 1 << 15;
        /// Unbindable propagation.
        const MS_UNBINDABLE = 1 << 17;
        /// Private propagation.
        const MS_PRIVATE = 1 << 18;
        /// Slave propagation.
        const MS_SLAVE = 1 << 19;
        /// Shared propagation.
        const MS_SHARED = 1 << 20;
        /// Relative access times.
        const MS_RELATIME = 1 << 21;
        /// Update inode i_version (superblock).
        const MS_I_VERSION = 1 << 23;
        /// Always update access times.
        const MS_STRICTATIME = 1 << 24;
        /// Lazy time updates (superblock).
        const MS_LAZYTIME = 1 << 25;
    }
}

/// What a keyword does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Set these flags.
    Set(Ms),
    /// Clear these flags.
    Clear(Ms),
    /// A propagation change, applied after the main operation (`MS_REC` for r*).
    Propagation(Ms),
    /// Read by mount itself (fstab, `-a`, users); never passed to the kernel.
    Userspace,
}

use Effect::{Clear, Propagation, Set, Userspace};

/// Every keyword util-linux 2.38 maps, with what it does. A keyword written `name=` takes a
/// value (`user=alice`); the others must appear bare.
pub const KEYWORDS: &[(&str, Effect)] = &[
    ("ro", Set(Ms::MS_RDONLY)),
    ("rw", Clear(Ms::MS_RDONLY)),
    ("exec", Clear(Ms::MS_NOEXEC)),
    ("noexec", Set(Ms::MS_NOEXEC)),
    ("suid", Clear(Ms::MS_NOSUID)),
    ("nosuid", Set(Ms::MS_NOSUID)),
    ("dev", Clear(Ms::MS_NODEV)),
    ("nodev", Set(Ms::MS_NODEV)),
    ("sync", Set(Ms::MS_SYNCHRONOUS)),
    ("async", Clear(Ms::MS_SYNCHRONOUS)),
    ("dirsync", Set(Ms::MS_DIRSYNC)),
    ("remount", Set(Ms::MS_REMOUNT)),
    ("bind", Set(Ms::MS_BIND)),
    ("rbind", Set(Ms::MS_BIND.union(Ms::MS_REC))),
    ("move", Set(Ms::MS_MOVE)),
    ("silent", Set(Ms::MS_SILENT)),
    ("loud", Clear(Ms::MS_SILENT)),
    ("mand", Set(Ms::MS_MANDLOCK)),
    ("nomand", Clear(Ms::MS_MANDLOCK)),
    ("atime", Clear(Ms::MS_NOATIME)),
    ("noatime", Set(Ms::MS_NOATIME)),
    ("iversion", Set(Ms::MS_I_VERSION)),
    ("noiversion", Clear(Ms::MS_I_VERSION)),
    ("diratime", Clear(Ms::MS_NODIRATIME)),
    ("nodiratime", Set(Ms::MS_NODIRATIME)),
    ("relatime", Set(Ms::MS_RELATIME)),
    ("norelatime", Clear(Ms::MS_RELATIME)),
    ("strictatime", Set(Ms::MS_STRICTATIME)),
    ("nostrictatime", Clear(Ms::MS_STRICTATIME)),
    ("lazytime", Set(Ms::MS_LAZYTIME)),
    ("nolazytime", Clear(Ms::MS_LAZYTIME)),
    ("symfollow", Clear(Ms::MS_NOSYMFOLLOW)),
    ("nosymfollow", Set(Ms::MS_NOSYMFOLLOW)),
    ("private", Propagation(Ms::MS_PRIVATE)),
    ("rprivate", Propagation(Ms::MS_PRIVATE.union(Ms::MS_REC))),
    ("slave", Propagation(Ms::MS_SLAVE)),
    ("rslave", Propagation(Ms::MS_SLAVE.union(Ms::MS_REC))),
    ("shared", Propagation(Ms::MS_SHARED)),
    ("rshared", Propagation(Ms::MS_SHARED.union(Ms::MS_REC))),
    ("unbindable", Propagation(Ms::MS_UNBINDABLE)),
    (
        "runbindable",
        Propagation(Ms::MS_UNBINDABLE.union(Ms::MS_REC)),
    ),
    // libmount's userspace_opts_map.
    ("defaults", Userspace),
    ("auto", Userspace),
    ("noauto", Userspace),
    ("user", Userspace),
    ("user=", Userspace),
    ("nouser", Userspace),
    ("users", Userspace),
    ("nousers", Userspace),
    ("owner", Userspace),
    ("noowner", Userspace),
    ("group", Userspace),
    ("nogroup", Userspace),
    ("_netdev", Userspace),
    ("nofail", Userspace),
    ("comment=", Userspace),
    ("loop", Userspace),
    ("loop=", Userspace),
    ("offset=", Userspace),
    ("sizelimit=", Userspace),
    ("encryption=", Userspace),
    ("uhelper=", Userspace),
    ("helper=", Userspace),
];

/// Prefixes of userspace-only options (`x-systemd.automount`, `X-foo`, `verity.hashdevice=`).
/// `X-mount.*` is handled before these: mount implements some and refuses the rest.
pub const USERSPACE_PREFIXES: &[&str] = &["x-", "X-", "verity."];

/// The per-mount attributes a bind remount or `mount_setattr(2)` can change, and their
/// `MOUNT_ATTR_*` counterparts (the atime modes are handled as one field).
pub const VFS_ATTRS: &[(Ms, MountAttr)] = &[
    (Ms::MS_RDONLY, MountAttr::MOUNT_ATTR_RDONLY),
    (Ms::MS_NOSUID, MountAttr::MOUNT_ATTR_NOSUID),
    (Ms::MS_NODEV, MountAttr::MOUNT_ATTR_NODEV),
    (Ms::MS_NOEXEC, MountAttr::MOUNT_ATTR_NOEXEC),
    (Ms::MS_NODIRATIME, MountAttr::MOUNT_ATTR_NODIRATIME),
    (Ms::MS_NOSYMFOLLOW, MountAttr::MOUNT_ATTR_NOSYMFOLLOW),
];

/// The atime-mode flags (one field in `mount_setattr(2)`).
pub const ATIME: Ms = Ms::MS_NOATIME
    .union(Ms::MS_RELATIME)
    .union(Ms::MS_STRICTATIME);

/// Every flag a `MS_REMOUNT|MS_BIND` call can change.
pub fn vfs_flags() -> Ms {
    VFS_ATTRS.iter().fold(ATIME, |all, (ms, _)| all | *ms)
}

/// Split an option string on commas outside double quotes (`context="a,b",ro`).
pub fn split(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut quoted = false;
    list.split(move |&b| {
        if b == b'"' {
            quoted = !quoted;
        }
        b == b',' && !quoted
    })
    .filter(|item| !item.is_empty())
}

/// Look a keyword up: `Some(effect)` for a known one, `None` for filesystem data.
pub fn lookup(item: &[u8]) -> Option<Effect> {
    let (name, has_value) = match item.iter().position(|&b| b == b'=') {
        Some(i) => (&item[..=i], true),
        None => (item, false),
    };
    if let Some((_, effect)) = KEYWORDS.iter().find(|(k, _)| k.as_bytes() == name) {
        return Some(*effect);
    }
    if !has_value
        && KEYWORDS
            .iter()
            .any(|(k, _)| k.as_bytes() == [name, b"="].concat())
    {
        // `comment` without a value: still a userspace option.
        return Some(Userspace);
    }
    USERSPACE_PREFIXES
        .iter()
        .any(|p| item.starts_with(p.as_bytes()))
        .then_some(Userspace)
}

/// Whether the option list has `name`, bare or as `name=value`.
pub fn has_option(options: &[u8], name: &[u8]) -> bool {
    split(options).any(|o| o == name || o.strip_prefix(name).is_some_and(|r| r.starts_with(b"=")))
}

/// `-t LIST`: does `fstype` match? A leading `no` negates the whole list
/// (`-t nonfs,smbfs` is "neither nfs nor smbfs"), as libmount's `mnt_match_fstype`.
pub fn match_types(fstype: &[u8], pattern: &[u8]) -> bool {
    let (negate, list) = match pattern.strip_prefix(b"no") {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let hit = split(list).any(|t| t.strip_prefix(b"no").unwrap_or(t) == fstype);
    hit != negate
}

/// `-O LIST`: every item must be present in `options`, and every `noITEM` absent, as
/// libmount's `mnt_match_options`.
pub fn match_options(options: &[u8], pattern: &[u8]) -> bool {
    split(pattern).all(|p| match p.strip_prefix(b"no") {
        Some(name) if !has_option(options, p) => !has_option(options, name),
        _ => has_option(options, p),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test per row: the flag each keyword sets or clears, and that its partner undoes it.
    #[test]
    fn every_keyword_row() {
        let expect: &[(&str, Option<Effect>)] = &[
            ("ro", Some(Set(Ms::MS_RDONLY))),
            ("rw", Some(Clear(Ms::MS_RDONLY))),
            ("exec", Some(Clear(Ms::MS_NOEXEC))),
            ("noexec", Some(Set(Ms::MS_NOEXEC))),
            ("suid", Some(Clear(Ms::MS_NOSUID))),
            ("nosuid", Some(Set(Ms::MS_NOSUID))),
            ("dev", Some(Clear(Ms::MS_NODEV))),
            ("nodev", Some(Set(Ms::MS_NODEV))),
            ("sync", Some(Set(Ms::MS_SYNCHRONOUS))),
            ("async", Some(Clear(Ms::MS_SYNCHRONOUS))),
            ("dirsync", Some(Set(Ms::MS_DIRSYNC))),
            ("remount", Some(Set(Ms::MS_REMOUNT))),
            ("bind", Some(Set(Ms::MS_BIND))),
            ("rbind", Some(Set(Ms::MS_BIND | Ms::MS_REC))),
            ("move", Some(Set(Ms::MS_MOVE))),
            ("silent", Some(Set(Ms::MS_SILENT))),
            ("loud", Some(Clear(Ms::MS_SILENT))),
            ("mand", Some(Set(Ms::MS_MANDLOCK))),
            ("nomand", Some(Clear(Ms::MS_MANDLOCK))),
            ("atime", Some(Clear(Ms::MS_NOATIME))),
            ("noatime", Some(Set(Ms::MS_NOATIME))),
            ("iversion", Some(Set(Ms::MS_I_VERSION))),
            ("noiversion", Some(Clear(Ms::MS_I_VERSION))),
            ("diratime", Some(Clear(Ms::MS_NODIRATIME))),
            ("nodiratime", Some(Set(Ms::MS_NODIRATIME))),
            ("relatime", Some(Set(Ms::MS_RELATIME))),
            ("norelatime", Some(Clear(Ms::MS_RELATIME))),
            ("strictatime", Some(Set(Ms::MS_STRICTATIME))),
            ("nostrictatime", Some(Clear(Ms::MS_STRICTATIME))),
            ("lazytime", Some(Set(Ms::MS_LAZYTIME))),
            ("nolazytime", Some(Clear(Ms::MS_LAZYTIME))),
            ("symfollow", Some(Clear(Ms::MS_NOSYMFOLLOW))),
            ("nosymfollow", Some(Set(Ms::MS_NOSYMFOLLOW))),
            ("private", Some(Propagation(Ms::MS_PRIVATE))),
            ("rprivate", Some(Propagation(Ms::MS_PRIVATE | Ms::MS_REC))),
            ("slave", Some(Propagation(Ms::MS_SLAVE))),
            ("rslave", Some(Propagation(Ms::MS_SLAVE | Ms::MS_REC))),
            ("shared", Some(Propagation(Ms::MS_SHARED))),
            ("rshared", Some(Propagation(Ms::MS_SHARED | Ms::MS_REC))),
            ("unbindable", Some(Propagation(Ms::MS_UNBINDABLE))),
            (
                "runbindable",
                Some(Propagation(Ms::MS_UNBINDABLE | Ms::MS_REC)),
            ),
            ("defaults", Some(Userspace)),
            ("auto", Some(Userspace)),
            ("noauto", Some(Userspace)),
            ("user", Some(Userspace)),
            ("user=alice", Some(Userspace)),
            ("nouser", Some(Userspace)),
            ("users", Some(Userspace)),
            ("nousers", Some(Userspace)),
            ("owner", Some(Userspace)),
            ("noowner", Some(Userspace)),
            ("group", Some(Userspace)),
            ("nogroup", Some(Userspace)),
            ("_netdev", Some(Userspace)),
            ("nofail", Some(Userspace)),
            ("comment=systemd.x", Some(Userspace)),
            ("loop", Some(Userspace)),
            ("loop=/dev/loop0", Some(Userspace)),
            ("offset=512", Some(Userspace)),
            ("sizelimit=1", Some(Userspace)),
            ("encryption=x", Some(Userspace)),
            ("uhelper=udisks", Some(Userspace)),
            ("helper=x", Some(Userspace)),
            ("x-systemd.automount", Some(Userspace)),
            ("X-foo", Some(Userspace)),
            ("verity.hashdevice=/x", Some(Userspace)),
            ("size=1m", None),
            ("mode=755", None),
            ("uid=0", None),
            ("ro=x", None),
        ];
        for (item, effect) in expect {
            assert_eq!(lookup(item.as_bytes()), *effect, "{item}");
        }
        // Every table row is covered above.
        for (k, _) in KEYWORDS {
            let probe = k.trim_end_matches('=');
            assert!(
                expect.iter().any(|(i, _)| i.starts_with(probe)),
                "row {k} untested"
            );
        }
    }

    #[test]
    fn flag_values_are_the_kernel_abi() {
        use nix::mount::MsFlags;
        for (ms, nix) in [
            (Ms::MS_RDONLY, MsFlags::MS_RDONLY),
            (Ms::MS_REC, MsFlags::MS_REC),
            (Ms::MS_PRIVATE, MsFlags::MS_PRIVATE),
            (Ms::MS_LAZYTIME, MsFlags::MS_LAZYTIME),
            (Ms::MS_STRICTATIME, MsFlags::MS_STRICTATIME),
            (Ms::MS_I_VERSION, MsFlags::MS_I_VERSION),
            (Ms::MS_MOVE, MsFlags::MS_MOVE),
        ] {
            assert_eq!(ms.bits(), nix.bits());
        }
        assert_eq!(Ms::MS_NOSYMFOLLOW.bits(), 256);
    }

    #[test]
    fn quoted_commas_stay_in_one_item() {
        let items: Vec<&[u8]> = split(br#"context="a,b",ro,,x"#).collect();
        assert_eq!(items, vec![&br#"context="a,b""#[..], b"ro", b"x"]);
    }

    #[test]
    fn type_and_option_filters() {
        assert!(match_types(b"tmpfs", b"tmpfs"));
        assert!(match_types(b"tmpfs", b"ext4,tmpfs"));
        assert!(!match_types(b"tmpfs", b"notmpfs"));
        assert!(!match_types(b"nfs", b"nonfs,smbfs"));
        assert!(!match_types(b"smbfs", b"nonfs,smbfs"));
        assert!(match_types(b"ext4", b"nonfs,smbfs"));
        assert!(match_options(b"rw,noauto,size=1", b"noauto"));
        assert!(match_options(b"rw,size=1", b"size"));
        assert!(!match_options(b"rw,_netdev", b"no_netdev"));
        assert!(match_options(b"rw", b"no_netdev"));
        assert!(match_options(b"rw,foo", b"rw,nobar"));
    }
}
