//! mount(8): attach a filesystem, bind or move a mount, change propagation, mount what
//! fstab lists, or list the mounts. Options, messages (`mnt_context_get_mount_excode`) and
//! exit codes (`MNT_EX_*`) are util-linux 2.38's; the deliberate differences are listed in
//! the crate documentation.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use common::exit::mnt;
use common::longopt::{self, HasArg, Long, long};
use common::newmount::{Attr, MountAttr, OpenTree};
use common::table::{self, Entry, Format};
use common::{Failure, Result, escape, out::Out};
use nix::errno::Errno;

use crate::both::{absolute, canonical, enter_namespace, live};
use crate::opts::{self, ATIME, Effect, Ms, VFS_ATTRS};
use crate::sys;

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "mount";

/// The largest option string `mount(2)` takes whole: the kernel copies one page and
/// overwrites its last byte with NUL (`path_mount()` in fs/namespace.c), so anything
/// longer than 4095 bytes would be cut silently (research/security.md §4 D11).
pub const MAX_DATA: usize = 4095;

const DMESG: &str = "       dmesg(1) may have more information after failed mount system call.";

const USAGE: &str = "
Usage:
 mount [-lhV]
 mount -a [options]
 mount [options] [--source] <source> | [--target] <directory>
 mount [options] <source> <directory>
 mount <operation> <mountpoint> [<target>]

Mount a filesystem.

Options:
 -a, --all               mount all filesystems mentioned in fstab
 -c, --no-canonicalize   don't canonicalize paths
 -f, --fake              dry run; skip the mount(2) syscall
 -F, --fork              fork off for each device (use with -a)
 -T, --fstab <path>      alternative file to /etc/fstab
 -i, --internal-only     don't call the mount.<type> helpers
 -l, --show-labels       show also filesystem labels
 -m, --mkdir[=<mode>]    alias to '-o X-mount.mkdir[=<mode>]'
 -n, --no-mtab           don't write to /etc/mtab
 -o, --options <list>    comma-separated list of mount options
 -O, --test-opts <list>  limit the set of filesystems (use with -a)
 -r, --read-only, --ro   mount the filesystem read-only (same as -o ro)
 -t, --types <list>      limit the set of filesystem types
     --source <src>      explicitly specifies source (path, label, uuid)
     --target <target>   explicitly specifies mountpoint
 -N, --namespace <ns>    perform mount in another namespace
 -v, --verbose           say what is being done
 -w, --rw, --read-write  mount the filesystem read-write (default)

 -h, --help              display this help
 -V, --version           display version

Operations:
 -B, --bind              mount a subtree somewhere else (same as -o bind)
 -M, --move              move a subtree to some other place
 -R, --rbind             mount a subtree and all submounts somewhere else
 --make-shared           mark a subtree as shared
 --make-slave            mark a subtree as slave
 --make-private          mark a subtree as private
 --make-unbindable       mark a subtree as unbindable
 --make-rshared          recursively mark a whole subtree as shared
 --make-rslave           recursively mark a whole subtree as slave
 --make-rprivate         recursively mark a whole subtree as private
 --make-runbindable      recursively mark a whole subtree as unbindable

Read-only and other per-mount flags of a bind (-o bind,ro,nosuid,...) are applied to the new
mount before it becomes visible (open_tree, mount_setattr, move_mount), never to the
filesystem. 'ro=recursive' style options change every mount of the subtree.
Set ROOTBOX_TRACE=1 to see every system call.

For more details see mount(8).
";

/// The `--make-*` operations and their propagation flags.
const MAKE: &[(&str, Ms)] = &[
    ("make-shared", Ms::MS_SHARED),
    ("make-slave", Ms::MS_SLAVE),
    ("make-private", Ms::MS_PRIVATE),
    ("make-unbindable", Ms::MS_UNBINDABLE),
    ("make-rshared", Ms::MS_SHARED.union(Ms::MS_REC)),
    ("make-rslave", Ms::MS_SLAVE.union(Ms::MS_REC)),
    ("make-rprivate", Ms::MS_PRIVATE.union(Ms::MS_REC)),
    ("make-runbindable", Ms::MS_UNBINDABLE.union(Ms::MS_REC)),
];

/// What the command line asks for.
pub type Action = common::longopt::Action<Box<Opts>>;

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-a`: everything in fstab.
    pub all: bool,
    /// `-f`: do everything but the system calls.
    pub fake: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-w`: no read-only fallback.
    pub rw_only: bool,
    /// `-t LIST`.
    pub types: Option<OsString>,
    /// `-O LIST`.
    pub test_opts: Option<OsString>,
    /// The `-o`, `-r`, `-w` keywords in command-line order, comma-joined.
    pub options: Vec<u8>,
    /// `-B`, `-R`, `-M`.
    pub oper: Ms,
    /// `--make-*`, in order.
    pub make: Vec<Ms>,
    /// `-m[MODE]`: `Some(None)` is the default mode.
    pub mkdir: Option<Option<OsString>>,
    /// `-T FILE`.
    pub fstab: Option<OsString>,
    /// `-N PID|FILE`.
    pub namespace: Option<OsString>,
    /// `--source`.
    pub source: Option<OsString>,
    /// `--target`.
    pub target: Option<OsString>,
    /// SOURCE and/or TARGET.
    pub operands: Vec<OsString>,
}

fn push_option(list: &mut Vec<u8>, item: &[u8]) {
    if !list.is_empty() && !item.is_empty() {
        list.push(b',');
    }
    list.extend_from_slice(item);
}

/// Long options, as getopt reads them (any unambiguous prefix).
const LONGS: &[Long] = &[
    long("all", HasArg::No),
    long("bind", HasArg::No),
    long("fake", HasArg::No),
    long("fork", HasArg::No),
    long("fstab", HasArg::Required),
    long("help", HasArg::No),
    long("internal-only", HasArg::No),
    long("make-private", HasArg::No),
    long("make-rprivate", HasArg::No),
    long("make-rshared", HasArg::No),
    long("make-rslave", HasArg::No),
    long("make-runbindable", HasArg::No),
    long("make-shared", HasArg::No),
    long("make-slave", HasArg::No),
    long("make-unbindable", HasArg::No),
    long("mkdir", HasArg::Optional),
    long("move", HasArg::No),
    long("namespace", HasArg::Required),
    long("no-canonicalize", HasArg::No),
    long("no-mtab", HasArg::No),
    long("options", HasArg::Required),
    long("rbind", HasArg::No),
    long("read-only", HasArg::No),
    long("read-write", HasArg::No),
    long("ro", HasArg::No),
    long("rw", HasArg::No),
    long("show-labels", HasArg::No),
    long("source", HasArg::Required),
    long("target", HasArg::Required),
    long("test-opts", HasArg::Required),
    long("types", HasArg::Required),
    long("verbose", HasArg::No),
    long("version", HasArg::No),
];

/// Short options and the long option each one is.
const SHORTS: &[(char, &str)] = &[
    ('a', "all"),
    ('B', "bind"),
    ('c', "no-canonicalize"),
    ('f', "fake"),
    ('F', "fork"),
    ('h', "help"),
    ('i', "internal-only"),
    ('l', "show-labels"),
    ('m', "mkdir"),
    ('M', "move"),
    ('n', "no-mtab"),
    ('N', "namespace"),
    ('o', "options"),
    ('O', "test-opts"),
    ('r', "read-only"),
    ('R', "rbind"),
    ('s', "sloppy"),
    ('t', "types"),
    ('T', "fstab"),
    ('v', "verbose"),
    ('V', "version"),
    ('w', "rw"),
];

/// Parse the command line (`argv[0]` first).
pub fn parse(args: Vec<OsString>) -> Result<Action> {
    let mut o = Opts::default();
    let mut p = longopt::parser(args);
    while let Some((name, value)) = longopt::next(&mut p, LONGS, SHORTS, &mut o.operands)? {
        let value = value.unwrap_or_default();
        match name {
            "all" => o.all = true,
            "fake" => o.fake = true,
            "verbose" => o.verbose = true,
            "read-only" | "ro" => push_option(&mut o.options, b"ro"),
            "rw" | "read-write" => {
                o.rw_only = true;
                push_option(&mut o.options, b"rw");
            }
            "options" => push_option(&mut o.options, value.as_bytes()),
            "types" => o.types = Some(value),
            "test-opts" => o.test_opts = Some(value),
            "fstab" => o.fstab = Some(value),
            "namespace" => o.namespace = Some(value),
            "source" => o.source = Some(value),
            "target" => o.target = Some(value),
            "mkdir" => o.mkdir = Some((!value.is_empty()).then_some(value)),
            "bind" => o.oper |= Ms::MS_BIND,
            "rbind" => o.oper |= Ms::MS_BIND | Ms::MS_REC,
            "move" => o.oper |= Ms::MS_MOVE,
            "help" => return Ok(Action::Help),
            "version" => return Ok(Action::Version),
            make => {
                // --make-*; the rest (-c -F -i -l -n -s) are accepted and change nothing.
                if let Some((_, flag)) = MAKE.iter().find(|(m, _)| *m == make) {
                    o.make.push(*flag);
                }
            }
        }
    }
    Ok(Action::Run(Box::new(o)))
}

/// Entry point: arguments in (`argv[0]` first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    crate::both::main(NAME, USAGE, parse(args), |opts| run(&opts))
}

fn bad_usage() -> Failure {
    Failure::usage("bad usage")
}

/// One mount to do: where from, where to, and the keywords (fstab's first, then ours).
#[derive(Debug, Default, Clone)]
struct Request {
    source: Option<OsString>,
    target: OsString,
    fstype: Option<OsString>,
    options: Vec<u8>,
}

fn run(o: &Opts) -> Result<u8> {
    // An operation (-B -R -M --make-*) takes no type, no -a and no --source (mount.c).
    let oper = !o.oper.is_empty() || !o.make.is_empty();
    if o.operands.len() > 2 || oper && (o.types.is_some() || o.all || o.source.is_some()) {
        return Err(bad_usage());
    }
    // fstab is read in our own namespace, as util-linux does, before switching.
    let named = o.source.is_some() || o.target.is_some();
    let given =
        o.operands.len() + usize::from(o.source.is_some()) + usize::from(o.target.is_some());
    let fstab = if o.all || (given == 1 && !propagation_only(o)) {
        Some(read_fstab(o)?)
    } else {
        None
    };
    let Some(ns) = &o.namespace else {
        return mount_requests(o, fstab.as_deref(), named);
    };
    let mut moved = o.clone();
    let n = moved.operands.len();
    for (i, operand) in moved.operands.iter_mut().enumerate() {
        // The target, and a source that is a path here (a bind source, a device).
        if i + 1 == n || Path::new(operand).exists() {
            *operand = absolute(operand);
        }
    }
    if let Some(t) = &mut moved.target {
        *t = absolute(t);
    }
    enter_namespace(NAME, ns)?;
    mount_requests(&moved, fstab.as_deref(), named)
}

fn mount_requests(o: &Opts, fstab: Option<&[Entry]>, named: bool) -> Result<u8> {
    let mut out = Out::new();
    let code = if o.all {
        if !o.operands.is_empty() || named {
            return Err(bad_usage());
        }
        mount_all(o, fstab.unwrap_or_default(), &mut out)?
    } else {
        let request = match (o.source.as_ref(), o.target.as_ref(), o.operands.as_slice()) {
            (None, None, []) => {
                if o.oper != Ms::empty() || !o.make.is_empty() {
                    return Err(bad_usage());
                }
                list(o, &mut out)?;
                out.flush()?;
                return Ok(0);
            }
            (Some(s), Some(t), [])
            | (None, None, [s, t])
            | (Some(s), None, [t])
            | (None, Some(t), [s]) => Request {
                source: Some(s.clone()),
                target: t.clone(),
                fstype: o.types.clone(),
                options: o.options.clone(),
            },
            (None, None, [one]) if propagation_only(o) => Request {
                target: one.clone(),
                options: o.options.clone(),
                ..Request::default()
            },
            (None, Some(t), []) => fstab_request(o, fstab, None, Some(t))?,
            (Some(s), None, []) => fstab_request(o, fstab, Some(s), None)?,
            (None, None, [one]) => fstab_request(o, fstab, Some(one), Some(one))?,
            _ => return Err(bad_usage()),
        };
        mount_one(o, &request, &mut out)?;
        0
    };
    out.flush()?;
    Ok(code)
}

/// `mount --make-private DIR`, `mount -o rprivate DIR` and `mount -o remount,... DIR`: one
/// operand that is the target, no fstab lookup.
fn propagation_only(o: &Opts) -> bool {
    if opts::split(&o.options).any(|i| i == b"remount") {
        return true;
    }
    if !o.make.is_empty() {
        return o.oper.is_empty();
    }
    let mut any = false;
    for item in opts::split(&o.options) {
        match opts::lookup(item) {
            Some(Effect::Propagation(_)) => any = true,
            _ => return false,
        }
    }
    any && o.oper.is_empty()
}

/// Bytes for a message: control bytes and invalid UTF-8 as `\xNN`.
fn show(s: &OsStr) -> String {
    escape::control(s.as_bytes())
}

fn read_fstab(o: &Opts) -> Result<Vec<Entry>> {
    let path = o.fstab.clone().unwrap_or_else(|| "/etc/fstab".into());
    match std::fs::read(&path) {
        Ok(text) => Ok(table::parse(&text, Format::Fstab).entries),
        // No /etc/fstab is an empty one; a named file that cannot be read is an error.
        Err(_) if o.fstab.is_none() => Ok(Vec::new()),
        Err(_) => {
            Err(Failure::msg(format!("{}: failed to parse", show(&path))).with_code(mnt::USAGE))
        }
    }
}

/// The fstab entry for one operand: as a mount point first, then as a source.
fn fstab_request(
    o: &Opts,
    fstab: Option<&[Entry]>,
    source: Option<&OsString>,
    target: Option<&OsString>,
) -> Result<Request> {
    let entries = fstab.unwrap_or_default();
    let by_target = target.and_then(|t| {
        let canon = canonical(t);
        entries.iter().find(|e| {
            let et = OsStr::from_bytes(e.target());
            e.target() == t.as_bytes() || et == canon || canonical(et) == canon
        })
    });
    let found = by_target
        .or_else(|| source.and_then(|s| entries.iter().find(|e| e.source() == s.as_bytes())));
    let Some(entry) = found else {
        let operand = target.or(source).cloned().unwrap_or_default();
        let file = o.fstab.clone().unwrap_or_else(|| "/etc/fstab".into());
        return Err(Failure::msg(format!(
            "{}: can't find in {}.",
            show(&operand),
            show(&file)
        ))
        .with_code(mnt::USAGE));
    };
    Ok(entry_request(o, entry))
}

fn entry_request(o: &Opts, entry: &Entry) -> Request {
    let mut options = entry.vfs_options().to_vec();
    push_option(&mut options, &o.options);
    let fstype = match entry.fstype() {
        b"" | b"auto" => o.types.clone(),
        t => Some(OsString::from_vec(t.to_vec())),
    };
    Request {
        source: Some(OsString::from_vec(entry.source().to_vec())),
        target: OsString::from_vec(entry.target().to_vec()),
        fstype,
        options,
    }
}

/// `mount -a`: every fstab entry that is not `noauto`, not mounted yet, and passes `-t`
/// and `-O`. 0 when all went well (or nothing was to do), 32 when none did, 64 when some.
fn mount_all(o: &Opts, fstab: &[Entry], out: &mut Out) -> Result<u8> {
    let live = live(NAME)?;
    let (mut ok, mut failed) = (0usize, 0usize);
    for entry in fstab {
        let target = OsStr::from_bytes(entry.target());
        let label = show(target);
        let filtered = o
            .types
            .as_ref()
            .is_some_and(|t| !opts::match_types(entry.fstype(), t.as_bytes()))
            || o.test_opts
                .as_ref()
                .is_some_and(|t| !opts::match_options(entry.vfs_options(), t.as_bytes()));
        let ignored = filtered
            || opts::has_option(entry.vfs_options(), b"noauto")
            || matches!(entry.fstype(), b"swap")
            || entry.target() == b"none";
        if ignored {
            if o.verbose {
                out.str(&format!("{label:<25}: ignored\n"))?;
            }
            continue;
        }
        let canon = canonical(target);
        // A bind's mountinfo source is the device, not the fstab source path: for a bind,
        // any mount on the target counts (libmount compares device and root instead).
        let bind = opts::split(entry.vfs_options()).any(|i| i == b"bind" || i == b"rbind");
        let mounted = live.iter().any(|m| {
            (bind || m.source() == entry.source())
                && (m.target() == entry.target() || m.target() == canon.as_bytes())
        });
        if mounted {
            if o.verbose {
                out.str(&format!("{label:<25}: already mounted\n"))?;
            }
            continue;
        }
        let request = entry_request(o, entry);
        let inner = Opts {
            fake: o.fake,
            rw_only: o.rw_only,
            ..Opts::default()
        };
        match mount_one(&inner, &request, out) {
            Ok(()) => {
                ok += 1;
                if o.verbose {
                    out.str(&format!("{label:<25}: successfully mounted\n"))?;
                }
            }
            Err(f) => {
                failed += 1;
                crate::both::report(NAME, f);
            }
        }
    }
    Ok(crate::both::status(ok, failed))
}

/// The options after evaluating every keyword left to right (last wins).
#[derive(Debug, Default, PartialEq, Eq)]
struct Eval {
    /// Flags set.
    set: Ms,
    /// Flags explicitly cleared (`rw`, `suid`, ...).
    cleared: Ms,
    /// Propagation changes, in order.
    propagation: Vec<Ms>,
    /// `ro=recursive` style attributes, for `mount_setattr(AT_RECURSIVE)`.
    recursive: Attr,
    /// What goes to the filesystem.
    data: Vec<u8>,
    /// `X-mount.mkdir[=MODE]`.
    mkdir: Option<u32>,
}

/// A keyword list evaluated, or the message for a bad one.
fn evaluate(list: &[u8]) -> std::result::Result<Eval, String> {
    let mut e = Eval::default();
    let bad = || format!("failed to parse mount options '{}'", escape::control(list));
    for item in opts::split(list) {
        if let Some(rest) = item
            .strip_prefix(b"X-mount.")
            .or_else(|| item.strip_prefix(b"x-mount."))
        {
            match rest.strip_prefix(b"mkdir") {
                Some(b"") => e.mkdir = Some(0o755),
                Some(mode) if mode.starts_with(b"=") => {
                    e.mkdir = Some(parse_mode(&mode[1..]).ok_or_else(bad)?);
                }
                _ if item.starts_with(b"X-") => {
                    return Err(format!("unsupported option '{}'", escape::control(item)));
                }
                _ => {}
            }
            continue;
        }
        if let Some(eq) = item.iter().position(|&b| b == b'=')
            && let Some(effect) = opts::lookup(&item[..eq])
            && !matches!(effect, Effect::Userspace)
        {
            // Only `FLAG=recursive` is a flag with a value (util-linux 2.39+).
            if &item[eq + 1..] != b"recursive" {
                return Err(bad());
            }
            recursive_attr(&mut e.recursive, effect).ok_or_else(bad)?;
            continue;
        }
        match opts::lookup(item) {
            Some(Effect::Set(f)) => {
                if ATIME.contains(f) {
                    e.set -= ATIME;
                    e.cleared |= ATIME - f;
                }
                e.set |= f;
                e.cleared -= f;
            }
            Some(Effect::Clear(f)) => {
                e.set -= f;
                e.cleared |= f;
            }
            Some(Effect::Propagation(p)) => e.propagation.push(p),
            Some(Effect::Userspace) => {}
            None => push_option(&mut e.data, item),
        }
    }
    Ok(e)
}

/// [`evaluate`] for the fuzz targets (fuzz/checks.rs): the flags set and cleared, the
/// propagation changes and the filesystem data of an option list, or the message.
#[doc(hidden)]
pub fn fuzz_evaluate(list: &[u8]) -> std::result::Result<(Ms, Ms, Vec<Ms>, Vec<u8>), String> {
    evaluate(list).map(|e| (e.set, e.cleared, e.propagation, e.data))
}

fn parse_mode(text: &[u8]) -> Option<u32> {
    let text = text
        .strip_prefix(b"\"")
        .and_then(|t| t.strip_suffix(b"\""))
        .unwrap_or(text);
    let text = std::str::from_utf8(text).ok()?;
    u32::from_str_radix(text, 8).ok().filter(|m| *m <= 0o7777)
}

/// Fold one `FLAG=recursive` into the recursive attributes; `None` if the flag is not a
/// per-mount one.
fn recursive_attr(attr: &mut Attr, effect: Effect) -> Option<()> {
    let (flag, set) = match effect {
        Effect::Set(f) => (f, true),
        Effect::Clear(f) => (f, false),
        _ => return None,
    };
    if ATIME.contains(flag) {
        attr.attr_clr |= MountAttr::MOUNT_ATTR__ATIME.bits();
        attr.attr_set &= !MountAttr::MOUNT_ATTR__ATIME.bits();
        let mode = match (flag, set) {
            (Ms::MS_NOATIME, true) => MountAttr::MOUNT_ATTR_NOATIME,
            (Ms::MS_STRICTATIME, true) => MountAttr::MOUNT_ATTR_STRICTATIME,
            _ => MountAttr::empty(),
        };
        attr.attr_set |= mode.bits();
        return Some(());
    }
    let (_, a) = VFS_ATTRS.iter().find(|(ms, _)| *ms == flag)?;
    if set {
        attr.attr_set |= a.bits();
        attr.attr_clr &= !a.bits();
    } else {
        attr.attr_clr |= a.bits();
        attr.attr_set &= !a.bits();
    }
    Some(())
}

/// The `mount_setattr` form of the per-mount flags set and cleared.
fn vfs_attr(e: &Eval) -> Attr {
    let mut attr = Attr::default();
    for (ms, a) in VFS_ATTRS {
        if e.set.contains(*ms) {
            attr.attr_set |= a.bits();
        } else if e.cleared.contains(*ms) {
            attr.attr_clr |= a.bits();
        }
    }
    if (e.set | e.cleared).intersects(ATIME) {
        attr.attr_clr |= MountAttr::MOUNT_ATTR__ATIME.bits();
        if e.set.contains(Ms::MS_NOATIME) {
            attr.attr_set |= MountAttr::MOUNT_ATTR_NOATIME.bits();
        } else if e.set.contains(Ms::MS_STRICTATIME) {
            attr.attr_set |= MountAttr::MOUNT_ATTR_STRICTATIME.bits();
        }
    }
    attr
}

fn attr_is_empty(a: &Attr) -> bool {
    a.attr_set == 0 && a.attr_clr == 0
}

/// What one mount does, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    New,
    Bind,
    Move,
    Remount,
    Propagation,
}

/// The context util-linux's messages need.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    source: Option<&'a OsStr>,
    target: &'a OsStr,
    fstype: Option<&'a OsStr>,
    flags: Ms,
    rw_only: bool,
}

fn mount_one(o: &Opts, r: &Request, out: &mut Out) -> Result<()> {
    let target = r.target.as_os_str();
    let mut e = evaluate(&r.options)
        .map_err(|m| Failure::msg(format!("{}: {m}.", show(target))).with_code(mnt::USAGE))?;
    e.propagation.extend(o.make.iter().copied());
    let flags = e.set | o.oper;
    let op = if flags.contains(Ms::MS_MOVE) {
        Op::Move
    } else if flags.contains(Ms::MS_REMOUNT) {
        Op::Remount
    } else if flags.contains(Ms::MS_BIND) {
        Op::Bind
    } else if r.source.is_none() && r.fstype.is_none() && !e.propagation.is_empty() {
        Op::Propagation
    } else {
        Op::New
    };
    if matches!(op, Op::New | Op::Remount) && e.data.len() > MAX_DATA {
        return Err(Failure::msg(format!(
            "{}: mount options too long ({} bytes; mount(2) takes at most {MAX_DATA}).",
            show(&canonical(target)),
            e.data.len()
        ))
        .with_code(mnt::USAGE));
    }
    let mkdir = e.mkdir.or(match &o.mkdir {
        None => None,
        Some(None) => Some(0o755),
        Some(Some(m)) => Some(parse_mode(m.as_bytes()).ok_or_else(|| {
            Failure::msg(format!(
                "{}: failed to parse mount options 'X-mount.mkdir={}'.",
                show(target),
                show(m)
            ))
            .with_code(mnt::USAGE)
        })?),
    });
    if !o.fake {
        if let Some(mode) = mkdir {
            mkdir_p(target, mode)?;
        }
        let ctx = Ctx {
            source: r.source.as_deref(),
            target,
            fstype: r.fstype.as_deref(),
            flags,
            rw_only: o.rw_only,
        };
        let data = (!e.data.is_empty()).then_some(e.data.as_slice());
        match op {
            Op::New => new_mount(&ctx, &e, data)?,
            Op::Bind => bind(&ctx, &e, flags.contains(Ms::MS_REC))?,
            Op::Move => {
                sys::mount(NAME, ctx.source, target, None, Ms::MS_MOVE, None)
                    .map_err(|err| mount_error(err, &ctx))?;
            }
            Op::Remount => remount(&ctx, &e, flags, data)?,
            Op::Propagation => {}
        }
        for p in &e.propagation {
            sys::mount(NAME, None, target, None, *p, None).map_err(|err| {
                if err == Errno::EINVAL {
                    syscall_failure(target, "not mount point or bad option")
                } else {
                    mount_error(err, &Ctx { flags: *p, ..ctx })
                }
            })?;
        }
    }
    if o.verbose {
        verbose_line(op, flags.contains(Ms::MS_BIND), r, out)?;
    }
    Ok(())
}

/// `mount: SOURCE mounted on TARGET.` and the other success lines of util-linux `-v`.
fn verbose_line(op: Op, bind: bool, r: &Request, out: &mut Out) -> Result<()> {
    let target = show(&canonical(&r.target));
    let source = || match (&r.source, op) {
        (Some(s), Op::Bind | Op::Move) => show(&canonical(s)),
        (Some(s), _) => show(s),
        (None, _) => live_source(&r.target),
    };
    let line = match op {
        Op::Propagation => format!("{target} propagation flags changed"),
        Op::Move => format!("{} moved to {target}", source()),
        Op::Bind => format!("{} bound on {target}", source()),
        Op::Remount if bind => format!("{} bound on {target}", source()),
        Op::New | Op::Remount => format!("{} mounted on {target}", source()),
    };
    out.str(&format!("{NAME}: {line}.\n"))
}

/// The source of the mount at `target`, from the live table (remount messages only).
fn live_source(target: &OsStr) -> String {
    let canon = canonical(target);
    live(NAME)
        .ok()
        .and_then(|t| t.into_iter().rev().find(|m| m.target() == canon.as_bytes()))
        .map_or_else(|| "none".into(), |m| escape::control(m.source()))
}

/// `mkdir -p` with `mode` for every missing component (`X-mount.mkdir`).
fn mkdir_p(target: &OsStr, mode: u32) -> Result<()> {
    let path = Path::new(target);
    if path.symlink_metadata().is_ok() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut p = Some(path);
    while let Some(dir) = p {
        if dir.as_os_str().is_empty() || dir.symlink_metadata().is_ok() {
            break;
        }
        missing.push(dir);
        p = dir.parent();
    }
    for dir in missing.into_iter().rev() {
        match sys::mkdir(NAME, dir.as_os_str(), mode) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(err) => {
                return Err(Failure::msg(format!(
                    "{}: failed to create mountpoint: {}",
                    show(dir.as_os_str()),
                    common::strerror(err)
                ))
                .with_code(mnt::FAIL));
            }
        }
    }
    Ok(())
}

/// A new filesystem: one `mount(2)`, with util-linux's read-only fallback for a
/// write-protected source unless `-w` was given.
fn new_mount(ctx: &Ctx, e: &Eval, data: Option<&[u8]>) -> Result<()> {
    let flags = e.set - Ms::MS_REC;
    let first = sys::mount(NAME, ctx.source, ctx.target, ctx.fstype, flags, data);
    let result = match first {
        Err(Errno::EACCES | Errno::EROFS) if !flags.contains(Ms::MS_RDONLY) && !ctx.rw_only => {
            let again = sys::mount(
                NAME,
                ctx.source,
                ctx.target,
                ctx.fstype,
                flags | Ms::MS_RDONLY,
                data,
            );
            if again.is_ok() {
                warn(&format!(
                    "{}: WARNING: source write-protected, mounted read-only.",
                    show(&canonical(ctx.target))
                ));
            }
            again.map_err(|_| first.err().unwrap_or(Errno::EACCES))
        }
        other => other,
    };
    result.map_err(|err| mount_error(err, ctx))?;
    apply_recursive(ctx, e)
}

/// A line on stderr that is not a failure (util-linux's `warnx`).
pub(crate) fn warn(line: &str) {
    use std::io::Write;
    // One write per line, so lines of several tools never interleave mid-line.
    let _ = std::io::stderr().write_all(format!("{NAME}: {line}\n").as_bytes());
}

fn apply_recursive(ctx: &Ctx, e: &Eval) -> Result<()> {
    if attr_is_empty(&e.recursive) {
        return Ok(());
    }
    sys::mount_setattr_path(NAME, ctx.target, true, &e.recursive)
        .map_err(|err| mount_error(err, ctx))
}

/// A bind mount. Without per-mount flags it is one `mount(MS_BIND)`. With them, the new
/// API builds the mount detached and attaches it finished, so it is never visible
/// writable (research/security.md §1.1, CVE-2026-53614): `open_tree(OPEN_TREE_CLONE)`,
/// `mount_setattr`, `move_mount`. Kernels without it (ENOSYS) get util-linux's two steps:
/// `mount(MS_BIND)` then `mount(MS_REMOUNT|MS_BIND|flags)`, repeating the flags the kernel
/// keeps locked so the remount is not refused (util-linux#1705); so does
/// `LIBMOUNT_FORCE_MOUNT2=always`.
fn bind(ctx: &Ctx, e: &Eval, recursive: bool) -> Result<()> {
    let attr = vfs_attr(e);
    let base = if recursive {
        Ms::MS_BIND | Ms::MS_REC
    } else {
        Ms::MS_BIND
    };
    let fail = |err| mount_error(err, ctx);
    if attr_is_empty(&attr) && attr_is_empty(&e.recursive) {
        return sys::mount(NAME, ctx.source, ctx.target, None, base, None).map_err(fail);
    }
    // util-linux's escape hatch (2.39.1, PR #2297) also selects the two-step path here.
    let force_mount2 = std::env::var_os("LIBMOUNT_FORCE_MOUNT2").is_some_and(|v| v == "always");
    if !force_mount2 {
        let source = ctx.source.unwrap_or(OsStr::new("none"));
        let mut flags = OpenTree::OPEN_TREE_CLONE | OpenTree::OPEN_TREE_CLOEXEC;
        flags.set(OpenTree::AT_RECURSIVE, recursive);
        let attached = sys::open_tree(NAME, source, flags).and_then(|fd| {
            if !attr_is_empty(&attr) {
                sys::mount_setattr_fd(NAME, &fd, false, &attr)?;
            }
            if !attr_is_empty(&e.recursive) {
                sys::mount_setattr_fd(NAME, &fd, true, &e.recursive)?;
            }
            sys::move_mount(NAME, &fd, ctx.target)
        });
        match attached {
            Err(Errno::ENOSYS) => {}
            other => return other.map_err(fail),
        }
    }
    sys::mount(NAME, ctx.source, ctx.target, None, base, None).map_err(fail)?;
    if !attr_is_empty(&attr) {
        let now = sys::mount_flags(NAME, ctx.target).map_err(fail)?;
        let flags = ((now - e.cleared) | e.set) & opts::vfs_flags();
        sys::mount(
            NAME,
            None,
            ctx.target,
            None,
            Ms::MS_REMOUNT | Ms::MS_BIND | flags,
            None,
        )
        .map_err(fail)?;
    }
    apply_recursive(ctx, e)
}

/// `-o remount[,bind],...`: the mount's current per-mount flags are the base the keywords
/// change (libmount merges the mount table's options the same way), so `remount,size=2m`
/// keeps a read-only mount read-only.
fn remount(ctx: &Ctx, e: &Eval, flags: Ms, data: Option<&[u8]>) -> Result<()> {
    let fail = |err| mount_error(err, ctx);
    let only_recursive =
        (e.set - Ms::MS_REMOUNT - Ms::MS_BIND).is_empty() && e.cleared.is_empty() && data.is_none();
    if !only_recursive || attr_is_empty(&e.recursive) {
        let now = sys::mount_flags(NAME, ctx.target).map_err(fail)?;
        let vfs = ((now - e.cleared) | e.set) & opts::vfs_flags();
        let other = e.set - opts::vfs_flags();
        let call = vfs | other | (flags & Ms::MS_BIND) | Ms::MS_REMOUNT;
        sys::mount(NAME, None, ctx.target, None, call, data).map_err(fail)?;
    }
    apply_recursive(ctx, e)
}

fn syscall_failure(target: &OsStr, message: &str) -> Failure {
    Failure::msg(format!("{}: {message}.", show(&canonical(target))))
        .with_hint(DMESG)
        .with_code(mnt::FAIL)
}

/// util-linux's message for a failed mount system call (`mnt_context_get_mount_excode`).
fn mount_error(err: Errno, ctx: &Ctx) -> Failure {
    use nix::sys::stat::{SFlag, lstat, stat};
    let is_dir = |p: &OsStr| {
        stat(p)
            .is_ok_and(|st| SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR)
    };
    let is_reg = |p: &OsStr| {
        stat(p)
            .is_ok_and(|st| SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFREG)
    };
    let path_src = ctx.flags.intersects(Ms::MS_BIND | Ms::MS_MOVE);
    let src = match ctx.source {
        Some(s) if path_src => show(&canonical(s)),
        Some(s) => show(s),
        None => "none".into(),
    };
    let src_missing = ctx.source.is_some_and(|s| stat(s).is_err());
    let tgt = ctx.target;
    let message = match err {
        Errno::EPERM if nix::unistd::geteuid().is_root() => {
            if is_dir(tgt) || (ctx.flags.contains(Ms::MS_BIND) && is_reg(tgt)) {
                "permission denied".to_string()
            } else {
                "mount point is not a directory".to_string()
            }
        }
        Errno::EPERM => "must be superuser to use mount".to_string(),
        Errno::EBUSY if ctx.flags.contains(Ms::MS_REMOUNT) => "mount point is busy".to_string(),
        Errno::EBUSY => format!("{src} already mounted or mount point busy"),
        Errno::ENOENT if lstat(tgt).is_err() => "mount point does not exist".to_string(),
        Errno::ENOENT if stat(tgt).is_err() => {
            "mount point is a symbolic link to nowhere".to_string()
        }
        Errno::ENOENT if src_missing => format!("special device {src} does not exist"),
        Errno::ENOTDIR if !is_dir(tgt) => "mount point is not a directory".to_string(),
        Errno::ENOTDIR if src_missing => {
            format!("special device {src} does not exist (a path prefix is not a directory)")
        }
        Errno::EINVAL if ctx.flags.contains(Ms::MS_REMOUNT) => {
            "mount point not mounted or bad option".to_string()
        }
        Errno::EINVAL
            if ctx.flags.contains(Ms::MS_MOVE) && ctx.source.is_some_and(under_shared) =>
        {
            "bad option; moving a mount residing under a shared mount is unsupported".to_string()
        }
        Errno::EINVAL => format!(
            "wrong fs type, bad option, bad superblock on {src}, missing codepage or helper program, or other error"
        ),
        Errno::EMFILE => "mount table full".to_string(),
        Errno::EIO => format!("can't read superblock on {src}"),
        Errno::ENODEV => match ctx.fstype {
            Some(t) => format!("unknown filesystem type '{}'", show(t)),
            None => "unknown filesystem type".to_string(),
        },
        Errno::ENOTBLK if src_missing => format!("{src} is not a block device, and stat(2) fails?"),
        Errno::ENOTBLK if ctx.source.is_some_and(is_reg) => {
            format!("{src} is not a block device; try \"-o loop\"")
        }
        Errno::ENOTBLK => format!("{src} is not a block device"),
        Errno::ENXIO => format!("{src} is not a valid block device"),
        Errno::EACCES | Errno::EROFS if ctx.flags.contains(Ms::MS_RDONLY) => {
            format!("cannot mount {src} read-only")
        }
        Errno::EACCES | Errno::EROFS if ctx.rw_only => {
            format!("{src} is write-protected but explicit read-write mode requested")
        }
        Errno::EACCES | Errno::EROFS if ctx.flags.contains(Ms::MS_REMOUNT) => {
            format!("cannot remount {src} read-write, is write-protected")
        }
        Errno::EACCES | Errno::EROFS if ctx.flags.contains(Ms::MS_BIND) => {
            format!("bind {src} failed")
        }
        Errno::ENOMEDIUM => format!("no medium found on {src}"),
        other => format!("mount(2) system call failed: {}", common::strerror(other)),
    };
    syscall_failure(tgt, &message)
}

/// Whether the mount `path` resides in (the nearest mount point above it) is shared: the
/// kernel refuses to move a mount out of a shared parent (libmount's `is_shared_tree`).
fn under_shared(path: &OsStr) -> bool {
    let Ok(mounts) = live(NAME) else {
        return false;
    };
    let canon = canonical(path);
    let mut dir = Path::new(&canon).parent();
    while let Some(d) = dir {
        if let Some(m) = mounts
            .iter()
            .rev()
            .find(|m| m.target() == d.as_os_str().as_bytes())
        {
            return m.is_shared();
        }
        dir = d.parent();
    }
    false
}

/// No operands: `SOURCE on TARGET type FSTYPE (OPTIONS)` for every mount (or those of
/// `-t`). Every control byte and invalid UTF-8 byte is printed as `\xNN`: util-linux
/// prints the source raw (research/security.md §4 D6).
fn list(o: &Opts, out: &mut Out) -> Result<()> {
    for m in live(NAME)? {
        if let Some(t) = &o.types
            && !opts::match_types(m.fstype(), t.as_bytes())
        {
            continue;
        }
        out.str(&format!(
            "{} on {} type {} ({})\n",
            escape::control(m.source()),
            escape::control(m.target()),
            escape::control(m.fstype()),
            escape::control(&merged_options(&m))
        ))?;
    }
    Ok(())
}

/// The per-mount options followed by the superblock's, with one `ro`/`rw` in front: what
/// libmount shows as a mount's options (and /proc/mounts nearly).
fn merged_options(m: &Entry) -> Vec<u8> {
    let ro = opts::split(m.vfs_options())
        .chain(opts::split(m.fs_options()))
        .any(|o| o == b"ro");
    let mut merged = if ro { b"ro".to_vec() } else { b"rw".to_vec() };
    for item in opts::split(m.vfs_options()).chain(opts::split(m.fs_options())) {
        if item != b"ro" && item != b"rw" {
            push_option(&mut merged, item);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("mount")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn opts(list: &[&str]) -> Opts {
        match parse(args(list)) {
            Ok(Action::Run(o)) => *o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_option_is_in_the_man_page() {
        crate::both::assert_in_man_page(include_str!("../man/mount.8"), LONGS, SHORTS);
    }

    #[test]
    fn every_accepted_option_is_in_usage() {
        crate::both::assert_in_usage(USAGE, LONGS, SHORTS, &['s']);
    }

    #[test]
    fn options_keep_command_line_order() {
        let o = opts(&[
            "-o", "ro", "-w", "-o", "size=1m", "-r", "-t", "tmpfs", "a", "b",
        ]);
        assert_eq!(o.options, b"ro,rw,size=1m,ro");
        assert!(o.rw_only);
        assert_eq!(o.types.as_deref(), Some(OsStr::new("tmpfs")));
        assert_eq!(o.operands, vec![OsString::from("a"), OsString::from("b")]);
    }

    #[test]
    fn operations_and_make() {
        let o = opts(&["--rbind", "--make-rprivate", "--make-shared", "-M", "a"]);
        assert_eq!(o.oper, Ms::MS_BIND | Ms::MS_REC | Ms::MS_MOVE);
        assert_eq!(o.make, vec![Ms::MS_PRIVATE | Ms::MS_REC, Ms::MS_SHARED]);
        for (name, flag) in MAKE {
            assert_eq!(opts(&[&format!("--{name}"), "x"]).make, vec![*flag]);
        }
        assert_eq!(opts(&["-m", "x"]).mkdir, Some(None));
        assert_eq!(opts(&["-m0700", "x"]).mkdir, Some(Some("0700".into())));
        assert_eq!(
            opts(&["--mkdir=0700", "x"]).mkdir,
            Some(Some("0700".into()))
        );
    }

    #[test]
    fn last_keyword_wins() {
        let e = evaluate(b"ro,rw,noexec,exec,nosuid,size=1m,mode=755").unwrap();
        assert_eq!(e.set, Ms::MS_NOSUID);
        assert_eq!(e.cleared, Ms::MS_RDONLY | Ms::MS_NOEXEC);
        assert_eq!(e.data, b"size=1m,mode=755");
        let e = evaluate(b"rw,ro").unwrap();
        assert_eq!(e.set, Ms::MS_RDONLY);
        let e = evaluate(b"noatime,relatime").unwrap();
        assert_eq!(e.set, Ms::MS_RELATIME);
    }

    #[test]
    fn userspace_keywords_never_reach_the_kernel() {
        let e = evaluate(b"defaults,noauto,user,users,nofail,_netdev,x-systemd.a,comment=x,X-y")
            .unwrap();
        assert_eq!(e, Eval::default());
    }

    #[test]
    fn x_mount_options() {
        assert_eq!(evaluate(b"X-mount.mkdir").unwrap().mkdir, Some(0o755));
        assert_eq!(evaluate(b"X-mount.mkdir=0700").unwrap().mkdir, Some(0o700));
        assert_eq!(evaluate(b"x-mount.mkdir").unwrap().mkdir, Some(0o755));
        assert_eq!(
            evaluate(b"X-mount.mkdir=99").unwrap_err(),
            "failed to parse mount options 'X-mount.mkdir=99'"
        );
        assert_eq!(
            evaluate(b"X-mount.subdir=a").unwrap_err(),
            "unsupported option 'X-mount.subdir=a'"
        );
    }

    #[test]
    fn recursive_attributes() {
        let e =
            evaluate(b"ro=recursive,nosuid=recursive,noatime=recursive,exec=recursive").unwrap();
        assert_eq!(
            e.recursive.attr_set,
            (MountAttr::MOUNT_ATTR_RDONLY
                | MountAttr::MOUNT_ATTR_NOSUID
                | MountAttr::MOUNT_ATTR_NOATIME)
                .bits()
        );
        assert_eq!(
            e.recursive.attr_clr,
            (MountAttr::MOUNT_ATTR__ATIME | MountAttr::MOUNT_ATTR_NOEXEC).bits()
        );
        assert!(evaluate(b"ro=vfs").is_err());
        assert!(evaluate(b"sync=recursive").is_err());
    }

    #[test]
    fn vfs_attributes_of_a_bind() {
        let e = evaluate(b"ro,nosuid,dev,noatime").unwrap();
        let a = vfs_attr(&e);
        assert_eq!(
            a.attr_set,
            (MountAttr::MOUNT_ATTR_RDONLY
                | MountAttr::MOUNT_ATTR_NOSUID
                | MountAttr::MOUNT_ATTR_NOATIME)
                .bits()
        );
        assert_eq!(
            a.attr_clr,
            (MountAttr::MOUNT_ATTR_NODEV | MountAttr::MOUNT_ATTR__ATIME).bits()
        );
    }

    #[test]
    fn propagation_only_forms() {
        assert!(propagation_only(&opts(&["--make-private", "x"])));
        assert!(propagation_only(&opts(&["-o", "rprivate", "x"])));
        assert!(!propagation_only(&opts(&["-o", "rprivate,ro", "x"])));
        assert!(!propagation_only(&opts(&["x"])));
    }

    #[test]
    fn errno_messages_as_util_linux_words_them() {
        let ctx = |flags, rw_only| Ctx {
            source: Some(OsStr::new("/nonexistent-src")),
            target: OsStr::new("/"),
            fstype: Some(OsStr::new("xfs")),
            flags,
            rw_only,
        };
        let m = |err, flags| mount_error(err, &ctx(flags, false)).message();
        let none = Ms::empty();
        let rows: &[(Errno, Ms, &str)] = &[
            (
                Errno::EBUSY,
                none,
                "/nonexistent-src already mounted or mount point busy",
            ),
            (Errno::EBUSY, Ms::MS_REMOUNT, "mount point is busy"),
            (
                Errno::EINVAL,
                Ms::MS_REMOUNT,
                "mount point not mounted or bad option",
            ),
            (
                Errno::EINVAL,
                none,
                "wrong fs type, bad option, bad superblock on /nonexistent-src, missing codepage or helper program, or other error",
            ),
            (Errno::EMFILE, none, "mount table full"),
            (
                Errno::EIO,
                none,
                "can't read superblock on /nonexistent-src",
            ),
            (Errno::ENODEV, none, "unknown filesystem type 'xfs'"),
            (
                Errno::ENOTBLK,
                none,
                "/nonexistent-src is not a block device, and stat(2) fails?",
            ),
            (
                Errno::ENXIO,
                none,
                "/nonexistent-src is not a valid block device",
            ),
            (
                Errno::EROFS,
                Ms::MS_RDONLY,
                "cannot mount /nonexistent-src read-only",
            ),
            (
                Errno::EACCES,
                Ms::MS_REMOUNT,
                "cannot remount /nonexistent-src read-write, is write-protected",
            ),
            (Errno::EACCES, Ms::MS_BIND, "bind /nonexistent-src failed"),
            (
                Errno::EACCES,
                none,
                "mount(2) system call failed: Permission denied",
            ),
            (
                Errno::ENOMEDIUM,
                none,
                "no medium found on /nonexistent-src",
            ),
            (
                Errno::ENOENT,
                none,
                "special device /nonexistent-src does not exist",
            ),
            (
                Errno::E2BIG,
                none,
                "mount(2) system call failed: Argument list too long",
            ),
        ];
        for (err, flags, text) in rows {
            assert_eq!(m(*err, *flags), format!("/: {text}."), "{err:?}");
        }
        assert_eq!(
            mount_error(Errno::EROFS, &ctx(none, true)).message(),
            "/: /nonexistent-src is write-protected but explicit read-write mode requested."
        );
        let f = mount_error(Errno::EIO, &ctx(none, false));
        assert_eq!(f.code(), Some(mnt::FAIL));
    }

    /// Random option lists built from keywords, values, quotes, commas and odd bytes: the
    /// evaluation never panics, never loses a data item to the kernel and never passes a
    /// keyword on as data.
    #[test]
    fn random_option_lists() {
        const PIECES: &[&[u8]] = &[
            b"ro",
            b"rw",
            b"bind",
            b"rprivate",
            b"noauto",
            b"user=",
            b"X-mount.mkdir",
            b"X-mount.mkdir=",
            b"x-mount.",
            b"=recursive",
            b"ro=recursive",
            b"size=1m",
            b"\"",
            b",",
            b",,",
            b"=",
            b"\xff",
            b"\x00",
            b"\n",
            b"7",
            b"mode=0",
            b"comment",
            b"X-",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = next() % 12;
            let list: Vec<u8> = (0..len)
                .flat_map(|_| {
                    PIECES[(next() % PIECES.len() as u64) as usize]
                        .iter()
                        .copied()
                })
                .collect();
            if let Ok(e) = evaluate(&list) {
                assert!(e.data.len() <= list.len());
                for item in opts::split(&e.data) {
                    assert_eq!(
                        opts::lookup(item),
                        None,
                        "{:?}",
                        String::from_utf8_lossy(&list)
                    );
                }
            }
        }
    }

    #[test]
    fn options_as_libmount_merges_them() {
        let m = Entry::default()
            .with(common::table::Field::VfsOptions, b"rw,nosuid,relatime")
            .with(common::table::Field::FsOptions, b"ro,size=4k");
        assert_eq!(merged_options(&m), b"ro,nosuid,relatime,size=4k");
    }
}
