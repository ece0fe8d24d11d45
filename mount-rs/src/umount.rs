//! umount(8): detach mounts, one by one (`umount2(2)`), a whole subtree deepest first
//! (`-R`, stacked overmounts included: util-linux#2551), every mount of one filesystem
//! (`-A`) or every mount of the table (`-a`). Messages follow util-linux 2.38
//! (`mnt_context_get_umount_excode`); exit 0, 32 when every operand failed, 64 when some
//! succeeded (the man page's meaning, not util-linux's sum: research/security.md §4 D9).
//!
//! A plain `umount TARGET` asks the kernel directly and reads the mount table only when the
//! kernel says "not a mount point" (the operand may be a source), so its cost does not grow
//! with the table.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use common::exit::mnt;
use common::longopt::{self, HasArg, Long, long};
use common::table::Entry;
use common::{Failure, Result, escape, out::Out};
use nix::errno::Errno;

use crate::both::{absolute, canonical, enter_namespace, live};
use crate::opts::{self, Ms};
use crate::sys::{self, Mnt};

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "umount";

const USAGE: &str = "
Usage:
 umount [-hV]
 umount -a [options]
 umount [options] <source> | <directory>

Unmount filesystems.

Options:
 -a, --all               unmount all filesystems
 -A, --all-targets       unmount all mountpoints for the given device in the
                           current namespace
 -c, --no-canonicalize   don't canonicalize paths
 -d, --detach-loop       if mounted loop device, also free this loop device
     --fake              dry run; skip the umount(2) syscall
 -f, --force             force unmount (in case of an unreachable NFS system)
 -i, --internal-only     don't call the umount.<type> helpers
 -n, --no-mtab           don't write to /etc/mtab
 -l, --lazy              detach the filesystem now, clean up things later
 -O, --test-opts <list>  limit the set of filesystems (use with -a)
 -R, --recursive         recursively unmount a target with all its children
 -r, --read-only         in case unmounting fails, try to remount read-only
 -t, --types <list>      limit the set of filesystem types
 -v, --verbose           say what is being done
 -q, --quiet             suppress 'not mounted' error messages
 -N, --namespace <ns>    perform umount in another namespace

 -h, --help              display this help
 -V, --version           display version

Set ROOTBOX_TRACE=1 to see every system call.

For more details see umount(8).
";

/// Filesystems `-a` leaves alone unless `-t` names them (umount.c).
const PSEUDO: &[&[u8]] = &[
    b"proc",
    b"devfs",
    b"devpts",
    b"sysfs",
    b"rpc_pipefs",
    b"nfsd",
];

/// What the command line asks for.
pub type Action = common::longopt::Action<Opts>;

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-a`.
    pub all: bool,
    /// `-A`.
    pub all_targets: bool,
    /// `-R`.
    pub recursive: bool,
    /// `--fake`.
    pub fake: bool,
    /// `-l` and `-f`.
    pub flags: Mnt,
    /// `-q`.
    pub quiet: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-r`.
    pub read_only: bool,
    /// `-t LIST`.
    pub types: Option<OsString>,
    /// `-O LIST`.
    pub test_opts: Option<OsString>,
    /// `-N PID|FILE`.
    pub namespace: Option<OsString>,
    /// Targets or sources.
    pub operands: Vec<OsString>,
}

/// Long options, as getopt reads them (any unambiguous prefix).
const LONGS: &[Long] = &[
    long("all", HasArg::No),
    long("all-targets", HasArg::No),
    long("detach-loop", HasArg::No),
    long("fake", HasArg::No),
    long("force", HasArg::No),
    long("help", HasArg::No),
    long("internal-only", HasArg::No),
    long("lazy", HasArg::No),
    long("namespace", HasArg::Required),
    long("no-canonicalize", HasArg::No),
    long("no-mtab", HasArg::No),
    long("quiet", HasArg::No),
    long("read-only", HasArg::No),
    long("recursive", HasArg::No),
    long("test-opts", HasArg::Required),
    long("types", HasArg::Required),
    long("verbose", HasArg::No),
    long("version", HasArg::No),
];

/// Short options and the long option each one is.
const SHORTS: &[(char, &str)] = &[
    ('a', "all"),
    ('A', "all-targets"),
    ('c', "no-canonicalize"),
    ('d', "detach-loop"),
    ('f', "force"),
    ('h', "help"),
    ('i', "internal-only"),
    ('l', "lazy"),
    ('n', "no-mtab"),
    ('N', "namespace"),
    ('O', "test-opts"),
    ('q', "quiet"),
    ('r', "read-only"),
    ('R', "recursive"),
    ('t', "types"),
    ('v', "verbose"),
    ('V', "version"),
];

/// Parse the command line (`argv[0]` first).
pub fn parse(args: Vec<OsString>) -> Result<Action> {
    let mut o = Opts::default();
    let mut p = longopt::parser(args);
    while let Some((name, value)) = longopt::next(&mut p, LONGS, SHORTS, &mut o.operands)? {
        match name {
            "all" => o.all = true,
            "all-targets" => o.all_targets = true,
            "fake" => o.fake = true,
            "force" => o.flags |= Mnt::MNT_FORCE,
            "lazy" => o.flags |= Mnt::MNT_DETACH,
            "test-opts" => o.test_opts = value,
            "recursive" => o.recursive = true,
            "read-only" => o.read_only = true,
            "types" => o.types = value,
            "verbose" => o.verbose = true,
            "quiet" => o.quiet = true,
            "namespace" => o.namespace = value,
            "help" => return Ok(Action::Help),
            "version" => return Ok(Action::Version),
            // -c -d -i -n: accepted; nothing to do (no helpers, no loop devices, no mtab).
            _ => {}
        }
    }
    Ok(Action::Run(o))
}

/// Entry point: arguments in (`argv[0]` first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    crate::both::main(NAME, USAGE, parse(args), |opts| run(&opts))
}

fn run(o: &Opts) -> Result<u8> {
    if o.all && !o.operands.is_empty() || !o.all && o.operands.is_empty() {
        return Err(Failure::usage("bad usage"));
    }
    let mut moved;
    let o = match &o.namespace {
        None => o,
        Some(ns) => {
            // A path given here means the same path there (setns(2) moves the cwd).
            moved = o.clone();
            for operand in &mut moved.operands {
                if Path::new(operand).exists() {
                    *operand = absolute(operand);
                }
            }
            enter_namespace(NAME, ns)?;
            &moved
        }
    };
    let mut out = Out::new();
    let (mut ok, mut failed) = (0usize, 0usize);
    if o.all {
        umount_all(o, &mut out, &mut ok, &mut failed)?;
    } else {
        for operand in &o.operands {
            let result = if o.recursive {
                umount_recursive(o, operand)
            } else if o.all_targets {
                umount_all_targets(o, operand)
            } else {
                umount_one(o, operand)
            };
            match result {
                Ok(()) => ok += 1,
                Err(f) => {
                    failed += 1;
                    crate::both::report(NAME, f);
                }
            }
        }
    }
    out.flush()?;
    Ok(crate::both::status(ok, failed))
}

/// A failure that prints nothing (`-q` on "not mounted").
fn quiet() -> Failure {
    Failure::silent(mnt::FAIL)
}

fn show(s: &[u8]) -> String {
    escape::control(s)
}

/// util-linux's message for a failed `umount2(2)`, about the canonical target.
fn umount_error(err: Errno, target: &OsStr) -> Failure {
    let message = match err {
        Errno::EINVAL => "not mounted".to_string(),
        Errno::EBUSY => "target is busy".to_string(),
        Errno::ENOENT => "no mount point specified".to_string(),
        Errno::EPERM => "must be superuser to unmount".to_string(),
        Errno::EACCES => "block devices are not permitted on filesystem".to_string(),
        Errno::EIO => "can't write superblock".to_string(),
        Errno::ENXIO => "invalid block device".to_string(),
        other => format!("umount(2) system call failed: {}", common::strerror(other)),
    };
    Failure::msg(format!(
        "{}: {message}.",
        show(canonical(target).as_bytes())
    ))
    .with_code(mnt::FAIL)
}

/// The operand named nothing the kernel or the table knows: util-linux echoes it as typed.
fn not_found(o: &Opts, operand: &OsStr, err: Errno) -> Failure {
    let name = show(operand.as_bytes());
    match err {
        Errno::ENOENT => Failure::msg(format!("{name}: no mount point specified.")),
        _ if o.quiet => quiet(),
        _ => Failure::msg(format!("{name}: not mounted.")),
    }
    .with_code(mnt::FAIL)
}

/// `umount2` plus `-r`: on EBUSY remount the filesystem read-only instead.
fn detach(o: &Opts, target: &OsStr) -> std::result::Result<bool, Errno> {
    if o.fake {
        return Ok(false);
    }
    match sys::umount2(NAME, target, o.flags) {
        Err(Errno::EBUSY) if o.read_only => {
            sys::mount(
                NAME,
                None,
                target,
                None,
                Ms::MS_REMOUNT | Ms::MS_RDONLY,
                None,
            )?;
            Ok(true)
        }
        other => other.map(|()| false),
    }
}

/// One operand: ask the kernel first; only if that is no mount point (or no path at all)
/// look for a mount whose source it is.
fn umount_one(o: &Opts, operand: &OsStr) -> Result<()> {
    // -v needs the source for its line; that is the only reason to read the table first.
    let mut table = if o.verbose { Some(live(NAME)?) } else { None };
    let before = table.as_ref().and_then(|t| {
        let canon = canonical(operand);
        t.iter()
            .rev()
            .find(|m| m.target() == canon.as_bytes())
            .cloned()
    });
    let (target, entry, remounted) = match detach(o, operand) {
        Ok(r) => (operand.to_owned(), before, r),
        Err(err @ (Errno::EINVAL | Errno::ENOENT)) => {
            // Nothing was unmounted: the table read for -v is still the live one.
            let table = match table.take() {
                Some(t) => t,
                None => live(NAME)?,
            };
            let by_source = table
                .into_iter()
                .rev()
                .find(|m| m.source() == operand.as_bytes());
            let Some(m) = by_source else {
                return Err(not_found(o, operand, err));
            };
            let target = OsString::from_vec(m.target().to_vec());
            let r = detach(o, &target).map_err(|e| umount_error(e, &target))?;
            (target, Some(m), r)
        }
        Err(err) => return Err(umount_error(err, operand)),
    };
    if o.verbose {
        let tgt = entry
            .as_ref()
            .map_or_else(|| canonical(&target).into_vec(), |m| m.target().to_vec());
        let what = if remounted {
            "remounted read-only"
        } else {
            "unmounted"
        };
        let line = match &entry {
            Some(m) => format!("{} ({}) {what}", show(&tgt), show(m.source())),
            None => format!("{} {what}", show(&tgt)),
        };
        verbose(&line);
    }
    Ok(())
}

fn verbose(line: &str) {
    use std::io::Write;
    // util-linux prints umount's progress with warnx(3): on stderr, one write per line.
    let _ = std::io::stderr().write_all(format!("{NAME}: {line}\n").as_bytes());
}

/// The mount at `canon` that is not itself stacked on a mount at the same place.
fn bottom<'a>(table: &'a [Entry], canon: &[u8]) -> Option<&'a Entry> {
    let by_id: HashMap<u64, &Entry> = table.iter().map(|m| (m.id, m)).collect();
    table.iter().find(|m| {
        m.target() == canon
            && by_id
                .get(&m.parent)
                .is_none_or(|p| p.target() != canon || p.id == m.id)
    })
}

/// `-R`: the mount at TARGET and everything below it, deepest first. Children go in
/// reverse mount order, so a mount stacked over a sibling (or over TARGET itself) is
/// detached before what it hides (util-linux#2551).
fn umount_recursive(o: &Opts, operand: &OsStr) -> Result<()> {
    let table = live(NAME)?;
    let canon = canonical(operand);
    let Some(root) = bottom(&table, canon.as_bytes()) else {
        let err = if Path::new(operand).symlink_metadata().is_ok() {
            Errno::EINVAL
        } else {
            Errno::ENOENT
        };
        return Err(not_found(o, operand, err));
    };
    let mut children: HashMap<u64, Vec<&Entry>> = HashMap::new();
    for m in &table {
        if m.id != m.parent {
            children.entry(m.parent).or_default().push(m);
        }
    }
    // Iterative post-order: a visited set guards against a cyclic (forged) table.
    let mut order = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(root, false)];
    while let Some((m, expanded)) = stack.pop() {
        if expanded {
            order.push(m);
            continue;
        }
        if !seen.insert(m.id) {
            continue;
        }
        stack.push((m, true));
        // Pushed in file order, popped in reverse: the latest mount first.
        for child in children.get(&m.id).into_iter().flatten() {
            stack.push((child, false));
        }
    }
    for m in order {
        let target = OsStr::from_bytes(m.target());
        detach(o, target).map_err(|e| umount_error(e, target))?;
        if o.verbose {
            verbose(&format!("{} unmounted", show(m.target())));
        }
    }
    Ok(())
}

/// `-A`: every mount of the filesystem the operand names, in this namespace, latest first.
fn umount_all_targets(o: &Opts, operand: &OsStr) -> Result<()> {
    let table = live(NAME)?;
    let canon = canonical(operand);
    let found = table
        .iter()
        .rev()
        .find(|m| m.target() == canon.as_bytes())
        .or_else(|| {
            table
                .iter()
                .rev()
                .find(|m| m.source() == operand.as_bytes())
        });
    let Some(fs) = found else {
        let err = if Path::new(operand).symlink_metadata().is_ok() {
            Errno::EINVAL
        } else {
            Errno::ENOENT
        };
        return Err(not_found(o, operand, err));
    };
    for m in table
        .iter()
        .rev()
        .filter(|m| (m.major, m.minor) == (fs.major, fs.minor))
    {
        let target = OsStr::from_bytes(m.target());
        detach(o, target).map_err(|e| umount_error(e, target))?;
        if o.verbose {
            verbose(&format!("{} unmounted", show(m.target())));
        }
    }
    Ok(())
}

/// `-a`: every mount in the table, latest first, that passes `-t` and `-O`; pseudo
/// filesystems only when `-t` asks for them.
fn umount_all(o: &Opts, out: &mut Out, ok: &mut usize, failed: &mut usize) -> Result<()> {
    for m in live(NAME)?.iter().rev() {
        let wanted = match &o.types {
            Some(t) => opts::match_types(m.fstype(), t.as_bytes()),
            None => !PSEUDO.contains(&m.fstype()),
        };
        let options = [m.vfs_options(), m.fs_options()].join(&b',');
        let tested = o
            .test_opts
            .as_ref()
            .is_none_or(|t| opts::match_options(&options, t.as_bytes()));
        if !wanted || !tested {
            if o.verbose {
                out.str(&format!("{:<25}: ignored\n", show(m.target())))?;
            }
            continue;
        }
        let target = OsStr::from_bytes(m.target());
        match detach(o, target) {
            Ok(_) => {
                *ok += 1;
                if o.verbose {
                    out.str(&format!(
                        "{:<25}: successfully unmounted\n",
                        show(m.target())
                    ))?;
                }
            }
            Err(err) => {
                *failed += 1;
                crate::both::report(NAME, umount_error(err, target));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(list: &[&str]) -> Opts {
        let args = std::iter::once("umount")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect();
        match parse(args) {
            Ok(Action::Run(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_option_is_in_the_man_page() {
        crate::both::assert_in_man_page(include_str!("../man/umount.8"), LONGS, SHORTS);
    }

    #[test]
    fn every_accepted_option_is_in_usage() {
        crate::both::assert_in_usage(USAGE, LONGS, SHORTS, &[]);
    }

    #[test]
    fn flags() {
        assert_eq!(opts(&["-l", "x"]).flags, Mnt::MNT_DETACH);
        assert_eq!(opts(&["--la", "--rec", "x"]).flags, Mnt::MNT_DETACH);
        assert_eq!(opts(&["-lf", "x"]).flags, Mnt::MNT_DETACH | Mnt::MNT_FORCE);
        let o = opts(&["-R", "-q", "-v", "-r", "a", "b"]);
        assert!(o.recursive && o.quiet && o.verbose && o.read_only);
        assert_eq!(o.operands.len(), 2);
    }

    fn entry(id: u64, parent: u64, target: &str) -> Entry {
        let mut e = Entry::default().with(common::table::Field::Target, target.as_bytes());
        e.id = id;
        e.parent = parent;
        e
    }

    #[test]
    fn bottom_of_a_stack() {
        let t = vec![
            entry(1, 1, "/"),
            entry(2, 1, "/t"),
            entry(3, 2, "/t"),
            entry(4, 3, "/t/s"),
        ];
        assert_eq!(bottom(&t, b"/t").map(|e| e.id), Some(2));
        assert_eq!(bottom(&t, b"/t/s").map(|e| e.id), Some(4));
        assert_eq!(bottom(&t, b"/x"), None);
        // A cycle does not hang or pick a wrong mount.
        let cyc = vec![entry(5, 6, "/c"), entry(6, 5, "/c")];
        assert_eq!(bottom(&cyc, b"/c"), None);
    }
}
