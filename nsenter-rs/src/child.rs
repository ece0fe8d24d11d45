//! Fork after entering a pid namespace, and end as the child ends.
//!
//! Entering a pid namespace moves only the *children* of the caller into it (setns(2):
//! "the calling process is not moved"), so util-linux nsenter forks and the parent waits
//! (`continue_as_child()` in sys-utils/nsenter.c). The parent passes on what happened to
//! the child: its exit status, its death by a signal (as our own death by that signal,
//! SIGKILL included: [`common::child::End::pass_on`]), and, as util-linux does, a stop:
//! when the child stops (Ctrl-Z) the parent stops too, and wakes the child when woken, so
//! job control works through nsenter. `common::child::wait` does not report stops, hence
//! this module's own wait loop.

use nix::errno::Errno;
use nix::libc::{self, c_int};
use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid, getpid};

use common::child::{self, End};
use common::trace;

/// Fork; in the child return None, in the parent wait for the child and return the status
/// to exit with (or die by its signal).
pub fn fork_and_wait(prog: &str) -> nix::Result<Option<u8>> {
    child::default_sigchld(prog)?;
    match child::fork(prog)? {
        ForkResult::Child => Ok(None),
        ForkResult::Parent { child } => {
            wait_following_stops(prog, child).map(|end| Some(end.pass_on()))
        }
    }
}

/// `waitpid(pid, &status, WUNTRACED)` until the child ended, stopping with it.
fn wait_following_stops(prog: &str, pid: Pid) -> nix::Result<End> {
    loop {
        let mut status: c_int = 0;
        // SAFETY: `status` is a valid, writable c_int for the duration of the call.
        #[allow(unsafe_code)]
        let rc = unsafe { libc::waitpid(pid.as_raw(), &mut status, libc::WUNTRACED) };
        if rc < 0 {
            let errno = Errno::last();
            if errno == Errno::EINTR {
                continue;
            }
            trace::line(
                prog,
                &format!("waitpid({pid}, WUNTRACED) = {}", trace::errno_text(errno)),
            );
            return Err(errno);
        }
        let end = if libc::WIFEXITED(status) {
            End::Exited(libc::WEXITSTATUS(status).to_le_bytes()[0])
        } else if libc::WIFSIGNALED(status) {
            End::Signaled(libc::WTERMSIG(status))
        } else {
            if libc::WIFSTOPPED(status) {
                trace::line(prog, &format!("waitpid({pid}, WUNTRACED) = stopped"));
                child::kill(prog, getpid(), Signal::SIGSTOP)?;
                child::kill(prog, pid, Signal::SIGCONT)?;
            }
            continue;
        };
        trace::line(prog, &format!("waitpid({pid}, WUNTRACED) = {end:?}"));
        return Ok(end);
    }
}
