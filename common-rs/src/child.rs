//! Forking a child, waiting for it, and ending the way it ended.
//!
//! util-linux `unshare --fork` and `nsenter` (for a pid namespace) fork, wait, and pass the
//! child's end on: its exit status, or, when a signal killed it, death by the same signal
//! (so the shell sees 128+N and prints `Terminated`). util-linux 2.38 could not do this for
//! SIGKILL (it tried to reset SIGKILL's disposition and exited 1, bug #2614); we can.
//!
//! While the parent waits, SIGINT and SIGTERM from the terminal or a supervisor would kill
//! only the parent and leave the child orphaned ("impatient parent", util-linux #1086), so
//! the parent either blocks them ([`WaitSignals::block`]) or forwards them to the child
//! ([`WaitSignals::forward`]). The child gets the caller's mask and dispositions back
//! before it execs ([`WaitSignals::restore`]).
//!
//! Everything here assumes a single-threaded process, as every rootbox tool is.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicI32, Ordering};

use nix::errno::Errno;
use nix::libc::{self, c_int};
use nix::sys::signal::{self, SigAction, SigHandler, SigSet, SigmaskHow, Signal};
use nix::unistd::{ForkResult, Pid};

use crate::trace;

/// `fork(2)`, traced in the parent (`prog: fork() = 1234`).
pub fn fork(prog: &str) -> nix::Result<ForkResult> {
    // SAFETY: every rootbox tool is single-threaded, so the child is a complete copy of
    // the only thread: no lock can be held by a thread that does not exist in the child,
    // and the child may go on running ordinary Rust code before it execs or returns.
    let result = unsafe { nix::unistd::fork() };
    if !matches!(result, Ok(ForkResult::Child)) {
        let shown = result.map(|r| match r {
            ForkResult::Parent { child } => child,
            ForkResult::Child => Pid::from_raw(0),
        });
        let _ = trace::call(prog, shown, || "fork()".to_string());
    }
    result
}

/// How a waited child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It exited with this status.
    Exited(u8),
    /// This signal killed it (any number, real-time signals included).
    Signaled(c_int),
}

impl End {
    /// The status a shell shows for this end: the exit status, or 128+N.
    pub fn shell_status(self) -> u8 {
        match self {
            End::Exited(code) => code,
            End::Signaled(sig) => u8::try_from(128 + sig).unwrap_or(u8::MAX),
        }
    }

    /// End the way the child ended: return its exit status, or die by its signal
    /// ([`die_by`]).
    pub fn pass_on(self) -> u8 {
        match self {
            End::Exited(code) => code,
            End::Signaled(sig) => die_by(sig),
        }
    }
}

/// `waitpid(pid, &status, 0)` until the child has ended (EINTR from a forwarded signal is
/// retried), traced: `prog: waitpid(1234) = exited 3` / `= killed by SIGTERM`.
///
/// nix's `waitpid` refuses a status with a signal it has no name for (a real-time signal)
/// after the child was already reaped, so this decodes the raw status itself.
pub fn wait(prog: &str, pid: Pid) -> nix::Result<End> {
    wait_until_end(prog, pid, false)
}

/// [`wait`] with `WUNTRACED`, passing stops on as util-linux nsenter does
/// (`continue_as_child()`): when the child stops (Ctrl-Z), the parent stops itself too, and
/// once woken wakes the child, so job control works through the waiting parent. Traced as
/// `prog: waitpid(1234, WUNTRACED) = stopped`, then the two `kill`s.
pub fn wait_following_stops(prog: &str, pid: Pid) -> nix::Result<End> {
    wait_until_end(prog, pid, true)
}

fn wait_until_end(prog: &str, pid: Pid, follow_stops: bool) -> nix::Result<End> {
    let (options, call) = if follow_stops {
        (libc::WUNTRACED, format!("waitpid({pid}, WUNTRACED)"))
    } else {
        (0, format!("waitpid({pid})"))
    };
    loop {
        let mut status: c_int = 0;
        // SAFETY: `status` is a valid, writable c_int for the duration of the call.
        let rc = unsafe { libc::waitpid(pid.as_raw(), &mut status, options) };
        if rc < 0 {
            let errno = Errno::last();
            if errno == Errno::EINTR {
                continue;
            }
            trace::line(prog, &format!("{call} = {}", trace::errno_text(errno)));
            return Err(errno);
        }
        let end = if libc::WIFEXITED(status) {
            // WEXITSTATUS is the low 8 bits.
            End::Exited(u8::try_from(libc::WEXITSTATUS(status) & 0xff).unwrap_or(u8::MAX))
        } else if libc::WIFSIGNALED(status) {
            End::Signaled(libc::WTERMSIG(status))
        } else {
            // Stopped (only reported with WUNTRACED) or continued (never asked for).
            if follow_stops && libc::WIFSTOPPED(status) {
                trace::line(prog, &format!("{call} = stopped"));
                kill(prog, nix::unistd::getpid(), Signal::SIGSTOP)?;
                kill(prog, pid, Signal::SIGCONT)?;
            }
            continue;
        };
        trace::line(prog, &format!("{call} = {}", describe(end)));
        return Ok(end);
    }
}

fn describe(end: End) -> String {
    match end {
        End::Exited(code) => format!("exited {code}"),
        End::Signaled(sig) => match Signal::try_from(sig) {
            Ok(s) => format!("killed by {}", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        },
    }
}

/// Die by signal `sig`, as the child did: default disposition (SIGKILL and SIGSTOP cannot
/// be changed and need not be), no core dump of our own (the child already dumped one if
/// it was to), the signal unblocked, then raised. Returns 128+`sig` only if the process
/// is somehow still alive afterwards.
pub fn die_by(sig: c_int) -> u8 {
    // SAFETY: plain libc calls on this process with valid arguments: a zeroed rlimit, an
    // initialised sigset on the stack, and SIG_DFL; single-threaded, so raising the
    // signal with kill(getpid()) delivers it to this very thread before kill returns.
    unsafe {
        if sig != libc::SIGKILL && sig != libc::SIGSTOP {
            libc::signal(sig, libc::SIG_DFL);
        }
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), sig);
    }
    End::Signaled(sig).shell_status()
}

/// The child that forwarded SIGINT/SIGTERM go to (0: none yet).
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(sig: c_int) {
    let pid = FORWARD_TO.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe; errno is saved and restored around it so
        // the interrupted code never sees it change.
        unsafe {
            let saved = Errno::last_raw();
            libc::kill(pid, sig);
            Errno::set_raw(saved);
        }
    }
}

/// The signals the waiting parent blocks or forwards.
const WAIT_SIGNALS: [Signal; 2] = [Signal::SIGINT, Signal::SIGTERM];

/// What the parent changed about SIGINT/SIGTERM before forking, so the child can undo it.
#[derive(Debug)]
pub struct WaitSignals {
    mask: SigSet,
    actions: Option<[SigAction; 2]>,
}

impl WaitSignals {
    /// Block SIGINT and SIGTERM (util-linux's default): they wait until the child ended,
    /// then the parent dies by the child's signal or exits with its status.
    pub fn block(prog: &str) -> nix::Result<WaitSignals> {
        let mut set = SigSet::empty();
        for s in WAIT_SIGNALS {
            set.add(s);
        }
        let mut old = SigSet::empty();
        let result = signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), Some(&mut old));
        trace::call(prog, result, || {
            "rt_sigprocmask(SIG_BLOCK, [INT TERM])".to_string()
        })?;
        Ok(WaitSignals {
            mask: old,
            actions: None,
        })
    }

    /// Forward SIGINT and SIGTERM to the child named later by [`WaitSignals::target`]
    /// (util-linux 2.42 `--forward-signals`).
    pub fn forward(prog: &str) -> nix::Result<WaitSignals> {
        let mut old = SigSet::empty();
        signal::sigprocmask(SigmaskHow::SIG_SETMASK, None, Some(&mut old))?;
        let action = SigAction::new(
            SigHandler::Handler(forward),
            signal::SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        let mut actions = [action; 2];
        for (slot, s) in actions.iter_mut().zip(WAIT_SIGNALS) {
            // SAFETY: the handler only reads an atomic and calls the async-signal-safe
            // kill(2).
            let result = unsafe { signal::sigaction(s, &action) };
            trace::call(prog, result.map(|_| ()), || {
                format!("rt_sigaction({}, forward)", s.as_str())
            })?;
            *slot = result?;
        }
        Ok(WaitSignals {
            mask: old,
            actions: Some(actions),
        })
    }

    /// In the parent: forwarded signals go to `child` from now on.
    pub fn target(&self, child: Pid) {
        FORWARD_TO.store(child.as_raw(), Ordering::Relaxed);
    }

    /// In the child: the caller's dispositions and signal mask again (not traced: the
    /// child's lines would interleave with the parent's).
    pub fn restore(&self) -> nix::Result<()> {
        FORWARD_TO.store(0, Ordering::Relaxed);
        if let Some(actions) = &self.actions {
            for (s, action) in WAIT_SIGNALS.iter().zip(actions) {
                // SAFETY: restoring the disposition the process had before `forward`.
                unsafe { signal::sigaction(*s, action) }?;
            }
        }
        signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.mask), None)
    }
}

/// Reset SIGCHLD to its default disposition: an inherited "ignore" makes the kernel reap
/// children itself, and `waitpid` then fails with ECHILD (util-linux `ec711d72d`).
/// Traced: `prog: rt_sigaction(SIGCHLD, SIG_DFL) = 0`.
pub fn default_sigchld(prog: &str) -> nix::Result<()> {
    let action = SigAction::new(
        SigHandler::SigDfl,
        signal::SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: installing the default disposition involves no handler code.
    let result = unsafe { signal::sigaction(Signal::SIGCHLD, &action) }.map(|_| ());
    trace::call(prog, result, || {
        "rt_sigaction(SIGCHLD, SIG_DFL)".to_string()
    })
}

/// `kill(pid, sig)`, traced.
pub fn kill(prog: &str, pid: Pid, sig: Signal) -> nix::Result<()> {
    let result = signal::kill(pid, sig);
    trace::call(prog, result, || format!("kill({pid}, {})", sig.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_status() {
        assert_eq!(End::Exited(42).shell_status(), 42);
        assert_eq!(End::Signaled(libc::SIGKILL).shell_status(), 137);
        assert_eq!(End::Signaled(libc::SIGTERM).shell_status(), 143);
        assert_eq!(End::Exited(3).pass_on(), 3);
    }

    #[test]
    fn describe_ends() {
        assert_eq!(describe(End::Exited(0)), "exited 0");
        assert_eq!(describe(End::Signaled(15)), "killed by SIGTERM");
        assert_eq!(describe(End::Signaled(40)), "killed by signal 40");
    }
}
