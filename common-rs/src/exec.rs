//! Running the user's COMMAND: `execvp(3)` with nothing changed in between.
//!
//! std's `Command::exec` resets the signal mask and SIGPIPE before exec; we call `execvp`
//! directly so COMMAND gets the caller's dispositions, mask and descriptors (everything we
//! open is `O_CLOEXEC`). Exit codes follow util-linux `errexec()` and GNU: 127 when COMMAND
//! was not found, 126 when it could not be run.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;

use crate::exit::{EXEC_ENOENT, EXEC_FAILED};
use crate::trace;

/// Replace the process with `argv[0]`, searched in `PATH`; returns only on failure.
pub fn execvp(prog: &str, argv: &[OsString]) -> Errno {
    let Ok(cargs) = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()))
        .collect::<Result<Vec<CString>, _>>()
    else {
        return Errno::EINVAL;
    };
    let Some(file) = cargs.first() else {
        return Errno::ENOENT;
    };
    let result = nix::unistd::execvp(file, &cargs).map(|_| ());
    match trace::call(prog, result, || {
        format!(
            "execvp({}, {})",
            trace::quote(file.to_bytes()),
            trace::argv(argv)
        )
    }) {
        Ok(()) => Errno::UnknownErrno,
        Err(errno) => errno,
    }
}

/// The exit status for an exec that failed with `errno`: 127 not found, else 126.
pub fn status(errno: Errno) -> u8 {
    match errno {
        Errno::ENOENT => EXEC_ENOENT,
        _ => EXEC_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(status(Errno::ENOENT), 127);
        assert_eq!(status(Errno::EACCES), 126);
        assert_eq!(status(Errno::ENOEXEC), 126);
    }

    #[test]
    fn empty_and_nul_arguments_are_refused_without_exec() {
        assert_eq!(execvp("t", &[]), Errno::ENOENT);
        assert_eq!(execvp("t", &[OsString::from("a\0b")]), Errno::EINVAL);
    }
}
