//! The Linux namespace kinds as one table: option letters and names (util-linux `unshare`
//! and `nsenter` spell them alike), `CLONE_NEW*` flag, `/proc/PID/ns/` file and the
//! `/proc/sys/user/max_*_namespaces` limit.
//!
//! The table is in the order util-linux persists namespaces (`namespace_files[]` in
//! `sys-utils/unshare.c`): the user namespace first, so that a bind mount of a later kind
//! is made while the user namespace that owns it is already pinned.

use std::path::PathBuf;

use nix::libc::c_int;

/// `CLONE_NEWTIME` (Linux 5.6); the libc crate does not define it.
pub const CLONE_NEWTIME: c_int = 0x0000_0080;

/// One namespace kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The file name under `/proc/PID/ns/`, and lsns's TYPE: `mnt`, `pid`, ...
    pub name: &'static str,
    /// The long option of unshare and nsenter: `mount`, `pid`, ...
    pub long: &'static str,
    /// The short option: `m`, `p`, ...
    pub short: char,
    /// The `CLONE_NEW*` bit for unshare(2), clone(2) and setns(2).
    pub flag: c_int,
    /// The C name of [`Kind::flag`], for traces.
    pub flag_name: &'static str,
    /// The `/proc/PID/ns/` file naming the namespace that PID's *new children* get after
    /// PID called unshare(2): `pid_for_children` and `time_for_children` (the caller itself
    /// stays in its old pid and time namespaces, `pid_namespaces(7)`, `time_namespaces(7)`);
    /// the same as [`Kind::name`] for the other kinds.
    pub for_children: &'static str,
}

/// Every kind, in util-linux's persist order.
pub const KINDS: [Kind; 8] = [
    kind(
        "user",
        "user",
        'U',
        nix::libc::CLONE_NEWUSER,
        "CLONE_NEWUSER",
        "user",
    ),
    kind(
        "cgroup",
        "cgroup",
        'C',
        nix::libc::CLONE_NEWCGROUP,
        "CLONE_NEWCGROUP",
        "cgroup",
    ),
    kind(
        "ipc",
        "ipc",
        'i',
        nix::libc::CLONE_NEWIPC,
        "CLONE_NEWIPC",
        "ipc",
    ),
    kind(
        "uts",
        "uts",
        'u',
        nix::libc::CLONE_NEWUTS,
        "CLONE_NEWUTS",
        "uts",
    ),
    kind(
        "net",
        "net",
        'n',
        nix::libc::CLONE_NEWNET,
        "CLONE_NEWNET",
        "net",
    ),
    kind(
        "pid",
        "pid",
        'p',
        nix::libc::CLONE_NEWPID,
        "CLONE_NEWPID",
        "pid_for_children",
    ),
    kind(
        "mnt",
        "mount",
        'm',
        nix::libc::CLONE_NEWNS,
        "CLONE_NEWNS",
        "mnt",
    ),
    kind(
        "time",
        "time",
        'T',
        CLONE_NEWTIME,
        "CLONE_NEWTIME",
        "time_for_children",
    ),
];

const fn kind(
    name: &'static str,
    long: &'static str,
    short: char,
    flag: c_int,
    flag_name: &'static str,
    for_children: &'static str,
) -> Kind {
    Kind {
        name,
        long,
        short,
        flag,
        flag_name,
        for_children,
    }
}

impl Kind {
    /// The kind whose short option is `c`.
    pub fn by_short(c: char) -> Option<&'static Kind> {
        KINDS.iter().find(|k| k.short == c)
    }

    /// The kind whose `/proc/PID/ns/` name is `name`.
    pub fn by_name(name: &str) -> Option<&'static Kind> {
        KINDS.iter().find(|k| k.name == name)
    }

    /// `/proc/PID/ns/FILE` (`/proc/self/ns/FILE` for `None`), where FILE is [`Kind::name`]
    /// or, with `for_children`, [`Kind::for_children`].
    pub fn proc_path(&self, pid: Option<u32>, for_children: bool) -> PathBuf {
        let file = if for_children {
            self.for_children
        } else {
            self.name
        };
        match pid {
            Some(pid) => PathBuf::from(format!("/proc/{pid}/ns/{file}")),
            None => PathBuf::from(format!("/proc/self/ns/{file}")),
        }
    }

    /// `/proc/sys/user/max_NAME_namespaces`, the per-user-namespace limit of this kind
    /// (0 disables it; unshare(2) then fails with ENOSPC).
    pub fn limit_path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/sys/user/max_{}_namespaces", self.name))
    }
}

/// The kinds whose bits are set in `flags`, in table order.
pub fn kinds_in(flags: c_int) -> impl Iterator<Item = &'static Kind> {
    KINDS.iter().filter(move |k| flags & k.flag != 0)
}

/// Namespace flags by their C names in bit order, joined with `|` (`0` for none), as
/// strace shows them: `CLONE_NEWNS|CLONE_NEWUSER`. Bits that are not namespace flags are
/// shown in hex.
pub fn flag_names(flags: c_int) -> String {
    let mut known: Vec<&Kind> = kinds_in(flags).collect();
    known.sort_by_key(|k| k.flag);
    let mut names: Vec<String> = known.iter().map(|k| k.flag_name.to_string()).collect();
    let rest = KINDS.iter().fold(flags, |acc, k| acc & !k.flag);
    if rest != 0 {
        names.push(format!("{rest:#x}"));
    }
    crate::trace::join_flags(&names)
}

/// `--keep-caps` of unshare and nsenter: after entering a user namespace, make every
/// capability permitted to us ambient, so it survives the exec of a non-root program
/// (util-linux `cap_permitted_to_ambient()`; capabilities(7) "Ambient capability set": a
/// capability must be permitted and inheritable to become ambient). Traced.
#[allow(unsafe_code)]
pub fn keep_caps(prog: &str) -> crate::Result<()> {
    use anyhow::Context;
    use nix::errno::Errno;
    use nix::libc;

    use crate::trace;

    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: capget(2) with a version-3 header and room for its two data structs.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_capget,
            std::ptr::addr_of_mut!(header),
            data.as_mut_ptr(),
        )
    };
    trace::call(prog, Errno::result(rc).map(|_| ()), || {
        "capget(3, 0)".into()
    })
    .context("capget failed")?;
    for d in &mut data {
        d.inheritable = d.permitted;
    }
    // SAFETY: capset(2) with the same header and the two structs just read.
    let rc = unsafe { libc::syscall(libc::SYS_capset, std::ptr::addr_of!(header), data.as_ptr()) };
    trace::call(prog, Errno::result(rc).map(|_| ()), || {
        "capset(3, 0, inheritable=permitted)".into()
    })
    .context("capset failed")?;
    // Without the file, try every bit: only bits the kernel knows can be permitted.
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(63);
    for cap in 0..=last.min(63) {
        if data[usize::from(cap >= 32)].permitted & (1 << (cap % 32)) == 0 {
            continue;
        }
        // SAFETY: prctl(2) with integer arguments only.
        let rc = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                libc::c_ulong::from(cap),
                0 as libc::c_ulong,
                0 as libc::c_ulong,
            )
        };
        trace::call(prog, Errno::result(rc).map(|_| ()), || {
            format!("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, {cap})")
        })
        .context("prctl(PR_CAP_AMBIENT) failed")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row() {
        let rows: Vec<(&str, &str, char, c_int, &str, &str)> = KINDS
            .iter()
            .map(|k| (k.name, k.long, k.short, k.flag, k.flag_name, k.for_children))
            .collect();
        assert_eq!(
            rows,
            [
                ("user", "user", 'U', 0x1000_0000, "CLONE_NEWUSER", "user"),
                (
                    "cgroup",
                    "cgroup",
                    'C',
                    0x0200_0000,
                    "CLONE_NEWCGROUP",
                    "cgroup"
                ),
                ("ipc", "ipc", 'i', 0x0800_0000, "CLONE_NEWIPC", "ipc"),
                ("uts", "uts", 'u', 0x0400_0000, "CLONE_NEWUTS", "uts"),
                ("net", "net", 'n', 0x4000_0000, "CLONE_NEWNET", "net"),
                (
                    "pid",
                    "pid",
                    'p',
                    0x2000_0000,
                    "CLONE_NEWPID",
                    "pid_for_children"
                ),
                ("mnt", "mount", 'm', 0x0002_0000, "CLONE_NEWNS", "mnt"),
                (
                    "time",
                    "time",
                    'T',
                    0x80,
                    "CLONE_NEWTIME",
                    "time_for_children"
                ),
            ]
        );
        for k in &KINDS {
            assert_eq!(Kind::by_short(k.short), Some(k));
            assert_eq!(Kind::by_name(k.name), Some(k));
            assert!(
                std::path::Path::new("/proc/self/ns").join(k.name).exists(),
                "{}",
                k.name
            );
        }
    }

    #[test]
    fn paths() {
        let pid = Kind::by_name("pid").unwrap();
        assert_eq!(
            pid.proc_path(Some(42), true),
            PathBuf::from("/proc/42/ns/pid_for_children")
        );
        assert_eq!(
            pid.proc_path(None, false),
            PathBuf::from("/proc/self/ns/pid")
        );
        assert_eq!(
            pid.limit_path(),
            PathBuf::from("/proc/sys/user/max_pid_namespaces")
        );
    }

    #[test]
    fn names_in_bit_order() {
        assert_eq!(
            flag_names(nix::libc::CLONE_NEWUSER | nix::libc::CLONE_NEWNS),
            "CLONE_NEWNS|CLONE_NEWUSER"
        );
        assert_eq!(
            flag_names(CLONE_NEWTIME | nix::libc::CLONE_NEWPID | 0x100),
            "CLONE_NEWTIME|CLONE_NEWPID|0x100"
        );
        assert_eq!(flag_names(0), "0");
    }
}
