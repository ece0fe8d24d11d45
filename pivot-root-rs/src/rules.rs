//! Which kernel rule a failed pivot_root(2) broke, worked out from the mount table and a few
//! stat facts, as one hint line.
//!
//! The rules, in the order the kernel checks them (`pivot_root(2)`; `fs/namespace.c`):
//! EPERM without CAP_SYS_ADMIN over the mount namespace; ENOTDIR unless both paths are
//! directories; EINVAL if put_old's mount, new_root's parent mount or the current root's
//! parent mount is shared; EBUSY if new_root or put_old is on the current root's mount
//! (which covers new_root = `/` and a new_root that is a plain directory of the root
//! filesystem); EINVAL if the current root is not a mount's root (a chroot), if it has no
//! parent (the initramfs rootfs), if new_root is not a mount point, or if put_old is not at
//! or under new_root. In a user namespace, a mount inherited from a more privileged mount
//! namespace is locked and refused with EINVAL too; the lock does not show in the table, so
//! it is the explanation left when nothing else is wrong.
//!
//! Everything here is pure: the facts come from `sys`, so every rule has a unit test.

use nix::errno::Errno;

use common::table::Entry;

/// What is known about one of the two paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathFacts {
    /// realpath(3) of the path (relative to the caller's root), if it resolved.
    pub real: Option<Vec<u8>>,
    /// Device and inode, if stat(2) worked.
    pub id: Option<(u64, u64)>,
    /// Whether it is a directory, if stat(2) worked.
    pub dir: Option<bool>,
}

/// Everything the rules look at.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The caller's mount table (`/proc/self/mountinfo`), if it could be read.
    pub table: Option<Vec<Entry>>,
    /// Device and inode of the caller's `/`.
    pub root_id: Option<(u64, u64)>,
    /// new_root.
    pub new_root: PathFacts,
    /// put_old.
    pub put_old: PathFacts,
    /// Whether the caller is in a user namespace other than the initial one, if known.
    pub userns: Option<bool>,
}

/// A shared mount that blocks the pivot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shared {
    /// put_old's own mount.
    PutOld(Vec<u8>),
    /// The parent of new_root's mount.
    NewRootParent(Vec<u8>),
    /// The parent of the current root's mount.
    RootParent(Vec<u8>),
}

/// One of the two operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// new_root.
    NewRoot,
    /// put_old.
    PutOld,
}

/// The rule a failed call broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// EPERM: no CAP_SYS_ADMIN in the user namespace owning the mount namespace.
    NoPrivilege,
    /// ENOTDIR: new_root or put_old (`Some` says which, when stat(2) could tell) is not a
    /// directory.
    NotDirectory(Option<Which>),
    /// A mount involved is shared (mount propagation).
    Shared(Shared),
    /// The caller's root is not the root of a mount: it is chrooted.
    Chrooted,
    /// The current root is the initramfs rootfs, which has no parent mount.
    Rootfs,
    /// new_root is already the current root (EBUSY).
    IsCurrentRoot,
    /// new_root is not a mount point.
    NotMountPoint,
    /// put_old is not at or under new_root.
    PutOldOutside,
    /// In a user namespace, mounts inherited from a more privileged mount namespace are
    /// locked (`MNT_LOCKED`) and cannot become the root; nothing else in the table is wrong.
    Locked,
    /// The mount table could not be read, so the rule cannot be told.
    NoTable,
}

/// The rule that `errno` means; `None` when there is nothing to add. `facts` is called
/// only for the errors it can tell apart (ENOTDIR, EBUSY, EINVAL).
pub fn broken(errno: Errno, facts: impl FnOnce() -> Facts) -> Option<Rule> {
    match errno {
        Errno::EPERM => Some(Rule::NoPrivilege),
        Errno::ENOTDIR => Some(not_directory(&facts())),
        Errno::EBUSY => Some(busy(&facts())),
        Errno::EINVAL => invalid(&facts()),
        _ => None,
    }
}

/// ENOTDIR: name the operand that exists but is not a directory, if only one is.
fn not_directory(facts: &Facts) -> Rule {
    match (facts.new_root.dir, facts.put_old.dir) {
        (Some(false), Some(true)) => Rule::NotDirectory(Some(Which::NewRoot)),
        (Some(true), Some(false)) => Rule::NotDirectory(Some(Which::PutOld)),
        _ => Rule::NotDirectory(None),
    }
}

/// EBUSY: new_root or put_old is on the current root's mount.
fn busy(facts: &Facts) -> Rule {
    if facts.new_root.id.is_some() && facts.new_root.id == facts.root_id {
        return Rule::IsCurrentRoot;
    }
    let Some(table) = &facts.table else {
        return Rule::NoTable;
    };
    match &facts.new_root.real {
        Some(new) if !is_mount_point(table, new) => Rule::NotMountPoint,
        _ => Rule::PutOldOutside,
    }
}

/// EINVAL: the checks in the kernel's order; `None` when the table shows nothing wrong
/// and the caller is not in a user namespace.
fn invalid(facts: &Facts) -> Option<Rule> {
    let Some(table) = &facts.table else {
        return Some(Rule::NoTable);
    };
    let new = facts.new_root.real.as_deref();
    let old = facts.put_old.real.as_deref();
    let new_mnt = new.and_then(|p| mount_of(table, p));
    let old_mnt = old.and_then(|p| mount_of(table, p));
    let root = mount_of(table, b"/").filter(|m| m.target() == b"/");
    if let Some(m) = old_mnt.filter(|m| m.is_shared()) {
        return Some(Rule::Shared(Shared::PutOld(m.target().to_vec())));
    }
    if let Some(p) = new_mnt
        .and_then(|m| parent(table, m))
        .filter(|p| p.is_shared())
    {
        return Some(Rule::Shared(Shared::NewRootParent(p.target().to_vec())));
    }
    if let Some(p) = root
        .and_then(|m| parent(table, m))
        .filter(|p| p.is_shared())
    {
        return Some(Rule::Shared(Shared::RootParent(p.target().to_vec())));
    }
    // A chrooted caller sees only the mounts under its root, and none of them at "/".
    let Some(root) = root else {
        return Some(Rule::Chrooted);
    };
    if root.fstype() == b"rootfs" || root.parent == root.id {
        return Some(Rule::Rootfs);
    }
    // The kernel checks MNT_LOCKED before these two, but a lock is invisible in the table;
    // the fix for a plain directory (a bind mount made here) also unlocks.
    match (new, old) {
        (Some(new), _) if !is_mount_point(table, new) => Some(Rule::NotMountPoint),
        (Some(new), Some(old)) if !under(old, new) => Some(Rule::PutOldOutside),
        _ if facts.userns == Some(true) => Some(Rule::Locked),
        _ => None,
    }
}

/// The parent mount, if the caller can see it.
fn parent<'a>(table: &'a [Entry], mount: &Entry) -> Option<&'a Entry> {
    table
        .iter()
        .find(|e| e.id == mount.parent && e.id != mount.id)
}

fn is_mount_point(table: &[Entry], path: &[u8]) -> bool {
    table.iter().any(|e| e.target() == path)
}

/// The mount `path` is on: the longest mount point that is `path` or one of its parents;
/// of several mounts stacked on one point, the last (topmost).
pub fn mount_of<'a>(table: &'a [Entry], path: &[u8]) -> Option<&'a Entry> {
    table
        .iter()
        .filter(|e| under(path, e.target()))
        .max_by_key(|e| e.target().len())
        .and_then(|best| table.iter().rev().find(|e| e.target() == best.target()))
}

/// Whether `path` is `dir` or below it, by whole components.
fn under(path: &[u8], dir: &[u8]) -> bool {
    if dir == b"/" {
        return path.starts_with(b"/");
    }
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(b"/"))
}

/// The hint line (without the `pivot_root: ` prefix) for `rule`, naming the paths as the
/// user spelled them, quoted for the shell where they go into a suggested command.
pub fn hint(rule: &Rule, new_root: &[u8], put_old: &[u8]) -> String {
    let new = shell(new_root);
    let old = shell(put_old);
    let text = match rule {
        Rule::NoPrivilege => "pivot_root needs CAP_SYS_ADMIN over the mount namespace: \
             run it as root, or inside 'unshare -Umr'"
            .to_string(),
        Rule::NotDirectory(Some(Which::NewRoot)) => format!("new_root {new} is not a directory"),
        Rule::NotDirectory(Some(Which::PutOld)) => format!("put_old {old} is not a directory"),
        Rule::NotDirectory(None) => "new_root and put_old must both be directories".to_string(),
        Rule::Shared(which) => {
            let (what, target) = match which {
                Shared::PutOld(t) => ("put_old's mount", t),
                Shared::NewRootParent(t) => ("the parent mount of new_root", t),
                Shared::RootParent(t) => ("the parent mount of the current root", t),
            };
            format!(
                "{what} ({}) is shared; make the mounts private first, \
                 in a new mount namespace: mount --make-rprivate /",
                common::escape::control(target)
            )
        }
        Rule::Chrooted => "the caller is chrooted (its root is not the root of a mount); \
             run pivot_root from the mount namespace's root"
            .to_string(),
        Rule::Rootfs => "the current root is the initramfs (rootfs), which cannot be \
             pivoted away; use switch_root(8)"
            .to_string(),
        Rule::IsCurrentRoot => format!("new_root {new} is already the current root"),
        Rule::NotMountPoint => {
            format!("new_root is not a mount point; make it one first: mount --bind {new} {new}")
        }
        Rule::PutOldOutside => format!(
            "put_old {old} is not at or under new_root {new}; \
             use a directory inside it, or: cd {new} && pivot_root . ."
        ),
        Rule::Locked => format!(
            "new_root's mount was inherited from a more privileged mount namespace and is \
             locked in this user namespace; make a new one here first: mount --bind {new} {new}"
        ),
        Rule::NoTable => "cannot read /proc/self/mountinfo to tell which rule was broken \
             (is /proc mounted?)"
            .to_string(),
    };
    format!("hint: {text}")
}

/// `path` as a shell word: as it is when it holds only safe bytes, else single-quoted;
/// control bytes and invalid UTF-8 shown as `\xNN`.
fn shell(path: &[u8]) -> String {
    let safe = |b: &u8| b.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(b);
    if !path.is_empty() && path.iter().all(safe) {
        return common::escape::control(path);
    }
    format!("'{}'", common::escape::control(path).replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Vec<Entry> {
        let t = common::table::parse(text.as_bytes(), common::table::Format::MountInfo);
        assert!(t.bad_lines.is_empty());
        t.entries
    }

    /// A private namespace: `/` (id 20, parent hidden), a scratch tmpfs at /s, a bind of
    /// /s/r on itself.
    const PRIVATE: &str = "20 1 254:0 / / rw - ext4 /dev/vda rw\n\
        30 20 0:40 / /s rw - tmpfs t rw\n\
        31 30 0:40 /r /s/r rw - tmpfs t rw\n";

    fn facts(tab: Option<&str>, new: &str, old: &str) -> Facts {
        Facts {
            table: tab.map(table),
            root_id: Some((1, 2)),
            new_root: PathFacts {
                real: Some(new.into()),
                id: Some((3, 4)),
                dir: Some(true),
            },
            put_old: PathFacts {
                real: Some(old.into()),
                id: Some((3, 5)),
                dir: Some(true),
            },
            userns: Some(false),
        }
    }

    fn rule(errno: Errno, tab: &str, new: &str, old: &str) -> Option<Rule> {
        broken(errno, || facts(Some(tab), new, old))
    }

    #[test]
    fn by_errno() {
        assert_eq!(
            rule(Errno::EPERM, PRIVATE, "/s/r", "/s/r/old"),
            Some(Rule::NoPrivilege)
        );
        assert_eq!(
            rule(Errno::ENOTDIR, PRIVATE, "/s/f", "/s/f"),
            Some(Rule::NotDirectory(None))
        );
        assert_eq!(rule(Errno::ENOENT, PRIVATE, "/s/x", "/s/x/old"), None);
        assert_eq!(rule(Errno::EACCES, PRIVATE, "/s/r", "/s/r/old"), None);
    }

    #[test]
    fn which_one_is_not_a_directory() {
        let with = |new: Option<bool>, old: Option<bool>| {
            let mut f = facts(Some(PRIVATE), "/s/a", "/s/b");
            (f.new_root.dir, f.put_old.dir) = (new, old);
            broken(Errno::ENOTDIR, || f)
        };
        let t = Some(true);
        let f = Some(false);
        assert_eq!(with(f, t), Some(Rule::NotDirectory(Some(Which::NewRoot))));
        assert_eq!(with(t, f), Some(Rule::NotDirectory(Some(Which::PutOld))));
        assert_eq!(with(f, f), Some(Rule::NotDirectory(None)));
        // A file in the middle of a path ("f/x"): stat fails too.
        assert_eq!(with(None, t), Some(Rule::NotDirectory(None)));
    }

    #[test]
    fn not_a_mount_point() {
        assert_eq!(
            rule(Errno::EINVAL, PRIVATE, "/s/d", "/s/d/old"),
            Some(Rule::NotMountPoint)
        );
        // A plain directory of the root filesystem: the kernel says EBUSY.
        assert_eq!(
            rule(Errno::EBUSY, PRIVATE, "/srv/d", "/srv/d/old"),
            Some(Rule::NotMountPoint)
        );
    }

    #[test]
    fn put_old_outside_new_root() {
        assert_eq!(
            rule(Errno::EINVAL, PRIVATE, "/s/r", "/s/o"),
            Some(Rule::PutOldOutside)
        );
        // "/s/rx" shares a prefix with "/s/r" but is not under it.
        assert_eq!(
            rule(Errno::EINVAL, PRIVATE, "/s/r", "/s/rx"),
            Some(Rule::PutOldOutside)
        );
        // put_old on the root's mount: EBUSY.
        assert_eq!(
            rule(Errno::EBUSY, PRIVATE, "/s/r", "/old"),
            Some(Rule::PutOldOutside)
        );
    }

    #[test]
    fn new_root_is_current_root() {
        let mut f = facts(Some(PRIVATE), "/", "/old");
        f.new_root.id = f.root_id;
        assert_eq!(broken(Errno::EBUSY, || f), Some(Rule::IsCurrentRoot));
    }

    #[test]
    fn shared_mounts_in_kernel_order() {
        let parent_shared = PRIVATE.replace("/s rw -", "/s rw shared:5 -");
        assert_eq!(
            rule(Errno::EINVAL, &parent_shared, "/s/r", "/s/r/old"),
            Some(Rule::Shared(Shared::NewRootParent(b"/s".to_vec())))
        );
        let bind_shared = PRIVATE.replace("/s/r rw -", "/s/r rw shared:6 -");
        assert_eq!(
            rule(Errno::EINVAL, &bind_shared, "/s/r", "/s/r"),
            Some(Rule::Shared(Shared::PutOld(b"/s/r".to_vec())))
        );
        // The root's parent is visible (after an earlier pivot, or a chroot into a mount).
        let root_parent = "10 10 0:2 / /host rw shared:1 - rootfs rootfs rw\n\
            20 10 254:0 / / rw - ext4 /dev/vda rw\n\
            30 20 0:40 / /s rw - tmpfs t rw\n\
            31 30 0:40 /r /s/r rw - tmpfs t rw\n";
        assert_eq!(
            rule(Errno::EINVAL, root_parent, "/s/r", "/s/r/old"),
            Some(Rule::Shared(Shared::RootParent(b"/host".to_vec())))
        );
        // A shared mount elsewhere does not matter.
        let other = format!("{PRIVATE}40 20 0:41 / /elsewhere rw shared:9 - tmpfs t rw\n");
        assert_eq!(
            rule(Errno::EINVAL, &other, "/s/r", "/s/o"),
            Some(Rule::PutOldOutside)
        );
    }

    #[test]
    fn chrooted_and_rootfs() {
        // In a chroot at a plain directory, no mount is at "/".
        let chrooted = "40 30 0:41 / /proc rw - proc proc rw\n41 30 0:40 /c/x /x rw - tmpfs t rw\n";
        assert_eq!(
            rule(Errno::EINVAL, chrooted, "/x", "/x/old"),
            Some(Rule::Chrooted)
        );
        let rootfs = "1 1 0:2 / / rw - rootfs rootfs rw\n";
        assert_eq!(
            rule(Errno::EINVAL, rootfs, "/r", "/r/old"),
            Some(Rule::Rootfs)
        );
        let own_parent = "7 7 0:2 / / rw - tmpfs none rw\n8 7 0:3 / /r rw - tmpfs t rw\n";
        assert_eq!(
            rule(Errno::EINVAL, own_parent, "/r", "/r/old"),
            Some(Rule::Rootfs)
        );
    }

    #[test]
    fn locked_mount_in_a_user_namespace() {
        // Everything visible is fine: a locked mount in a user namespace, or nothing to say.
        let mut f = facts(Some(PRIVATE), "/s/r", "/s/r/old");
        f.userns = Some(true);
        assert_eq!(broken(Errno::EINVAL, || f.clone()), Some(Rule::Locked));
        f.userns = Some(false);
        assert_eq!(broken(Errno::EINVAL, || f.clone()), None);
        f.userns = None;
        assert_eq!(broken(Errno::EINVAL, || f), None);
        // A plain directory is reported as such (its bind mount also fixes a lock).
        let mut f = facts(Some(PRIVATE), "/s/d", "/s/d/old");
        f.userns = Some(true);
        assert_eq!(broken(Errno::EINVAL, || f), Some(Rule::NotMountPoint));
        assert_eq!(
            hint(&Rule::Locked, b"r", b"r/old"),
            "hint: new_root's mount was inherited from a more privileged mount namespace and \
             is locked in this user namespace; make a new one here first: mount --bind r r"
        );
    }

    #[test]
    fn unreadable_table() {
        for errno in [Errno::EINVAL, Errno::EBUSY] {
            assert_eq!(
                broken(errno, || facts(None, "/s/r", "/s/o")),
                Some(Rule::NoTable)
            );
        }
    }

    #[test]
    fn topmost_longest_mount() {
        let t =
            table("1 0 0:1 / / rw - a a rw\n2 1 0:2 / /a rw - b b rw\n3 1 0:3 / /a rw - c c rw\n");
        assert_eq!(mount_of(&t, b"/a/b").map(|e| e.id), Some(3));
        assert_eq!(mount_of(&t, b"/ab").map(|e| e.id), Some(1));
        assert_eq!(mount_of(&t, b"/").map(|e| e.id), Some(1));
        assert_eq!(mount_of(&[], b"/"), None);
    }

    #[test]
    fn hint_lines() {
        let h = |r: Rule| hint(&r, b"r", b"r/old");
        assert_eq!(
            h(Rule::NotMountPoint),
            "hint: new_root is not a mount point; make it one first: mount --bind r r"
        );
        assert_eq!(
            hint(&Rule::NotMountPoint, b"my root", b"."),
            "hint: new_root is not a mount point; make it one first: \
             mount --bind 'my root' 'my root'"
        );
        assert_eq!(
            hint(&Rule::PutOldOutside, b"r", b"o"),
            "hint: put_old o is not at or under new_root r; use a directory inside it, \
             or: cd r && pivot_root . ."
        );
        assert_eq!(
            h(Rule::Shared(Shared::NewRootParent(b"/s".to_vec()))),
            "hint: the parent mount of new_root (/s) is shared; make the mounts private \
             first, in a new mount namespace: mount --make-rprivate /"
        );
        assert_eq!(
            h(Rule::IsCurrentRoot),
            "hint: new_root r is already the current root"
        );
        assert!(h(Rule::NoPrivilege).contains("'unshare -Umr'"));
        assert!(h(Rule::Rootfs).contains("switch_root(8)"));
        assert!(h(Rule::Chrooted).contains("chrooted"));
        assert_eq!(
            h(Rule::NotDirectory(None)),
            "hint: new_root and put_old must both be directories"
        );
        assert_eq!(
            h(Rule::NotDirectory(Some(Which::PutOld))),
            "hint: put_old r/old is not a directory"
        );
        assert_eq!(
            h(Rule::NotDirectory(Some(Which::NewRoot))),
            "hint: new_root r is not a directory"
        );
        assert!(h(Rule::NoTable).contains("/proc/self/mountinfo"));
        assert_eq!(shell(b"it's\n"), "'it'\\''s\\x0a'");
        assert_eq!(shell(b""), "''");
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    /// Odd tables (cycles, self-parents, duplicates, missing root, odd paths) and odd facts
    /// never panic, and every errno the rules know yields a hint.
    #[test]
    fn odd_tables_never_panic() {
        let targets: [&[u8]; 6] = [b"/", b"/a", b"/a/b", b"", b"a", b"/a/"];
        let mut state = 0xdead_beef_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..2000 {
            let table: Vec<Entry> = (0..next(5))
                .map(|_| {
                    let mut e = Entry::default();
                    e.id = next(4) as u64;
                    e.parent = next(4) as u64;
                    e.with(common::table::Field::Target, targets[next(targets.len())])
                        .with(
                            common::table::Field::OptFields,
                            [&b""[..], b"shared:1", b"master:2 shared:3"][next(3)],
                        )
                        .with(
                            common::table::Field::Fstype,
                            [&b"tmpfs"[..], b"rootfs"][next(2)],
                        )
                })
                .collect();
            let path = |n: usize| PathFacts {
                real: (n % 2 == 0).then(|| targets[n % targets.len()].to_vec()),
                id: (n % 3 == 0).then_some((1, 2)),
                dir: [None, Some(true), Some(false)]
                    .get(n % 3)
                    .copied()
                    .flatten(),
            };
            let facts = Facts {
                table: (next(4) > 0).then_some(table),
                root_id: Some((1, 2)),
                new_root: path(next(12)),
                put_old: path(next(12)),
                userns: Some(true),
            };
            for errno in [Errno::EINVAL, Errno::EBUSY, Errno::ENOTDIR, Errno::EPERM] {
                let rule = broken(errno, || facts.clone());
                assert!(rule.is_some(), "{errno:?} {facts:?}");
                let _ = hint(&rule.unwrap_or(Rule::NoTable), b"n", b"o");
            }
        }
    }
}
