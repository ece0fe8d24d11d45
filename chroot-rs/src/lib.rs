//! chroot: run COMMAND (default `"$SHELL" -i`) with the root directory set to NEWROOT.
//!
//! Mirrors GNU coreutils `chroot` (9.1): the options `--userspec`, `--groups` and
//! `--skip-chdir`, its messages, and its exit codes (125 when chroot itself fails, 126 when
//! COMMAND cannot be run, 127 when it is not found, else COMMAND's status). Differences, on
//! purpose (DESIGN.md §3):
//! - user and group names are looked up in NEWROOT's own `/etc/passwd` and `/etc/group`
//!   files, resolved inside NEWROOT (`openat2(RESOLVE_IN_ROOT)`), not through NSS: this works
//!   in a static binary and in a bare rootfs, and gives the ids the new root's programs see;
//! - ids parse as plain decimal u32 (`4294967295`, signs and spaces are not ids).
//!
//! The order of operations is GNU's: resolve the credentials (errors are reported after the
//! chroot, as GNU does, so a bad NEWROOT is always the first complaint), `chroot(2)`,
//! `chdir("/")`, `setgroups(2)`, `setgid(2)`, `setuid(2)`, `execvp(3)`. Nothing else happens
//! between chroot and exec: no descriptor is opened that survives exec and no signal
//! disposition is touched (the binary starts at the C `main`, see `common::entry`).

mod creds;
pub mod quote;
mod sys;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use common::longopt::{self, HasArg, Long, long};
use common::{Failure, Result, exit, usage};

pub use creds::{Creds, Db, resolve};

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "chroot";

const USAGE: &str = "\
Usage:
 chroot [options] NEWROOT [COMMAND [ARG]...]
 chroot OPTION

Run COMMAND with the root directory set to NEWROOT.
If no COMMAND is given, run '\"$SHELL\" -i' (default: '/bin/sh -i').

Options:
     --userspec=USER:GROUP  user and group (ID or name) to run as; names are
                              looked up in NEWROOT's /etc/passwd and /etc/group
     --groups=G_LIST        supplementary groups as g1,g2,..,gN
     --skip-chdir           do not change the working directory to '/'
                              (only allowed when NEWROOT is the old '/')

     --help                 display this help
     --version              display version

chroot is not a security boundary. A process that keeps root (or CAP_SYS_CHROOT)
inside can leave it with a second chroot, and every descriptor the caller passes
in still reaches the old root. To confine a container, give it its own mount
namespace and switch the root there with pivot_root(8), then unmount the old root:
  unshare -m sh -c 'mount --bind R R; cd R; pivot_root . .; umount -l .;
                    exec chroot . /bin/sh'

Exit status:
 125  chroot itself failed (bad option, NEWROOT unusable, credentials)
 126  COMMAND was found but could not be run
 127  COMMAND was not found
 otherwise the exit status of COMMAND
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// `--help`.
    Help,
    /// `--version`.
    Version,
    /// Change root and run a command.
    Run(Opts),
}

/// The options of a run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `--userspec=USER:GROUP`, as given.
    pub userspec: Option<OsString>,
    /// `--groups=G_LIST`, as given.
    pub groups: Option<OsString>,
    /// `--skip-chdir`.
    pub skip_chdir: bool,
    /// The new root directory.
    pub newroot: OsString,
    /// COMMAND and its arguments; empty means the interactive shell.
    pub command: Vec<OsString>,
}

/// The long options, in the order `--help` lists them; getopt_long accepts any unique
/// prefix (`--user=1000`).
const LONG: &[Long] = &[
    long("userspec", HasArg::Required),
    long("groups", HasArg::Required),
    long("skip-chdir", HasArg::No),
    long("help", HasArg::No),
    long("version", HasArg::No),
];

/// Parse the arguments after `argv[0]`. Options end at NEWROOT (GNU uses getopt's `+` mode),
/// so everything after it is COMMAND, passed on untouched.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Action> {
    use lexopt::Arg::{Long, Short, Value};
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = Opts::default();
    loop {
        let arg = match parser.next().map_err(usage::from_lexopt)? {
            Some(arg) => arg,
            None => return Err(Failure::usage("missing operand")),
        };
        match arg {
            Long(given) => {
                let given = given.to_string();
                match longopt::take(&mut parser, LONG, &given)? {
                    ("userspec", value) => opts.userspec = value,
                    ("groups", value) => opts.groups = value,
                    ("help", _) => return Ok(Action::Help),
                    ("version", _) => return Ok(Action::Version),
                    _ => opts.skip_chdir = true,
                }
            }
            Short(_) => return Err(usage::from_lexopt(arg.unexpected())),
            Value(newroot) => {
                opts.newroot = newroot;
                opts.command = parser.raw_args().map_err(usage::from_lexopt)?.collect();
                return Ok(Action::Run(opts));
            }
        }
    }
}

/// The command to run: COMMAND, or `"$SHELL" -i`, or `/bin/sh -i`.
fn command(opts: &Opts, shell: Option<OsString>) -> Vec<OsString> {
    if !opts.command.is_empty() {
        return opts.command.clone();
    }
    vec![
        shell.unwrap_or_else(|| OsString::from("/bin/sh")),
        OsString::from("-i"),
    ]
}

fn run(opts: Opts) -> Result<u8> {
    if opts.skip_chdir && !sys::is_old_root(&opts.newroot) {
        return Err(Failure::usage(
            "option --skip-chdir only permitted if NEWROOT is old '/'",
        ));
    }
    // Names come from NEWROOT's files, read before the chroot (so no file of ours is open
    // after it); a lookup error is reported after the chroot, as GNU reports it.
    let creds = if opts.userspec.is_some() || opts.groups.is_some() {
        let db = sys::read_db(&opts.newroot);
        Some(resolve(
            opts.userspec.as_deref().map(OsStr::as_bytes),
            opts.groups.as_deref().map(OsStr::as_bytes),
            &db,
            quote::utf8_locale(),
        ))
    } else {
        None
    };
    sys::chroot(&opts.newroot)?;
    if !opts.skip_chdir {
        sys::chdir_root()?;
    }
    let argv = command(&opts, std::env::var_os("SHELL"));
    if let Some(creds) = creds {
        // GNU reports every bad group, one line each: the first is the message, the others
        // follow it as they are.
        let creds = creds.map_err(|lines| {
            let mut lines = lines.into_iter();
            let first = Failure::msg(lines.next().unwrap_or_default());
            lines.fold(first, |f, l| f.with_hint(format!("{NAME}: {l}")))
        })?;
        if let Some(warning) = &creds.warning {
            sys::warn(warning);
        }
        sys::set_creds(&creds)?;
    }
    let errno = common::exec::execvp(NAME, &argv);
    let program = argv.first().map(OsString::as_os_str).unwrap_or_default();
    Err(Failure::from(anyhow::Error::new(errno).context(format!(
        "failed to run command {}",
        quote::quote(program.as_bytes(), quote::utf8_locale())
    )))
    .with_code(common::exec::status(errno)))
}

/// Entry point: arguments in (`argv[0]` first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    let result = parse(args.into_iter().skip(1)).and_then(|action| match action {
        Action::Help => common::out::print(USAGE),
        Action::Version => common::out::print(&usage::version(NAME)),
        Action::Run(opts) => run(opts),
    });
    common::finish(NAME, exit::CHROOT_FAILURE, exit::CHROOT_FAILURE, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Action> {
        parse(args.iter().map(OsString::from))
    }

    fn run_opts(args: &[&str]) -> Opts {
        match p(args) {
            Ok(Action::Run(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    fn err(args: &[&str]) -> String {
        let f = p(args).unwrap_err();
        assert!(f.is_usage());
        f.message()
    }

    #[test]
    fn options_stop_at_newroot() {
        let o = run_opts(&[
            "--userspec=a:b",
            "--groups",
            "x,y",
            "/r",
            "ls",
            "-l",
            "--help",
        ]);
        assert_eq!(o.userspec, Some("a:b".into()));
        assert_eq!(o.groups, Some("x,y".into()));
        assert_eq!(o.newroot, "/r");
        assert_eq!(o.command, ["ls", "-l", "--help"].map(OsString::from));
        let o = run_opts(&["--", "-r", "--skip-chdir"]);
        assert_eq!(o.newroot, "-r");
        assert!(!o.skip_chdir);
        assert_eq!(o.command, [OsString::from("--skip-chdir")]);
        assert!(run_opts(&["--skip-chdir", "/"]).skip_chdir);
    }

    #[test]
    fn unique_prefixes_like_getopt_long() {
        let o = run_opts(&["--user=1", "--gr=2", "--sk", "/"]);
        assert_eq!(
            (o.userspec, o.groups, o.skip_chdir),
            (Some("1".into()), Some("2".into()), true)
        );
        assert_eq!(p(&["--he"]).unwrap(), Action::Help);
        assert_eq!(p(&["--v"]).unwrap(), Action::Version);
    }

    #[test]
    fn usage_errors() {
        assert_eq!(err(&[]), "missing operand");
        assert_eq!(err(&["--userspec=1"]), "missing operand");
        assert_eq!(err(&["--bogus", "/"]), "unrecognized option '--bogus'");
        // getopt shows an unknown option with its argument, as typed.
        assert_eq!(err(&["--bogus=1", "/"]), "unrecognized option '--bogus=1'");
        assert_eq!(err(&["-x", "/"]), "invalid option -- 'x'");
        assert_eq!(err(&["-h"]), "invalid option -- 'h'");
        assert_eq!(
            err(&["--userspec"]),
            "option '--userspec' requires an argument"
        );
        assert_eq!(
            err(&["--skip-chdir=1", "/"]),
            "option '--skip-chdir' doesn't allow an argument"
        );
        assert_eq!(
            err(&["--sk=1", "/"]),
            "option '--skip-chdir' doesn't allow an argument"
        );
        assert_eq!(
            err(&["--help=x"]),
            "option '--help' doesn't allow an argument"
        );
    }

    #[test]
    fn every_option_is_in_usage() {
        for o in LONG {
            assert!(USAGE.contains(&format!("--{}", o.name)), "{}", o.name);
        }
        assert!(USAGE.contains("not a security boundary"));
        assert!(USAGE.contains("pivot_root(8)"));
    }

    #[test]
    fn every_option_is_in_the_man_page() {
        let page = include_str!("../man/chroot.1");
        for o in LONG {
            assert!(
                page.contains(&format!("\\-\\-{}", o.name.replace('-', "\\-"))),
                "{}",
                o.name
            );
        }
        assert!(page.contains("chroot is not a security boundary."));
    }

    #[test]
    fn default_command_is_interactive_shell() {
        let o = run_opts(&["/r"]);
        assert_eq!(command(&o, None), ["/bin/sh", "-i"].map(OsString::from));
        assert_eq!(
            command(&o, Some("/bin/zsh".into())),
            ["/bin/zsh", "-i"].map(OsString::from)
        );
        let o = run_opts(&["/r", "true"]);
        assert_eq!(
            command(&o, Some("/bin/zsh".into())),
            [OsString::from("true")]
        );
    }
}
