//! unshare: run a program with some namespaces unshared from the parent, as util-linux
//! `unshare(1)` does: the same options, messages, order of operations and exit codes
//! (1 for usage errors and failures, 126/127 when the program cannot run / is not found,
//! otherwise the program's own status).
//!
//! Deliberate differences from util-linux 2.38 (research/security.md §4, DESIGN.md §3):
//! ids are u32 and never wrap (`--map-user=4294967296` is an error, not root); a child
//! killed by SIGKILL makes unshare die by SIGKILL (137, not exit 1); `--setgroups=deny`
//! with `-r` works (written before the maps, not after); a `--mount=FILE` on a shared mount
//! is refused up front with the reason, and works from any CPU on Linux 6.18 (see
//! `renumber_mount_ns`); the program starts only after its namespaces are persisted;
//! unshare(2) failures say what to do (add `-U -r`, pivot_root instead of chroot, the
//! sysctl that disables them); the `--monotonic` error names `-T` (2.38 says
//! `-t`) and `no line matching user` does not end in `: Success`; a child that dumps core
//! does not make unshare dump a second core when it dies by the same signal.
//! util-linux 2.39's `INNER:OUTER:COUNT` and 2.38's `OUTER,INNER,COUNT` both work for
//! `--map-users`; `--owner`, `--mount-binfmt`, `--load-interp`,
//! `--clear-env` and `--whitelist-env` (2.41+) are not implemented.
//!
//! The order of operations is util-linux's (research/features.md §1.2): helpers that must
//! stay in the old namespaces (to bind-mount `/proc/PID/ns/*` onto FILEs, and to write
//! range id maps) are forked before unshare(2) and woken after it; then the time offsets,
//! the fork, the single id maps (written by the process itself, `deny` to setgroups
//! first), the propagation of `/`, chroot/chdir, the proc mount, setgid/setuid, ambient
//! capabilities, exec.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStringExt;
use std::path::Path;

use anyhow::Context;
use common::child::{self, End, WaitSignals};
use common::longopt::{self, HasArg, Long, long};
use common::ns::{KINDS, Kind};
use common::usage::{from_lexopt, lossy};
use common::{Failure, Result, ResultExt, exit, trace};
use nix::errno::Errno;
use nix::libc::c_int;
use nix::mount::MsFlags;
use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid};

pub mod maps;
mod sys;

use maps::{Block, Range, Spec};

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "unshare";

const USAGE: &str = "
Usage:
 unshare [options] [<program> [<argument>...]]

Run a program with some namespaces unshared from the parent.

Options:
 -m, --mount[=<file>]      unshare mounts namespace
 -u, --uts[=<file>]        unshare UTS namespace (hostname etc)
 -i, --ipc[=<file>]        unshare System V IPC namespace
 -n, --net[=<file>]        unshare network namespace
 -p, --pid[=<file>]        unshare pid namespace
 -U, --user[=<file>]       unshare user namespace
 -C, --cgroup[=<file>]     unshare cgroup namespace
 -T, --time[=<file>]       unshare time namespace

 -f, --fork                fork before launching <program>
 --map-user=<uid>|<name>   map current user to uid (implies --user)
 --map-group=<gid>|<name>  map current group to gid (implies --user)
 -r, --map-root-user       map current user to root (implies --user)
 -c, --map-current-user    map current user to itself (implies --user)
 --map-auto                map users and groups automatically (implies --user)
 --map-subids              map the first block of user IDs owned by euid (implies --user)
 --map-users=<inneruid>:<outeruid>:<count>|auto|subids|all
                           map count users from outeruid to inneruid (implies --user)
 --map-groups=<innergid>:<outergid>:<count>|auto|subids|all
                           map count groups from outergid to innergid (implies --user)

 --kill-child[=<signame>]  when dying, kill the forked child (implies --fork)
                             defaults to SIGKILL
 --forward-signals         forward SIGTERM and SIGINT to child (implies --fork)
 --mount-proc[=<dir>]      mount proc filesystem first (implies --mount)
 --propagation slave|shared|private|unchanged
                           modify mount propagation in mount namespace
 --setgroups allow|deny    control the setgroups syscall in user namespaces
 --keep-caps               retain capabilities granted in user namespaces

 -R, --root=<dir>          run the command with root directory set to <dir>
 -w, --wd=<dir>            change working directory to <dir>
 -S, --setuid <uid>        set uid in entered namespace
 -G, --setgid <gid>        set gid in entered namespace
 --monotonic <offset>      set clock monotonic offset (seconds) in time namespaces
 --boottime <offset>       set clock boottime offset (seconds) in time namespaces

 -h, --help                display this help
 -V, --version             display version

A <file> must exist; it keeps the namespace alive until 'umount <file>'. The
--mount <file> must not be on a shared mount; --pid <file> needs --fork.
Without --fork, --pid makes the first child of <program> pid 1 of the new
namespace, not <program> itself: once that child exits, <program> cannot fork.
--map-users=all maps every id of the current namespace; 'auto' maps the
caller's block of /etc/subuid and /etc/subgid from 0, 'subids' to itself.
Range maps are written through newuidmap and newgidmap unless unshare runs
as root.

For more details see unshare(1).
";

/// The long options, in util-linux's order (getopt lists ambiguous matches so).
const LONGS: &[Long] = &[
    long("help", HasArg::No),
    long("version", HasArg::No),
    long("mount", HasArg::Optional),
    long("uts", HasArg::Optional),
    long("ipc", HasArg::Optional),
    long("net", HasArg::Optional),
    long("pid", HasArg::Optional),
    long("user", HasArg::Optional),
    long("cgroup", HasArg::Optional),
    long("time", HasArg::Optional),
    long("fork", HasArg::No),
    long("kill-child", HasArg::Optional),
    long("forward-signals", HasArg::No),
    long("mount-proc", HasArg::Optional),
    long("map-user", HasArg::Required),
    long("map-users", HasArg::Required),
    long("map-group", HasArg::Required),
    long("map-groups", HasArg::Required),
    long("map-root-user", HasArg::No),
    long("map-current-user", HasArg::No),
    long("map-auto", HasArg::No),
    long("map-subids", HasArg::No),
    long("propagation", HasArg::Required),
    long("setgroups", HasArg::Required),
    long("keep-caps", HasArg::No),
    long("setuid", HasArg::Required),
    long("setgid", HasArg::Required),
    long("root", HasArg::Required),
    long("wd", HasArg::Required),
    long("monotonic", HasArg::Required),
    long("boottime", HasArg::Required),
];

/// The short options besides the namespace letters (those come from `common::ns`), and the
/// long option each one is: util-linux's getopt string `+fhVmuinpCTUrR:w:S:G:c`.
const SHORTS: &[(char, &str)] = &[
    ('h', "help"),
    ('V', "version"),
    ('f', "fork"),
    ('r', "map-root-user"),
    ('c', "map-current-user"),
    ('R', "root"),
    ('w', "wd"),
    ('S', "setuid"),
    ('G', "setgid"),
];

/// `--propagation` keywords and the flags util-linux applies to `/` (`unchanged`: none).
const PROPAGATION: &[(&str, MsFlags)] = &[
    ("slave", MsFlags::MS_REC.union(MsFlags::MS_SLAVE)),
    ("private", MsFlags::MS_REC.union(MsFlags::MS_PRIVATE)),
    ("shared", MsFlags::MS_REC.union(MsFlags::MS_SHARED)),
    ("unchanged", MsFlags::empty()),
];

/// The default propagation of `/` in a new mount namespace (util-linux `f0f22e9c6`).
const DEFAULT_PROPAGATION: MsFlags = MsFlags::MS_REC.union(MsFlags::MS_PRIVATE);

/// `--setgroups` keywords.
const SETGROUPS: &[&str] = &["allow", "deny"];

/// Signal names util-linux knows besides the standard ones (`lib/signames.c`).
const SIGNAL_ALIASES: &[(&str, Signal)] = &[
    ("IOT", Signal::SIGABRT),
    ("CLD", Signal::SIGCHLD),
    ("POLL", Signal::SIGIO),
];

/// A `--map-user`/`--map-group` argument, resolved in `run()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapId {
    /// A name from /etc/passwd (/etc/group) or a number.
    Named(OsString),
    /// This id.
    Id(u32),
    /// `-c`: the caller's effective id.
    Current,
}

/// What to do, as the options said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Opts {
    /// `CLONE_NEW*` flags for unshare(2).
    pub flags: c_int,
    /// FILE to persist each kind on, indexed like `common::ns::KINDS`.
    pub persist: [Option<OsString>; 8],
    /// `-f`.
    pub fork: bool,
    /// `--kill-child`.
    pub kill_child: Option<Signal>,
    /// `--forward-signals`.
    pub forward_signals: bool,
    /// `--mount-proc` directory.
    pub mount_proc: Option<OsString>,
    /// `--propagation` (default `MS_REC|MS_PRIVATE`).
    pub propagation: Option<MsFlags>,
    /// `--setgroups` keyword.
    pub setgroups: Option<&'static str>,
    /// `--map-user`, `-r`, `-c`.
    pub map_user: Option<MapId>,
    /// `--map-group`, `-r`, `-c`.
    pub map_group: Option<MapId>,
    /// `--map-users`, `--map-auto`.
    pub user_ranges: Vec<Spec>,
    /// `--map-groups`, `--map-auto`.
    pub group_ranges: Vec<Spec>,
    /// `-R`.
    pub root: Option<OsString>,
    /// `-w`.
    pub wd: Option<OsString>,
    /// `-S`.
    pub setuid: Option<u32>,
    /// `-G`.
    pub setgid: Option<u32>,
    /// `--keep-caps`.
    pub keep_caps: bool,
    /// `--monotonic`.
    pub monotonic: Option<i64>,
    /// `--boottime`.
    pub boottime: Option<i64>,
    /// The program and its arguments (empty: the shell).
    pub command: Vec<OsString>,
}

impl Opts {
    fn propagation(&self) -> MsFlags {
        self.propagation.unwrap_or(DEFAULT_PROPAGATION)
    }

    fn persisting(&self) -> bool {
        self.persist.iter().any(Option::is_some)
    }

    fn persist_mount(&self) -> bool {
        KINDS
            .iter()
            .zip(&self.persist)
            .any(|(k, f)| k.flag == nix::libc::CLONE_NEWNS && f.is_some())
    }
}

/// What the command line asks for.
pub type Action = common::longopt::Action<Box<Opts>>;

/// Parse the arguments (`argv[0]` first). Pure: names and subid files are read by `run()`.
pub fn parse(args: Vec<OsString>) -> Result<Action> {
    let mut parser = longopt::parser(args);
    let mut o = Opts::default();
    while let Some(arg) = parser.next().map_err(from_lexopt)? {
        let (name, value): (String, Option<OsString>) = match arg {
            lexopt::Arg::Value(program) => {
                o.command.push(program);
                o.command
                    .extend(parser.raw_args().map_err(from_lexopt)?.by_ref());
                break;
            }
            // The namespace letters take no argument (`-m=x` is `-m -= -x`, as with
            // getopt), though their long options take an optional one.
            lexopt::Arg::Short(c) => match Kind::by_short(c) {
                Some(kind) => (kind.long.to_string(), None),
                None => {
                    let (name, value) = longopt::short(&mut parser, c, LONGS, SHORTS)?;
                    (name.to_string(), value)
                }
            },
            lexopt::Arg::Long(given) => {
                let given = given.to_string();
                let (name, value) = longopt::take(&mut parser, LONGS, &given)?;
                (name.to_string(), value)
            }
        };
        if let Some(action) = apply(&mut o, &name, value)? {
            return Ok(action);
        }
    }
    if (o.monotonic.is_some() || o.boottime.is_some()) && o.flags & common::ns::CLONE_NEWTIME == 0 {
        return Err(Failure::msg(
            "options --monotonic and --boottime require unsharing of a time namespace (-T)",
        ));
    }
    Ok(Action::Run(Box::new(o)))
}

/// Apply one option (by its long name) to `o`; `Some` for `--help`/`--version`.
fn apply(o: &mut Opts, name: &str, value: Option<OsString>) -> Result<Option<Action>> {
    let text = |v: &Option<OsString>| v.as_deref().map(lossy).unwrap_or_default();
    let user = nix::libc::CLONE_NEWUSER;
    match name {
        "help" => return Ok(Some(Action::Help)),
        "version" => return Ok(Some(Action::Version)),
        "fork" => o.fork = true,
        "kill-child" => {
            o.fork = true;
            o.kill_child = Some(match &value {
                None => Signal::SIGKILL,
                Some(v) => signal_by_name(&lossy(v))
                    .ok_or_else(|| Failure::msg(format!("unknown signal: {}", lossy(v))))?,
            });
        }
        "forward-signals" => {
            o.fork = true;
            o.forward_signals = true;
        }
        "mount-proc" => {
            o.flags |= nix::libc::CLONE_NEWNS;
            o.mount_proc = Some(value.unwrap_or_else(|| "/proc".into()));
        }
        "map-user" | "map-group" => {
            o.flags |= user;
            let v = value.unwrap_or_default();
            let slot = if name == "map-user" {
                &mut o.map_user
            } else {
                &mut o.map_group
            };
            *slot = Some(MapId::Named(v));
        }
        "map-root-user" => {
            o.flags |= user;
            o.map_user = Some(MapId::Id(0));
            o.map_group = Some(MapId::Id(0));
        }
        "map-current-user" => {
            o.flags |= user;
            o.map_user = Some(MapId::Current);
            o.map_group = Some(MapId::Current);
        }
        "map-auto" | "map-subids" => {
            o.flags |= user;
            let spec = if name == "map-auto" {
                Spec::Auto
            } else {
                Spec::Subids
            };
            o.user_ranges.push(spec.clone());
            o.group_ranges.push(spec);
        }
        "map-users" | "map-groups" => {
            o.flags |= user;
            let spec = maps::parse_spec(&value.unwrap_or_default())?;
            if name == "map-users" {
                o.user_ranges.push(spec);
            } else {
                o.group_ranges.push(spec);
            }
        }
        "propagation" => {
            let v = text(&value);
            let flags = PROPAGATION
                .iter()
                .find(|(k, _)| *k == v)
                .map(|(_, f)| *f)
                .ok_or_else(|| Failure::msg(format!("unsupported propagation mode: {v}")))?;
            o.propagation = Some(flags);
        }
        "setgroups" => {
            let v = text(&value);
            o.setgroups = Some(
                SETGROUPS
                    .iter()
                    .find(|k| **k == v)
                    .copied()
                    .ok_or_else(|| {
                        Failure::msg(format!("unsupported --setgroups argument '{v}'"))
                    })?,
            );
        }
        "keep-caps" => o.keep_caps = true,
        "setuid" => o.setuid = Some(parse_id(&value, "uid")?),
        "setgid" => o.setgid = Some(parse_id(&value, "gid")?),
        "root" => o.root = value,
        "wd" => o.wd = value,
        "monotonic" => o.monotonic = Some(parse_offset(&value, "monotonic")?),
        "boottime" => o.boottime = Some(parse_offset(&value, "boottime")?),
        kind => {
            // The namespace options: the table says which.
            let Some((index, k)) = KINDS.iter().enumerate().find(|(_, k)| k.long == kind) else {
                return Err(Failure::usage(format!("unrecognized option '--{kind}'")));
            };
            o.flags |= k.flag;
            if let Some(file) = value {
                o.persist[index] = Some(file);
            }
        }
    }
    Ok(None)
}

/// A `-S`/`-G` id: u32, never 4294967295, no sign or space (`failed to parse uid: 'X'`).
fn parse_id(value: &Option<OsString>, what: &str) -> Result<u32> {
    let v = value.clone().unwrap_or_default();
    common::ids::parse(&v)
        .ok_or_else(|| Failure::msg(format!("failed to parse {what}: '{}'", lossy(&v))))
}

/// A `--monotonic`/`--boottime` offset in seconds.
fn parse_offset(value: &Option<OsString>, what: &str) -> Result<i64> {
    let v = value.as_deref().map(lossy).unwrap_or_default();
    v.parse::<i64>()
        .map_err(|_| Failure::msg(format!("failed to parse {what} offset: '{v}'")))
}

/// A signal by name as util-linux takes it: any case, `SIG` prefix optional.
fn signal_by_name(name: &str) -> Option<Signal> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    Signal::iterator()
        .find(|s| s.as_str().strip_prefix("SIG") == Some(bare))
        .or_else(|| {
            SIGNAL_ALIASES
                .iter()
                .find(|(alias, _)| *alias == bare)
                .map(|(_, s)| *s)
        })
}

/// The id maps to write, with every name and file resolved.
#[derive(Debug, Default)]
struct Plan {
    euid: u32,
    egid: u32,
    /// A single uid map the process writes itself: the inner uid.
    uid_single: Option<u32>,
    gid_single: Option<u32>,
    /// Range maps a helper writes (the single id merged in).
    uid_ranges: Vec<Range>,
    gid_ranges: Vec<Range>,
}

fn plan(o: &Opts) -> Result<Plan> {
    let euid = nix::unistd::geteuid().as_raw();
    let egid = nix::unistd::getegid().as_raw();
    let resolve =
        |id: &Option<MapId>, file: maps::IdFile, current: u32, what: &str| -> Result<Option<u32>> {
            Ok(match id {
                None => None,
                Some(MapId::Id(n)) => Some(*n),
                Some(MapId::Current) => Some(current),
                Some(MapId::Named(text)) => Some(maps::lookup_id(file, text).ok_or_else(|| {
                    Failure::msg(format!("failed to parse {what}: '{}'", lossy(text)))
                })?),
            })
        };
    let user = resolve(&o.map_user, maps::IdFile::Passwd, euid, "uid")?;
    let group = resolve(&o.map_group, maps::IdFile::Group, egid, "gid")?;
    // --map-auto and --map-subids name the caller in both /etc/subuid and /etc/subgid:
    // its passwd entry is read once, and only for them.
    let subids = |specs: &[Spec]| specs.iter().any(|s| matches!(s, Spec::Auto | Spec::Subids));
    let owner = (subids(&o.user_ranges) || subids(&o.group_ranges))
        .then(|| maps::user_by_id(euid))
        .flatten();
    let blocks = |specs: &[Spec], subid: &str, own: &str| -> Result<Vec<Block>> {
        let mut out = Vec::new();
        for spec in specs {
            match spec {
                Spec::Fixed(range) => out.push(Block {
                    range: *range,
                    open: false,
                }),
                Spec::Auto => out.push(maps::subid_block(subid, euid, owner.as_ref(), false)?),
                Spec::Subids => out.push(maps::subid_block(subid, euid, owner.as_ref(), true)?),
                Spec::All => out.extend(maps::own_map(own)?),
            }
        }
        Ok(out)
    };
    let ublocks = blocks(&o.user_ranges, "/etc/subuid", "/proc/self/uid_map")?;
    let gblocks = blocks(&o.group_ranges, "/etc/subgid", "/proc/self/gid_map")?;
    let mut p = Plan {
        euid,
        egid,
        ..Plan::default()
    };
    if ublocks.is_empty() {
        p.uid_single = user;
    } else {
        p.uid_ranges = maps::merge(&ublocks, user.map(|u| (u, euid)));
    }
    if gblocks.is_empty() {
        p.gid_single = group;
    } else {
        p.gid_ranges = maps::merge(&gblocks, group.map(|g| (g, egid)));
    }
    if p.gid_single.is_some() && o.setgroups == Some("allow") {
        // A single gid map needs `deny` first (user_namespaces(7), CVE-2014-8989).
        return Err(Failure::msg(
            "options --setgroups=allow and --map-group are mutually exclusive",
        ));
    }
    Ok(p)
}

/// A process forked before unshare(2) that stays in the old namespaces and waits to be
/// woken (util-linux `fork_and_wait()`); it ends when its work is done.
struct Helper {
    pid: Pid,
    wake: std::os::fd::OwnedFd,
}

/// The result of a fork: which side we are on.
enum Side<P, C = u8> {
    /// The parent, with what it keeps.
    Parent(P),
    /// The child (a helper: its exit status, to return from `main`).
    Child(C),
}

impl Helper {
    /// Fork a helper that runs `work` once woken (its errors printed by itself).
    fn spawn(work: impl FnOnce() -> Result<u8>) -> Result<Side<Helper>> {
        let (rd, wr) = sys::pipe(false)?;
        match child::fork(NAME).context("fork failed")? {
            ForkResult::Child => {
                drop(wr);
                // Woken: do the work. End of file: the parent gave up; nothing to do.
                let code = if sys::wait_byte(rd) {
                    common::finish(NAME, exit::FAILURE, exit::FAILURE, work())
                } else {
                    1
                };
                Ok(Side::Child(code))
            }
            ForkResult::Parent { child } => Ok(Side::Parent(Helper {
                pid: child,
                wake: wr,
            })),
        }
    }

    /// Wake the helper and wait for it; its failure (already reported) is ours.
    fn release(self) -> Result<()> {
        sys::send_byte(self.wake)?;
        match child::wait(NAME, self.pid).context("waitpid failed")? {
            End::Exited(0) => Ok(()),
            End::Exited(code) => Err(Failure::silent(code)),
            End::Signaled(_) => Err(Failure::silent(1)),
        }
    }

    /// The parent failed: let the helper see end of file, and reap it.
    fn abandon(self) {
        drop(self.wake);
        let _ = child::wait(NAME, self.pid);
    }
}

#[derive(Default)]
struct Helpers {
    bind: Option<Helper>,
    map: Option<Helper>,
}

/// Do it: returns the exit status (in every process that returns: the parent, the
/// program's process on an error before exec, a helper).
pub fn run(o: &Opts) -> Result<u8> {
    // An inherited SIGCHLD=SIG_IGN would make waitpid fail with ECHILD.
    child::default_sigchld(NAME).context("cannot reset SIGCHLD")?;
    let p = plan(o)?;
    check_persist_targets(o)?;
    let mut helpers = Helpers::default();
    let result = unshare_and_go(o, &p, &mut helpers);
    if result.is_err() {
        for h in [helpers.bind.take(), helpers.map.take()]
            .into_iter()
            .flatten()
        {
            h.abandon();
        }
    }
    result
}

fn unshare_and_go(o: &Opts, p: &Plan, helpers: &mut Helpers) -> Result<u8> {
    let me = nix::unistd::getpid();
    // The bind mounts must be made from the old mount namespace (and with the old user
    // namespace's privileges), so a helper forked now makes them once we have unshared.
    if o.persisting() && o.flags & (nix::libc::CLONE_NEWNS | nix::libc::CLONE_NEWUSER) != 0 {
        match Helper::spawn(|| bind_ns_files(me, o))? {
            Side::Child(code) => return Ok(code),
            Side::Parent(h) => helpers.bind = Some(h),
        }
    }
    // More than one map line needs CAP_SETUID in the parent user namespace: a helper
    // still there writes them (root) or runs newuidmap/newgidmap (user_namespaces(7)).
    if !p.uid_ranges.is_empty() || !p.gid_ranges.is_empty() {
        match Helper::spawn(|| write_range_maps(me, p))? {
            Side::Child(code) => return Ok(code),
            Side::Parent(h) => helpers.map = Some(h),
        }
    }
    // The kernel binds a mount namespace file only into an older mount namespace; remember
    // how old ours is (see `renumber_mount_ns`).
    let outer_ns = o.persist_mount().then(sys::mount_ns_id).flatten();
    sys::unshare(o.flags).map_err(|errno| unshare_failure(errno, o.flags, p.euid))?;
    if let Some(outer) = outer_ns {
        renumber_mount_ns(outer);
    }
    if let Some(h) = helpers.map.take() {
        h.release()?;
    }
    // timens_offsets can be written only before a process enters the time namespace
    // (time_namespaces(7)); CLOCK_BOOTTIME is 7, CLOCK_MONOTONIC 1.
    for (offset, clock) in [(o.boottime, 7), (o.monotonic, 1)] {
        if let Some(secs) = offset {
            sys::write_proc(
                "/proc/self/timens_offsets",
                &format!("{clock} {secs} 0"),
                false,
            )?;
        }
    }
    if o.fork {
        match fork_program(o, helpers)? {
            Side::Parent(code) => return Ok(code),
            Side::Child(()) => {}
        }
    } else if o.persisting() {
        persist(o, helpers.bind.take(), me)?;
    }
    setup_and_exec(o, p)
}

/// Make sure the new mount namespace is numbered above the old one, so the helper may bind
/// it onto FILE. Linux 6.18 hands out namespace ids from per-CPU batches, so a namespace
/// made on one CPU can be numbered below an older one made on another, and the kernel then
/// refuses the bind with EINVAL (`mnt_ns_loop()`; util-linux fails the same way, about
/// half the time on a 2-CPU machine). Nothing has happened in the new namespace yet, so an
/// identical copy made on another CPU, numbered from that CPU's batch, is as good.
fn renumber_mount_ns(outer: u64) {
    let newer = |id: Option<u64>| id.is_some_and(|id| id > outer);
    if newer(sys::mount_ns_id()) {
        return;
    }
    let Some(original) = sys::affinity() else {
        return;
    };
    for cpu in sys::online_cpus() {
        let mut one = nix::sched::CpuSet::new();
        if one.set(cpu).is_err() || sys::set_affinity(&one).is_err() {
            continue;
        }
        if sys::unshare(nix::libc::CLONE_NEWNS).is_ok() && newer(sys::mount_ns_id()) {
            break;
        }
    }
    // The caller's CPU mask is the program's again.
    let _ = sys::set_affinity(&original);
}

/// Fork the program's process; the parent persists the namespaces, lets the child go on,
/// waits and ends as the child ended.
fn fork_program(o: &Opts, helpers: &mut Helpers) -> Result<Side<u8, ()>> {
    let signals = if o.forward_signals {
        WaitSignals::forward(NAME).context("sigaction failed")?
    } else {
        WaitSignals::block(NAME).context("sigprocmask block failed")?
    };
    // --kill-child: the child sets PR_SET_PDEATHSIG, then checks that the parent did not
    // die before that: this pipe's write end lives exactly as long as the parent
    // (util-linux uses a pidfd; getppid() would not do, it is 0 in a new pid namespace).
    let watch = o.kill_child.map(|_| sys::pipe(true)).transpose()?;
    // Persisting: the program waits until its namespaces are bound (util-linux lets it
    // run meanwhile).
    let gate = if o.persisting() {
        Some(sys::pipe(false)?)
    } else {
        None
    };
    match child::fork(NAME).context("fork failed")? {
        ForkResult::Parent { child } => {
            signals.target(child);
            let _watch = watch.map(|(_, wr)| wr);
            // Bind the namespaces, then let the program go; if that fails, the program
            // must not run on in namespaces nobody asked for without their FILEs.
            let go = || -> Result<()> {
                if o.persisting() {
                    persist(o, helpers.bind.take(), nix::unistd::getpid())?;
                }
                match gate {
                    Some((_, wr)) => sys::send_byte(wr),
                    None => Ok(()),
                }
            };
            if let Err(e) = go() {
                let _ = child::kill(NAME, child, Signal::SIGKILL);
                let _ = child::wait(NAME, child);
                return Err(e);
            }
            let end = child::wait(NAME, child).context("waitpid failed")?;
            Ok(Side::Parent(end.pass_on()))
        }
        ForkResult::Child => {
            signals.restore().context("sigprocmask restore failed")?;
            // Our copies of the helpers' wake-up ends: not ours to use.
            helpers.bind = None;
            helpers.map = None;
            if let Some((rd, wr)) = gate {
                drop(wr);
                if !sys::wait_byte(rd) {
                    return Err(Failure::silent(1));
                }
            }
            if let (Some(sig), Some((rd, wr))) = (o.kill_child, watch) {
                drop(wr);
                sys::set_pdeathsig(sig)?;
                if sys::writer_gone(&rd) {
                    // Re-parented before prctl: nobody wants our status any more.
                    return Err(Failure::silent(1));
                }
            }
            Ok(Side::Child(()))
        }
    }
}

/// Bind the new namespaces onto their FILEs: through the helper if there is one, else
/// directly (no mount or user namespace was unshared, so this process still can).
fn persist(o: &Opts, helper: Option<Helper>, me: Pid) -> Result<()> {
    match helper {
        Some(h) => h.release(),
        None => bind_ns_files(me, o).map(|_| ()),
    }
}

/// `mount --bind /proc/PID/ns/KIND FILE` for every persisted kind, user namespace first.
fn bind_ns_files(pid: Pid, o: &Opts) -> Result<u8> {
    let pid = pid.as_raw().unsigned_abs();
    for (kind, file) in KINDS.iter().zip(&o.persist) {
        let Some(file) = file else { continue };
        let source = kind.proc_path(Some(pid), true);
        sys::mount(source.as_os_str(), file, None, MsFlags::MS_BIND)
            .with_context(|| format!("mount {} on {} failed", source.display(), lossy(file)))
            .hint(|f| {
                // The mount is not shared (checked up front); the kernel also refuses a
                // mount namespace that it numbers older than the binder's, and Linux 6.18
                // can number a namespace made on one CPU below an older one made on
                // another (observed: always EINVAL when the outer namespace was made on
                // CPU 1 and the new one on CPU 0, never when both ran on one CPU).
                match (kind.flag, f.errno()) {
                    (nix::libc::CLONE_NEWNS, Some(Errno::EINVAL)) => Some(format!(
                        "{NAME}: the kernel refused a mount namespace it numbers older than this \
                         one; namespaces made on different CPUs can be misnumbered: try again, \
                         or pin to one CPU (taskset -c 0)"
                    )),
                    // pid_for_children is empty until the first child enters the namespace.
                    (nix::libc::CLONE_NEWPID, Some(Errno::ENOENT)) => Some(format!(
                        "{NAME}: a new pid namespace exists only once a process is in it: add --fork"
                    )),
                    _ => None,
                }
            })?;
    }
    Ok(0)
}

/// Refuse FILEs that cannot work before anything is created: a missing FILE, and a
/// `--mount=FILE` on a shared mount (the kernel refuses the bind with EINVAL: it would
/// propagate into the new namespace itself, a loop; unshare(1) "NOTES").
fn check_persist_targets(o: &Opts) -> Result<()> {
    for (kind, file) in KINDS.iter().zip(&o.persist) {
        let Some(file) = file else { continue };
        std::fs::symlink_metadata(file).with_context(|| {
            format!(
                "cannot persist the {} namespace on '{}'",
                kind.name,
                lossy(file)
            )
        })?;
        if kind.flag != nix::libc::CLONE_NEWNS {
            continue;
        }
        if let Some((true, target)) = sys::mount_of(Path::new(file)) {
            let target = String::from_utf8_lossy(&target).into_owned();
            return Err(Failure::msg(format!(
                "cannot persist the mnt namespace on '{}': it is on a shared mount ({target})",
                lossy(file)
            ))
            .with_hint(format!(
                "{NAME}: make that mount private first, e.g. mount --make-private {target}"
            )));
        }
    }
    Ok(())
}

/// In the map helper: write the range maps of `pid` as root, else run newuidmap and
/// newgidmap (shadow-utils) which check /etc/subuid and /etc/subgid.
fn write_range_maps(pid: Pid, p: &Plan) -> Result<u8> {
    let maps = [
        ("uid_map", "newuidmap", &p.uid_ranges),
        ("gid_map", "newgidmap", &p.gid_ranges),
    ];
    for (file, helper, ranges) in maps {
        if ranges.is_empty() {
            continue;
        }
        if p.euid == 0 {
            sys::write_proc(
                &format!("/proc/{pid}/{file}"),
                &maps::map_text(ranges),
                false,
            )?;
            continue;
        }
        let args = maps::helper_args(ranges);
        let status = std::process::Command::new(helper)
            .arg(pid.to_string())
            .args(&args)
            .status();
        trace::line(
            NAME,
            &format!(
                "run {} = {}",
                trace::argv(
                    &[&[OsString::from(helper), pid.to_string().into()], &args[..]].concat()
                ),
                status
                    .as_ref()
                    .map_or_else(|e| e.to_string(), |s| s.to_string())
            ),
        );
        let status = status
            .with_context(|| format!("failed to execute {helper}"))
            .hint(|_| {
                Some(format!(
                    "{NAME}: mapping id ranges without root needs newuidmap and newgidmap \
                     (shadow-utils; Debian/Ubuntu package uidmap)"
                ))
            })?;
        if !status.success() {
            // newuidmap said why.
            return Ok(1);
        }
    }
    Ok(0)
}

/// unshare(2) failed: util-linux's message, and what to do about it.
fn unshare_failure(errno: Errno, flags: c_int, euid: u32) -> Failure {
    let failure: Failure = anyhow::Error::new(errno).context("unshare failed").into();
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let user = flags & nix::libc::CLONE_NEWUSER != 0;
    let hint = match errno {
        Errno::ENOSPC => {
            let disabled: Vec<&Kind> = common::ns::kinds_in(flags)
                .filter(|k| read(&k.limit_path().to_string_lossy()) == "0")
                .collect();
            Some(match disabled.first() {
                Some(k) => format!(
                    "{NAME}: {} namespaces are disabled: {} is 0",
                    k.long,
                    k.limit_path().display()
                ),
                None => format!(
                    "{NAME}: a namespace limit was reached (see /proc/sys/user/max_*_namespaces)"
                ),
            })
        }
        Errno::EPERM
            if user && euid != 0 && read("/proc/sys/kernel/unprivileged_userns_clone") == "0" =>
        {
            Some(format!(
                "{NAME}: unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)"
            ))
        }
        Errno::EPERM
            if user
                && euid != 0
                && read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1" =>
        {
            Some(format!(
                "{NAME}: AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=1)"
            ))
        }
        Errno::EPERM if user => Some(format!(
            "{NAME}: a chrooted process may not create a user namespace: switch root with pivot_root, not chroot"
        )),
        Errno::EPERM => Some(format!(
            "{NAME}: these namespaces need CAP_SYS_ADMIN: add -U -r (--user --map-root-user) to get it in a new user namespace"
        )),
        _ => None,
    };
    match hint {
        Some(h) => failure.with_hint(h),
        None => failure,
    }
}

/// In the program's process: the single id maps, setgroups, propagation, root and
/// directory, proc, ids, capabilities; then exec.
fn setup_and_exec(o: &Opts, p: &Plan) -> Result<u8> {
    // --setgroups first: `deny` must precede a gid_map, and once a gid_map is written the
    // setting can no longer change (util-linux writes it after the maps, so `-r
    // --setgroups=deny` fails there).
    if let Some(setting) = o.setgroups {
        sys::write_proc("/proc/self/setgroups", setting, true)?;
    }
    if let Some(inner) = p.uid_single {
        sys::write_proc(
            "/proc/self/uid_map",
            &format!("{inner} {} 1", p.euid),
            false,
        )?;
    }
    if let Some(inner) = p.gid_single {
        if o.setgroups != Some("deny") {
            sys::write_proc("/proc/self/setgroups", "deny", true)?;
        }
        sys::write_proc(
            "/proc/self/gid_map",
            &format!("{inner} {} 1", p.egid),
            false,
        )?;
    }
    let propagation = o.propagation();
    if o.flags & nix::libc::CLONE_NEWNS != 0 && !propagation.is_empty() {
        sys::mount("none".as_ref(), "/".as_ref(), None, propagation)
            .context("cannot change root filesystem propagation")?;
    }
    if let Some(root) = &o.root {
        sys::chroot(root)?;
        sys::chdir(o.wd.as_deref().unwrap_or("/".as_ref()))?;
    } else if let Some(wd) = &o.wd {
        sys::chdir(wd)?;
    }
    if let Some(dir) = &o.mount_proc {
        // With the default propagation the recursive change of `/` already made an
        // existing proc mount private; otherwise do it here, so the new proc does not
        // propagate out (EINVAL: nothing mounted there, fine).
        if o.root.is_none() && propagation != DEFAULT_PROPAGATION {
            match sys::mount("none".as_ref(), dir, None, DEFAULT_PROPAGATION) {
                Ok(()) | Err(Errno::EINVAL) => {}
                Err(errno) => {
                    return Err(anyhow::Error::new(errno)
                        .context(format!(
                            "cannot change {} filesystem propagation",
                            lossy(dir)
                        ))
                        .into());
                }
            }
        }
        sys::mount(
            "proc".as_ref(),
            dir,
            Some("proc".as_ref()),
            MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
        )
        .with_context(|| format!("mount {} failed", lossy(dir)))?;
    }
    if let Some(gid) = o.setgid {
        sys::set_group(gid)?;
    }
    if let Some(uid) = o.setuid {
        sys::set_user(uid)?;
    }
    if o.keep_caps && o.flags & nix::libc::CLONE_NEWUSER != 0 {
        common::ns::keep_caps(NAME)?;
    }
    let (program, errno) = if o.command.is_empty() {
        let shell = default_shell();
        let base = Path::new(&shell)
            .file_name()
            .map_or_else(|| shell.clone(), OsStr::to_os_string);
        let mut argv0 = OsString::from("-");
        argv0.push(base);
        let errno = sys::execv(&shell, &[argv0]);
        (shell, errno)
    } else {
        let errno = common::exec::execvp(NAME, &o.command);
        (o.command[0].clone(), errno)
    };
    let failure = Failure::from(
        anyhow::Error::new(errno).context(format!("failed to execute {}", lossy(&program))),
    );
    Err(failure.with_code(common::exec::status(errno)))
}

/// `$SHELL`, else the caller's shell in /etc/passwd, else `/bin/sh`; run as a login shell
/// (`-sh`), as util-linux `exec_shell()` does.
fn default_shell() -> OsString {
    if let Some(shell) = std::env::var_os("SHELL").filter(|s| !s.is_empty()) {
        return shell;
    }
    maps::user_by_id(nix::unistd::getuid().as_raw())
        .map(|a| a.shell)
        .filter(|s| !s.is_empty())
        .map_or_else(|| OsString::from("/bin/sh"), OsString::from_vec)
}

/// Entry point: arguments in (`argv[0]` first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    let result = parse(args).and_then(|action| match action {
        Action::Help => common::out::print(USAGE),
        Action::Version => common::out::print(&common::usage::version(NAME)),
        Action::Run(opts) => run(&opts),
    });
    common::finish(NAME, exit::FAILURE, exit::FAILURE, result)
}

#[cfg(test)]
mod tests;
