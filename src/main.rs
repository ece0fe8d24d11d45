//! rootbox: every rootbox tool in one binary, BusyBox style.
//!
//! The applet is chosen by the basename of `argv[0]` (a login shell's leading `-` stripped),
//! so `ln -s rootbox mount; ./mount ...` runs mount; `rootbox APPLET ARGS...` works too.
//! Each applet is the same `main` function its own binary calls. `rootbox --install DIR`
//! makes the links. Privilege comes from the caller: never install this binary setuid or
//! with file capabilities (it refuses to run so).
#![cfg_attr(not(test), no_main)]

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use common::entry::Main;
use common::out::Out;
use common::usage::{from_lexopt, lossy};
use common::{Failure, Result};

const NAME: &str = "rootbox";

/// The applets, sorted by name: one row per tool, each behind its cargo feature.
const APPLETS: &[(&str, Main)] = &[
    #[cfg(feature = "chroot")]
    ("chroot", chroot_rs::main),
    #[cfg(feature = "findmnt")]
    ("findmnt", findmnt_rs::main),
    #[cfg(feature = "lsns")]
    ("lsns", lsns_rs::main),
    #[cfg(feature = "mount")]
    ("mount", mount_rs::mount::main),
    #[cfg(feature = "nsenter")]
    ("nsenter", nsenter_rs::main),
    #[cfg(feature = "pivot_root")]
    ("pivot_root", pivot_root_rs::main),
    #[cfg(feature = "mount")]
    ("umount", mount_rs::umount::main),
    #[cfg(feature = "unshare")]
    ("unshare", unshare_rs::main),
];

const USAGE: &str = "\
Usage:
 rootbox APPLET [arguments]...
 APPLET [arguments]...          (through a link named like the applet)
 rootbox --list
 rootbox --install [-s] [-f] DIR

Container tools in one binary: the applet is chosen by the name it is run as.

Options:
 -l, --list             list the applets, one per line
     --install [-s] [-f] DIR
                        link every applet into DIR: hard links by default,
                        symbolic links with -s; existing files are left alone
                        unless -f replaces them
 -h, --help             display this help
 -V, --version          display version

Privilege comes from the caller (root or a user namespace): never install
rootbox setuid or with file capabilities; it refuses to run that way.

Applets:
";

#[cfg(not(test))]
common::entry!(multicall);

fn applet(name: &[u8]) -> Option<Main> {
    APPLETS
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name))
        .ok()
        .map(|i| APPLETS[i].1)
}

/// The name a program was run as: the basename of `argv[0]` without a leading `-`.
fn invoked_as(arg0: &OsStr) -> &[u8] {
    let bytes = arg0.as_bytes();
    let base = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
    base.strip_prefix(b"-").unwrap_or(base)
}

fn multicall(args: Vec<OsString>) -> u8 {
    if let Some(main) = args.first().and_then(|a0| applet(invoked_as(a0))) {
        return main(args);
    }
    let rest: Vec<OsString> = args.into_iter().skip(1).collect();
    match rest.first() {
        Some(first) if !first.as_bytes().starts_with(b"-") => match applet(first.as_bytes()) {
            Some(main) => main(rest),
            None => common::finish(
                NAME,
                1,
                common::exit::EXEC_ENOENT,
                Err(Failure::msg(format!("{}: applet not found", lossy(first)))),
            ),
        },
        _ => common::finish(NAME, 1, 1, run(rest)),
    }
}

enum Action {
    Help,
    Version,
    List,
    Install {
        symlinks: bool,
        force: bool,
        dir: PathBuf,
    },
}

fn parse(args: Vec<OsString>) -> Result<Action> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut action = None;
    let (mut install, mut symlinks, mut force, mut dir) = (false, false, false, None);
    while let Some(arg) = parser.next().map_err(from_lexopt)? {
        match arg {
            Short('h') | Long("help") => return Ok(Action::Help),
            Short('V') | Long("version") => return Ok(Action::Version),
            Short('l') | Long("list") => action = Some(Action::List),
            Long("install") => install = true,
            Short('s') if install => symlinks = true,
            Short('f') if install => force = true,
            Value(v) if install && dir.is_none() => dir = Some(PathBuf::from(v)),
            _ => return Err(from_lexopt(arg.unexpected())),
        }
    }
    match (install, dir, action) {
        (true, Some(dir), None) => Ok(Action::Install {
            symlinks,
            force,
            dir,
        }),
        (true, None, None) => Err(Failure::usage("--install: no directory specified")),
        (false, _, Some(action)) => Ok(action),
        (true, _, Some(_)) => Err(Failure::usage("--list and --install are exclusive")),
        (false, _, None) => Ok(Action::Help),
    }
}

fn run(args: Vec<OsString>) -> Result<u8> {
    let mut out = Out::new();
    match parse(args)? {
        Action::Help => {
            out.str(USAGE)?;
            for (name, _) in APPLETS {
                out.str(&format!(" {name}\n"))?;
            }
        }
        Action::Version => out.str(&format!("rootbox {}\n", env!("CARGO_PKG_VERSION")))?,
        Action::List => {
            for (name, _) in APPLETS {
                out.str(&format!("{name}\n"))?;
            }
        }
        Action::Install {
            symlinks,
            force,
            dir,
        } => install(&dir, symlinks, force)?,
    }
    out.flush()?;
    Ok(0)
}

/// Link every applet into `dir`, pointing at the running binary.
fn install(dir: &Path, symlinks: bool, force: bool) -> Result<()> {
    let shown = dir.display();
    let meta = std::fs::metadata(dir).with_context(|| format!("cannot install into '{shown}'"))?;
    if !meta.is_dir() {
        return Err(Failure::msg(format!(
            "cannot install into '{shown}': Not a directory"
        )));
    }
    let exe = std::fs::read_link("/proc/self/exe").context("cannot find the running binary")?;
    for (name, _) in APPLETS {
        let link = dir.join(name);
        if link.symlink_metadata().is_ok() {
            if !force {
                continue;
            }
            std::fs::remove_file(&link)
                .with_context(|| format!("cannot replace '{}'", link.display()))?;
        }
        let made = if symlinks {
            std::os::unix::fs::symlink(&exe, &link)
        } else {
            std::fs::hard_link(&exe, &link)
        };
        made.with_context(|| format!("cannot link '{}'", link.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applet_table_is_sorted_unique_and_complete() {
        let names: Vec<&str> = APPLETS.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        let mut expected = Vec::new();
        for (feature, on, applets) in [
            ("chroot", cfg!(feature = "chroot"), &["chroot"][..]),
            ("findmnt", cfg!(feature = "findmnt"), &["findmnt"]),
            ("lsns", cfg!(feature = "lsns"), &["lsns"]),
            ("mount", cfg!(feature = "mount"), &["mount", "umount"]),
            ("nsenter", cfg!(feature = "nsenter"), &["nsenter"]),
            ("pivot_root", cfg!(feature = "pivot_root"), &["pivot_root"]),
            ("unshare", cfg!(feature = "unshare"), &["unshare"]),
        ] {
            assert!(!feature.is_empty());
            if on {
                expected.extend_from_slice(applets);
            }
        }
        expected.sort_unstable();
        assert_eq!(names, expected);
    }

    #[test]
    fn dispatch_statuses() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(multicall(args(&["rootbox", "--version"])), 0);
        assert_eq!(multicall(args(&["rootbox", "nosuch"])), 127);
        assert_eq!(multicall(args(&["rootbox", "--install"])), 1);
        assert_eq!(multicall(args(&[])), 0);
    }

    #[test]
    fn argv0_basename() {
        assert_eq!(invoked_as(OsStr::new("/usr/bin/mount")), b"mount");
        assert_eq!(invoked_as(OsStr::new("-unshare")), b"unshare");
        assert_eq!(invoked_as(OsStr::new("")), b"");
        assert_eq!(invoked_as(OsStr::new("/")), b"");
    }

    #[test]
    fn every_option_is_in_the_help() {
        for opt in ["--list", "--install", "-s", "-f", "--help", "--version"] {
            assert!(USAGE.contains(opt), "{opt}");
        }
    }
}
