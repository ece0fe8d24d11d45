//! pivot_root: move the root mount of the caller's mount namespace to NEW_ROOT and put the
//! old root at PUT_OLD.
//!
//! Mirrors util-linux `pivot_root(8)` (2.38): the same usage, message
//! (``failed to change root from `A' to `B': strerror``) and exit codes (0, 1). Additions
//! (DESIGN.md §3): `--` is accepted before the operands (util-linux says "bad usage"), and a
//! failure is followed by one `pivot_root: hint: ...` line naming the kernel rule that broke,
//! worked out from the mount table (see [`rules`]); control bytes and invalid UTF-8 in the
//! paths of the message are shown as `\xNN` (util-linux prints them raw). `pivot_root . .`
//! works: the old root is stacked on NEW_ROOT and `umount -l .` removes it (runc's idiom).

pub mod rules;
mod sys;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use common::longopt::{self, HasArg, Long, long};
use common::{Failure, Result, exit, usage};

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "pivot_root";

const USAGE: &str = "
Usage:
 pivot_root [options] new_root put_old

Change the root filesystem.

Options:
 -h, --help     display this help
 -V, --version  display version

For more details see pivot_root(8).
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// `-h`, `--help`.
    Help,
    /// `-V`, `--version`.
    Version,
    /// pivot_root(NEW_ROOT, PUT_OLD).
    Run {
        /// The new root, as given.
        new_root: OsString,
        /// Where the old root goes, as given.
        put_old: OsString,
    },
}

/// Long options; getopt_long takes any unique prefix.
const LONG: &[Long] = &[long("help", HasArg::No), long("version", HasArg::No)];

/// Parse the arguments after `argv[0]`. Options may come anywhere before `--` (getopt
/// permutes), and help or version win over everything else.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Action> {
    use lexopt::Arg::{Long, Short, Value};
    let mut parser = lexopt::Parser::from_args(args);
    let mut operands = Vec::new();
    while let Some(arg) = parser.next().map_err(usage::from_lexopt)? {
        match arg {
            Short('h') => return Ok(Action::Help),
            Short('V') => return Ok(Action::Version),
            Long(given) => {
                let given = given.to_string();
                return Ok(match longopt::take(&mut parser, LONG, &given)? {
                    ("help", _) => Action::Help,
                    _ => Action::Version,
                });
            }
            Value(v) => operands.push(v),
            _ => return Err(usage::from_lexopt(arg.unexpected())),
        }
    }
    match <[OsString; 2]>::try_from(operands) {
        Ok([new_root, put_old]) => Ok(Action::Run { new_root, put_old }),
        Err(_) => Err(Failure::usage("bad usage")),
    }
}

fn run(new_root: &OsString, put_old: &OsString) -> Result<u8> {
    let Err(errno) = sys::pivot_root(new_root, put_old) else {
        return Ok(0);
    };
    let failure = Failure::from(anyhow::Error::new(errno).context(format!(
        "failed to change root from `{}' to `{}'",
        common::escape::control(new_root.as_bytes()),
        common::escape::control(put_old.as_bytes())
    )));
    let (new, old) = (new_root.as_bytes(), put_old.as_bytes());
    Err(
        match rules::broken(errno, || sys::facts(new_root, put_old)) {
            Some(rule) => failure.with_hint(format!("{NAME}: {}", rules::hint(&rule, new, old))),
            None => failure,
        },
    )
}

/// Entry point: arguments in (`argv[0]` first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    let result = parse(args.into_iter().skip(1)).and_then(|action| match action {
        Action::Help => common::out::print(USAGE),
        Action::Version => common::out::print(&usage::version(NAME)),
        Action::Run { new_root, put_old } => run(&new_root, &put_old),
    });
    common::finish(NAME, exit::FAILURE, exit::FAILURE, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Action> {
        parse(args.iter().map(OsString::from))
    }

    fn operands(new_root: &str, put_old: &str) -> Action {
        Action::Run {
            new_root: new_root.into(),
            put_old: put_old.into(),
        }
    }

    #[test]
    fn operands_and_double_dash() {
        assert_eq!(p(&["a", "b"]).unwrap(), operands("a", "b"));
        assert_eq!(p(&["--", "a", "b"]).unwrap(), operands("a", "b"));
        assert_eq!(p(&["--", "-a", "-b"]).unwrap(), operands("-a", "-b"));
        assert_eq!(p(&[".", "."]).unwrap(), operands(".", "."));
    }

    #[test]
    fn help_and_version_anywhere() {
        assert_eq!(p(&["-h"]).unwrap(), Action::Help);
        assert_eq!(p(&["a", "b", "--help"]).unwrap(), Action::Help);
        assert_eq!(p(&["--he", "x"]).unwrap(), Action::Help);
        assert_eq!(p(&["-V"]).unwrap(), Action::Version);
        assert_eq!(p(&["--vers"]).unwrap(), Action::Version);
    }

    #[test]
    fn usage_errors() {
        let err = |a: &[&str]| {
            let f = p(a).unwrap_err();
            assert!(f.is_usage());
            f.message()
        };
        for bad in [&[][..], &["a"], &["a", "b", "c"], &["--"]] {
            assert_eq!(err(bad), "bad usage", "{bad:?}");
        }
        assert_eq!(err(&["-x", "a", "b"]), "invalid option -- 'x'");
        assert_eq!(err(&["--bogus"]), "unrecognized option '--bogus'");
        assert_eq!(err(&["--bogus=1"]), "unrecognized option '--bogus=1'");
        assert_eq!(
            err(&["--help=1"]),
            "option '--help' doesn't allow an argument"
        );
    }

    #[test]
    fn every_option_is_in_the_man_page() {
        let page = include_str!("../man/pivot_root.8");
        for o in LONG {
            assert!(page.contains(&format!("\\-\\-{}", o.name)), "{}", o.name);
        }
        assert!(page.contains(".BR \\-h \", \" \\-\\-help") && page.contains(".BR \\-V "));
    }

    #[test]
    fn every_option_is_in_usage() {
        for o in LONG {
            assert!(USAGE.contains(&format!("--{}", o.name)), "{}", o.name);
        }
        assert!(USAGE.contains(" -h,") && USAGE.contains(" -V,"));
    }
}
