//! Fork, and let the parent end exactly as its child ends.
//!
//! Entering a pid namespace moves only the *children* of the caller into it
//! (setns(2): "the calling process is not moved"), so util-linux nsenter forks after
//! `setns(CLONE_NEWPID)` and the parent waits (`continue_as_child()` in sys-utils/nsenter.c).
//! The parent passes on what happened to the child: an exit status as its own status, a
//! stop as its own stop (job control keeps working), and a death by signal as its own
//! death by that signal, so the caller's shell sees 128+N, `KILL` included
//! (research/security.md §1.10: util-linux 2.38's unshare prints an error and exits 1 there).
//!
//! This is kept in one small module so it can move to `common-rs` when unshare shares it.

use nix::sys::signal::{self, SigHandler, SigSet, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, getpid};

use common::trace;

/// Which side of the fork we are on.
pub enum Side {
    /// The child: carry on with the work.
    Child,
    /// The parent, after the child ended: the exit status to return.
    Parent(u8),
}

/// Fork; in the parent, wait for the child and return how to end.
pub fn fork_and_wait(prog: &str) -> nix::Result<Side> {
    // An inherited SIGCHLD=SIG_IGN would make the kernel reap the child itself and
    // waitpid() fail with ECHILD (util-linux ec711d72d).
    set_default(prog, Signal::SIGCHLD)?;
    #[allow(unsafe_code)]
    // SAFETY: the tools are single-threaded, so the child may run any code after fork.
    let forked = unsafe { nix::unistd::fork() };
    let forked = trace::call(prog, forked.map(fork_pid), || "fork()".into())?;
    if forked.as_raw() == 0 {
        return Ok(Side::Child);
    }
    wait_for(prog, forked).map(Side::Parent)
}

fn fork_pid(result: ForkResult) -> Pid {
    match result {
        ForkResult::Child => Pid::from_raw(0),
        ForkResult::Parent { child } => child,
    }
}

/// Wait until `child` ends, following it through stops; return its exit status, or die by
/// the signal that killed it.
pub fn wait_for(prog: &str, child: Pid) -> nix::Result<u8> {
    loop {
        let status = waitpid(child, Some(WaitPidFlag::WUNTRACED)).map(Status);
        let Status(status) = trace::call(prog, status, || format!("waitpid({child}, WUNTRACED)"))?;
        match status {
            WaitStatus::Exited(_, code) => return Ok(exit_code(code)),
            WaitStatus::Signaled(_, sig, _) => return die_by(prog, sig),
            WaitStatus::Stopped(..) => {
                // The child stopped (Ctrl-Z): stop too, and wake it when we are woken.
                let me = getpid();
                trace::call(prog, signal::kill(me, Signal::SIGSTOP), || {
                    format!("kill({me}, SIGSTOP)")
                })?;
                trace::call(prog, signal::kill(child, Signal::SIGCONT), || {
                    format!("kill({child}, SIGCONT)")
                })?;
            }
            _ => {}
        }
    }
}

/// An exit status as the low 8 bits the shell sees.
fn exit_code(code: i32) -> u8 {
    code.to_le_bytes()[0]
}

/// End the process by `sig`, as the child ended: default disposition, unblocked, raised.
/// Returns 128+N only if the signal did not end us.
fn die_by(prog: &str, sig: Signal) -> nix::Result<u8> {
    // SIGKILL and SIGSTOP can be neither reset nor blocked (sigaction() says EINVAL: that
    // is util-linux bug #2614) and need neither.
    if !matches!(sig, Signal::SIGKILL | Signal::SIGSTOP) {
        set_default(prog, sig)?;
        let mut set = SigSet::empty();
        set.add(sig);
        trace::call(prog, set.thread_unblock(), || {
            format!("sigprocmask(SIG_UNBLOCK, [{}])", sig.as_str())
        })?;
    }
    let me = getpid();
    trace::call(prog, signal::kill(me, sig), || {
        format!("kill({me}, {})", sig.as_str())
    })?;
    Ok(128u8.wrapping_add(exit_code(sig as i32)))
}

fn set_default(prog: &str, sig: Signal) -> nix::Result<()> {
    #[allow(unsafe_code)]
    // SAFETY: installing SIG_DFL runs no handler code, so no async-signal-safety concern.
    let result = unsafe { signal::signal(sig, SigHandler::SigDfl) }.map(|_| ());
    trace::call(prog, result, || {
        format!("signal({}, SIG_DFL)", sig.as_str())
    })
}

/// A wait status as the trace shows it.
struct Status(WaitStatus);

impl trace::Shown for Status {
    fn shown(&self) -> String {
        match self.0 {
            WaitStatus::Exited(pid, code) => format!("{pid} [exited {code}]"),
            WaitStatus::Signaled(pid, sig, _) => format!("{pid} [killed by {}]", sig.as_str()),
            WaitStatus::Stopped(pid, sig) => format!("{pid} [stopped by {}]", sig.as_str()),
            other => format!("{other:?}"),
        }
    }
}
