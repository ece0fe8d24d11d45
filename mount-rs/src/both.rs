//! What mount(8) and umount(8) both need: the live mount table, paths as util-linux shows
//! them (canonical) and as another namespace sees them (absolute), entering the namespace
//! of `-N`, the entry point and exit statuses (mount(8) "RETURN CODES"), and (for tests)
//! the checks that every option is in the man page and in the usage text.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use common::exit::mnt;
use common::longopt::Action;
use common::table::{self, Entry, Format};
use common::{Failure, Result, escape};

use crate::sys;

/// The absolute path, for messages (util-linux canonicalizes); as typed if it fails.
pub(crate) fn canonical(path: &OsStr) -> OsString {
    std::fs::canonicalize(path).map_or_else(|_| path.to_owned(), |p| p.into_os_string())
}

/// The live mount table of this namespace (`failed to read mtab`, exit 2 `MNT_EX_SYSERR`,
/// if unreadable).
pub(crate) fn live(prog: &str) -> Result<Vec<Entry>> {
    let text = table::read_live_traced(prog, Path::new("/proc/self/mountinfo"))
        .map_err(|e| anyhow::Error::new(e).context("failed to read mtab"))
        .map_err(|e| Failure::from(e).with_code(mnt::SYSERR))?;
    Ok(table::parse(&text, Format::MountInfo).entries)
}

/// A relative TARGET given with `-N` means the same path in the other namespace: setns(2)
/// moves the cwd to that namespace's root, so it is made absolute first.
pub(crate) fn absolute(path: &OsStr) -> OsString {
    match std::env::current_dir() {
        Ok(cwd) if !path.as_bytes().starts_with(b"/") => cwd.join(path).into_os_string(),
        _ => path.to_owned(),
    }
}

/// Enter another mount namespace: `-N PID` is `/proc/PID/ns/mnt`.
pub(crate) fn enter_namespace(prog: &str, ns: &OsStr) -> Result<()> {
    let file = if !ns.is_empty() && ns.as_bytes().iter().all(u8::is_ascii_digit) {
        let mut f = OsString::from("/proc/");
        f.push(ns);
        f.push("/ns/mnt");
        f
    } else {
        ns.to_owned()
    };
    sys::enter_namespace(prog, &file).map_err(|e| {
        Failure::msg(format!(
            "failed to set target namespace to {}: {}",
            escape::control(file.as_bytes()),
            common::strerror(e)
        ))
        .with_code(mnt::SYSERR)
    })
}

/// The entry point of both: `--help` (the usage text without its leading newline),
/// `--version`, or `run`; errors as util-linux reports them, usage errors exit 1.
pub(crate) fn main<O>(
    prog: &str,
    usage: &str,
    action: Result<Action<O>>,
    run: impl FnOnce(O) -> Result<u8>,
) -> u8 {
    let result = action.and_then(|action| match action {
        Action::Help => common::out::print(usage.trim_start_matches('\n')),
        Action::Version => common::out::print(&common::usage::version(prog)),
        Action::Run(opts) => run(opts),
    });
    common::finish(prog, mnt::USAGE, mnt::FAIL, result)
}

/// Print one operand's failure and go on with the next.
pub(crate) fn report(prog: &str, f: Failure) {
    common::finish(prog, mnt::USAGE, mnt::FAIL, Err(f));
}

/// The exit status after `ok` operands succeeded and `failed` failed: 0, 32 if none
/// succeeded, 64 if some did (`MNT_EX_SOMEOK`).
pub(crate) fn status(ok: usize, failed: usize) -> u8 {
    match (ok, failed) {
        (_, 0) => 0,
        (0, _) => mnt::FAIL,
        _ => mnt::SOMEOK,
    }
}

#[cfg(test)]
use common::longopt::Long;

/// Test support: every long and short option appears in the man page `page`.
#[cfg(test)]
pub(crate) fn assert_in_man_page(page: &str, longs: &[Long], shorts: &[(char, &str)]) {
    for o in longs {
        let name = o.name.replace('-', "\\-");
        assert!(page.contains(&format!("\\-\\-{name}")), "--{}", o.name);
    }
    for (c, _) in shorts {
        assert!(
            [".BR \\-{c} ", " \\-{c} \"", " \\-{c}\n"]
                .iter()
                .any(|shape| page.contains(&shape.replace("{c}", &c.to_string()))),
            "-{c}"
        );
    }
}

/// Test support: every long option appears in the usage text, and every short option
/// beside its long one (` -a, --all`), except those in `unlisted`.
#[cfg(test)]
pub(crate) fn assert_in_usage(
    usage: &str,
    longs: &[Long],
    shorts: &[(char, &str)],
    unlisted: &[char],
) {
    for o in longs {
        assert!(usage.contains(&format!("--{}", o.name)), "--{}", o.name);
    }
    for (c, name) in shorts {
        assert!(
            unlisted.contains(c) || usage.contains(&format!(" -{c}, --{name}")),
            "-{c}"
        );
    }
}
