//! nsenter: run a program in the namespaces of another process, or in namespaces persisted
//! as files (`unshare --mount=FILE`), as util-linux 2.38 `nsenter(1)` does: same options,
//! messages and exit codes (1 on failure, 126/127 when the program cannot run or is not
//! found), the same setns order (the user namespace last when we are privileged, first when
//! it is what grants the privilege), a fork after entering a pid namespace, and the child's
//! status passed on, a death by signal included.
//!
//! Where the kernel has it (Linux 5.8), the target's namespaces are entered through a pidfd,
//! `setns(pidfd, CLONE_NEW...)`, all at once: no race with the pid being reused, and no
//! half-entered state. Without it, or to name the namespace that refused, the
//! `/proc/PID/ns/*` files are used one by one, as util-linux does.
//!
//! Deliberate differences (DESIGN.md §3): ids and pids are parsed strictly (`-S 4294967296`
//! and `-t -1` are errors, not uid 0 and pid 4294967295); `-r=DIR` means DIR like every
//! other optional argument (2.38 opens `=DIR`); `--keep-caps`, `-S follow` and
//! `-G follow` (util-linux 2.39+) are available.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use anyhow::Context;
use nix::libc;

use common::exec;
use common::usage::{from_lexopt, lossy, version};
use common::{Failure, Result};

mod child;
mod sys;

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "nsenter";

const USAGE: &str = "\
Usage:
 nsenter [options] [<program> [<argument>...]]

Run a program with namespaces of other processes.

Options:
 -a, --all              enter all namespaces
 -t, --target <pid>     target process to get namespaces from
 -m, --mount[=<file>]   enter mount namespace
 -u, --uts[=<file>]     enter UTS namespace (hostname etc)
 -i, --ipc[=<file>]     enter System V IPC namespace
 -n, --net[=<file>]     enter network namespace
 -p, --pid[=<file>]     enter pid namespace
 -C, --cgroup[=<file>]  enter cgroup namespace
 -U, --user[=<file>]    enter user namespace
 -T, --time[=<file>]    enter time namespace
 -S, --setuid <uid>     set uid in entered namespace (or 'follow' the target)
 -G, --setgid <gid>     set gid in entered namespace (or 'follow' the target)
     --preserve-credentials do not touch uids or gids
     --keep-caps        retain capabilities granted in user namespaces
 -r, --root[=<dir>]     set the root directory
 -w, --wd[=<dir>]       set the working directory
 -W, --wdns <dir>       set the working directory in namespace
 -F, --no-fork          do not fork before exec'ing <program>

 -h, --help             display this help
 -V, --version          display version

For more details see nsenter(1).
";

/// The namespace kinds in the order util-linux enters them (`namespace_files[]` in
/// sys-utils/nsenter.c, the order of `common::ns::KINDS`): the user namespace first or
/// last, the mount namespace after the pid namespace, so `/proc/PID/ns/*` paths opened
/// earlier still resolve.
use common::ns::KINDS;

/// The user namespace's row in [`KINDS`].
const USER: usize = 0;

/// Where a namespace comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The target process (`-t PID`).
    Target,
    /// A namespace file: `/proc/PID/ns/mnt` or a persisted one.
    File(OsString),
}

/// An id option: a number, or the target's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Id {
    /// This id.
    Is(u32),
    /// The owner of /proc/PID (`follow`).
    Follow,
}

/// A directory option: the target's (no argument) or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dir {
    /// `/proc/PID/root` or `/proc/PID/cwd`.
    Target,
    /// This path.
    Path(OsString),
}

/// The parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opts {
    target: Option<i32>,
    all: bool,
    ns: [Option<Source>; 8],
    uid: Option<Id>,
    gid: Option<Id>,
    preserve_credentials: bool,
    keep_caps: bool,
    root: Option<Dir>,
    wd: Option<Dir>,
    wdns: Option<OsString>,
    no_fork: bool,
    command: Vec<OsString>,
}

/// What the command line asks for.
pub type Action = common::longopt::Action<Box<Opts>>;

/// Parse the arguments (argv[0] first). Pure: opens nothing.
pub fn parse(args: Vec<OsString>) -> Result<Action> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_iter(args);
    let mut o = Opts::default();
    while let Some(arg) = p.next().map_err(from_lexopt)? {
        let kind = match &arg {
            Short(c) => KINDS.iter().position(|k| k.short == *c),
            Long(l) => KINDS.iter().position(|k| k.long == *l),
            Value(_) => None,
        };
        if let Some(i) = kind {
            // `-mFILE`, `-m=FILE` and `--mount=FILE`; a separate word is the program.
            o.ns[i] = Some(match p.optional_value() {
                Some(v) => Source::File(strip_eq(v)),
                None => Source::Target,
            });
            continue;
        }
        match arg {
            Short('h') | Long("help") => return Ok(Action::Help),
            Short('V') | Long("version") => return Ok(Action::Version),
            Short('a') | Long("all") => o.all = true,
            Short('t') | Long("target") => o.target = parse_pid(&p.value().map_err(from_lexopt)?)?,
            Short('S') | Long("setuid") => {
                o.uid = Some(parse_id(&p.value().map_err(from_lexopt)?, "uid")?)
            }
            Short('G') | Long("setgid") => {
                o.gid = Some(parse_id(&p.value().map_err(from_lexopt)?, "gid")?)
            }
            Long("preserve-credentials") => o.preserve_credentials = true,
            Long("keep-caps") => o.keep_caps = true,
            Short('r') | Long("root") => o.root = Some(dir(p.optional_value())),
            Short('w') | Long("wd") => o.wd = Some(dir(p.optional_value())),
            Short('W') | Long("wdns") => o.wdns = Some(strip_eq(p.value().map_err(from_lexopt)?)),
            Short('F') | Long("no-fork") => o.no_fork = true,
            Value(program) => {
                o.command.push(program);
                o.command.extend(p.raw_args().map_err(from_lexopt)?);
            }
            other => return Err(from_lexopt(other.unexpected())),
        }
        // getopt's exclusion table lists --wdns first (util-linux optutils.h).
        if o.wd.is_some() && o.wdns.is_some() {
            return Err(Failure::msg("mutually exclusive arguments: --wdns --wd"));
        }
    }
    Ok(Action::Run(Box::new(o)))
}

/// util-linux drops one leading `=` so `-m=FILE` means FILE.
fn strip_eq(v: OsString) -> OsString {
    match v.as_bytes().strip_prefix(b"=") {
        Some(rest) => OsStr::from_bytes(rest).to_owned(),
        None => v,
    }
}

fn dir(v: Option<OsString>) -> Dir {
    v.map_or(Dir::Target, |v| Dir::Path(strip_eq(v)))
}

/// A target pid: decimal, positive, fits pid_t. `0` means "no target", as in util-linux.
fn parse_pid(text: &OsStr) -> Result<Option<i32>> {
    let bad = || Failure::msg(format!("failed to parse pid: '{}'", lossy(text)));
    let id = common::ids::parse(text).ok_or_else(bad)?;
    let pid = i32::try_from(id).map_err(|_| bad())?;
    Ok((pid != 0).then_some(pid))
}

fn parse_id(text: &OsStr, what: &str) -> Result<Id> {
    if text == "follow" {
        return Ok(Id::Follow);
    }
    common::ids::parse(text)
        .map(Id::Is)
        .ok_or_else(|| Failure::msg(format!("failed to parse {what}: '{}'", lossy(text))))
}

/// The namespaces to enter, each with the fd that enters it once known.
struct Plan {
    /// Per kind: wanted, and the namespace file opened for it (None: through the pidfd).
    wanted: [bool; 8],
    files: [Option<OwnedFd>; 8],
    pidfd: Option<OwnedFd>,
}

impl Plan {
    fn mask(&self, pred: impl Fn(usize) -> bool) -> i32 {
        (0..KINDS.len())
            .filter(|&i| self.wanted[i] && pred(i))
            .fold(0, |m, i| m | KINDS[i].flag)
    }
}

fn proc_path(pid: Option<i32>, what: &str) -> Result<String> {
    match pid {
        Some(pid) => Ok(format!("/proc/{pid}/{what}")),
        None => Err(Failure::msg(format!(
            "neither filename nor target pid supplied for {what}"
        ))),
    }
}

/// Open a directory option's fd: the user's path, or the target's `root`/`cwd` link.
fn open_dir(d: &Dir, pid: Option<i32>, what: &str) -> Result<OwnedFd> {
    match d {
        Dir::Path(path) => sys::open_ro(path),
        Dir::Target => sys::open_ro(OsStr::new(&proc_path(pid, what)?)),
    }
}

/// `-a`: every namespace kind this kernel has, except a user namespace we are already in
/// (setns(2) refuses to re-enter one's own user namespace: EINVAL).
fn add_all(o: &Opts, wanted: &mut [bool; 8]) -> Result<()> {
    let Some(pid) = o.target else {
        return Err(Failure::msg("no target PID specified for --all"));
    };
    for (i, k) in KINDS.iter().enumerate() {
        if o.ns[i].is_some() || !sys::ns_supported(&format!("/proc/self/ns/{}", k.name)) {
            continue;
        }
        if i == USER {
            let mine = sys::ns_inode(&format!("/proc/self/ns/{}", k.name))?;
            let theirs = sys::ns_inode(&format!("/proc/{pid}/ns/{}", k.name))?;
            if mine == theirs {
                continue;
            }
        }
        wanted[i] = true;
    }
    Ok(())
}

fn plan(o: &Opts) -> Result<Plan> {
    let mut plan = Plan {
        wanted: [false; 8],
        files: Default::default(),
        pidfd: None,
    };
    // Named files first, as util-linux opens them while reading the options.
    for (i, src) in o.ns.iter().enumerate() {
        if let Some(src) = src {
            plan.wanted[i] = true;
            if let Source::File(path) = src {
                plan.files[i] = Some(sys::open_ro(path)?);
            }
        }
    }
    if o.all {
        add_all(o, &mut plan.wanted)?;
    }
    let from_target = plan.mask(|i| plan.files[i].is_none());
    if from_target != 0 {
        let Some(pid) = o.target else {
            let first = (0..KINDS.len()).find(|&i| plan.wanted[i] && plan.files[i].is_none());
            return Err(Failure::msg(format!(
                "neither filename nor target pid supplied for ns/{}",
                first.map_or("", |i| KINDS[i].name)
            )));
        };
        match sys::pidfd_open(pid) {
            Ok(fd) => plan.pidfd = Some(fd),
            // No pidfd (old kernel, or no such process): the files, and their errors.
            Err(_) => open_target_files(&mut plan, pid)?,
        }
    }
    Ok(plan)
}

/// Open `/proc/PID/ns/*` for every wanted namespace that has no fd yet.
fn open_target_files(plan: &mut Plan, pid: i32) -> Result<()> {
    for (i, k) in KINDS.iter().enumerate() {
        if plan.wanted[i] && plan.files[i].is_none() {
            let path = format!("/proc/{pid}/ns/{}", k.name);
            plan.files[i] = Some(sys::open_ro(OsStr::new(&path))?);
        }
    }
    plan.pidfd = None;
    Ok(())
}

/// Enter the namespaces in util-linux's two passes: first everything but the user
/// namespace, errors ignored (a privileged caller gets in; the user namespace follows,
/// dropping privilege last); then what is left, user namespace first, errors reported
/// (an unprivileged caller needs the user namespace to get the rights for the rest).
fn enter(plan: &mut Plan, pid: i32) -> Result<()> {
    for pass in 0..2 {
        let last = pass == 1;
        let mask = plan.mask(|i| plan.files[i].is_none() && (last || i != USER));
        if let (Some(pidfd), true) = (&plan.pidfd, mask != 0) {
            match sys::setns(pidfd.as_fd(), mask) {
                Ok(()) => (0..KINDS.len())
                    .filter(|&i| mask & KINDS[i].flag != 0)
                    .for_each(|i| plan.wanted[i] = false),
                // Which namespace refused? Ask again one file at a time, for
                // util-linux's message naming it.
                Err(_) if last => open_target_files(plan, pid)?,
                Err(_) => {}
            }
        }
        let first = if last { 0 } else { 1 };
        for (i, kind) in KINDS.iter().enumerate().skip(first) {
            let Some(fd) = plan.files[i].as_ref().filter(|_| plan.wanted[i]) else {
                continue;
            };
            match sys::setns(fd.as_fd(), kind.flag) {
                Ok(()) => {
                    plan.wanted[i] = false;
                    plan.files[i] = None;
                }
                Err(e) if last => {
                    return Err(anyhow::Error::new(e)
                        .context(format!(
                            "reassociate to namespace 'ns/{}' failed",
                            kind.name
                        ))
                        .into());
                }
                Err(_) => {}
            }
        }
    }
    Ok(())
}

fn run(o: &Opts) -> Result<u8> {
    let mut plan = plan(o)?;
    let mut root = o
        .root
        .as_ref()
        .map(|d| open_dir(d, o.target, "root"))
        .transpose()?;
    let mut wd =
        o.wd.as_ref()
            .map(|d| open_dir(d, o.target, "cwd"))
            .transpose()?;
    let follow = matches!(o.uid, Some(Id::Follow)) || matches!(o.gid, Some(Id::Follow));
    let owner = if follow {
        Some(sys::owner(&proc_path(o.target, "")?)?)
    } else {
        None
    };
    let entered = plan.mask(|_| true);
    let do_fork = entered & libc::CLONE_NEWPID != 0 && !o.no_fork;
    let entering_user = plan.wanted[USER];
    // Entering a user namespace, util-linux always sets uid and gid (0 unless -S/-G) and
    // drops supplementary groups, unless --preserve-credentials. setgroups() may only work
    // before (we are root outside) or only after (root inside): fail only if both fail.
    let set_ids = entering_user && !o.preserve_credentials;
    let setgroups_failed = set_ids && sys::drop_groups().is_err();
    enter(&mut plan, o.target.unwrap_or(0))?;
    drop(plan);

    // Remember the working directory across the chroot unless one was asked for.
    if root.is_some() && wd.is_none() && o.wdns.is_none() {
        wd = Some(sys::open_or(OsStr::new("."), cwd_error)?);
    }
    if let Some(fd) = root.take() {
        sys::fchdir(&fd, "root")?;
        sys::chroot_here()?;
    }
    if let Some(path) = &o.wdns {
        wd = Some(sys::open_or(path, cwd_error)?);
    }
    if let Some(fd) = wd.take() {
        sys::fchdir(&fd, "working directory")?;
    }

    if do_fork {
        // Only children of a process that entered a pid namespace are in it (setns(2)).
        if let Some(status) = child::fork_and_wait(NAME).context("fork failed")? {
            return Ok(status);
        }
    }

    let resolve = |id: Option<Id>, pick: fn((u32, u32)) -> u32| match id {
        Some(Id::Is(n)) => Some(n),
        Some(Id::Follow) => owner.map(pick),
        None => set_ids.then_some(0),
    };
    let uid = resolve(o.uid, |ids| ids.0);
    let gid = resolve(o.gid, |ids| ids.1);
    if let Some(gid) = gid {
        if let (Err(e), true) = (sys::drop_groups(), setgroups_failed) {
            return Err(anyhow::Error::new(e).context("setgroups failed").into());
        }
        sys::setgid(gid)?;
    }
    if let Some(uid) = uid {
        sys::setuid(uid)?;
    }
    if o.keep_caps && entered & libc::CLONE_NEWUSER != 0 {
        common::ns::keep_caps(NAME)?;
    }
    Err(exec_program(o))
}

fn cwd_error() -> String {
    "cannot open current working directory".into()
}

/// Run COMMAND, or the user's shell; returns only on failure.
fn exec_program(o: &Opts) -> Failure {
    let (shown, errno) = match o.command.first() {
        Some(program) => (program.clone(), exec::execvp(NAME, &o.command)),
        None => {
            let shell = std::env::var_os("SHELL")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into());
            let errno = sys::exec_shell(&shell);
            (shell, errno)
        }
    };
    let message = format!("failed to execute {}", lossy(&shown));
    Failure::from(anyhow::Error::new(errno).context(message)).with_code(exec::status(errno))
}

/// Entry point: arguments in (argv[0] first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    let result = parse(args).and_then(|action| match action {
        Action::Help => common::out::print(USAGE),
        Action::Version => common::out::print(&version(NAME)),
        Action::Run(opts) => run(&opts),
    });
    common::finish(NAME, 1, 1, result)
}

#[cfg(test)]
mod tests;
