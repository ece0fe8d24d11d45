//! Fork after entering a pid namespace, and end as the child ends.
//!
//! Entering a pid namespace moves only the *children* of the caller into it (setns(2):
//! "the calling process is not moved"), so util-linux nsenter forks and the parent waits
//! (`continue_as_child()` in sys-utils/nsenter.c). The parent passes on what happened to
//! the child: its exit status, its death by a signal (as our own death by that signal,
//! SIGKILL included: [`common::child::End::pass_on`]), and, as util-linux does, a stop:
//! when the child stops (Ctrl-Z) the parent stops too, and wakes the child when woken, so
//! job control works through nsenter ([`common::child::wait_following_stops`]).

use nix::unistd::ForkResult;

use common::child;

/// Fork; in the child return None, in the parent wait for the child and return the status
/// to exit with (or die by its signal).
pub fn fork_and_wait(prog: &str) -> nix::Result<Option<u8>> {
    child::default_sigchld(prog)?;
    match child::fork(prog)? {
        ForkResult::Child => Ok(None),
        ForkResult::Parent { child } => {
            child::wait_following_stops(prog, child).map(|end| Some(end.pass_on()))
        }
    }
}
