//! Unit tests: the parser, the kind table, the usage text.

use super::*;

fn parse_args(args: &[&str]) -> Result<Action> {
    parse(
        std::iter::once("nsenter")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect(),
    )
}

fn opts(args: &[&str]) -> Opts {
    match parse_args(args) {
        Ok(Action::Run(o)) => *o,
        other => panic!("{args:?}: {other:?}"),
    }
}

fn err(args: &[&str]) -> String {
    match parse_args(args) {
        Err(f) => f.message(),
        other => panic!("{args:?}: {other:?}"),
    }
}

#[test]
fn every_kind_row() {
    // The options of each kind (the table itself is tested in common::ns).
    let rows = [
        ('U', "user"),
        ('C', "cgroup"),
        ('i', "ipc"),
        ('u', "uts"),
        ('n', "net"),
        ('p', "pid"),
        ('m', "mount"),
        ('T', "time"),
    ];
    for (i, (short, long)) in rows.into_iter().enumerate() {
        assert_eq!((KINDS[i].short, KINDS[i].long), (short, long));
        let mut want: [Option<Source>; 8] = Default::default();
        want[i] = Some(Source::Target);
        assert_eq!(opts(&[&format!("-{short}")]).ns, want);
        assert_eq!(opts(&[&format!("--{long}")]).ns, want);
        want[i] = Some(Source::File("/x".into()));
        assert_eq!(opts(&[&format!("-{short}/x")]).ns, want);
        assert_eq!(opts(&[&format!("-{short}=/x")]).ns, want);
        assert_eq!(opts(&[&format!("--{long}=/x")]).ns, want);
    }
    assert_eq!(KINDS[USER].name, "user");
}

#[test]
fn options() {
    let o = opts(&[
        "-t",
        "42",
        "-a",
        "-S",
        "5",
        "-G",
        "follow",
        "--preserve-credentials",
        "--keep-caps",
        "-F",
        "-r",
        "-w/tmp",
    ]);
    assert_eq!(o.target, Some(42));
    assert!(o.all && o.preserve_credentials && o.keep_caps && o.no_fork);
    assert_eq!((o.uid, o.gid), (Some(Id::Is(5)), Some(Id::Follow)));
    assert_eq!(o.root, Some(Dir::Target));
    assert_eq!(o.wd, Some(Dir::Path("/tmp".into())));
    assert_eq!(opts(&["-W", "/x"]).wdns, Some("/x".into()));
    assert_eq!(opts(&["--target=7"]).target, Some(7));
    assert_eq!(opts(&["-t", "0"]).target, None);
    assert_eq!(opts(&["-r=/x"]).root, Some(Dir::Path("/x".into())));
    assert_eq!(opts(&["--root=/x", "--wd"]).wd, Some(Dir::Target));
}

#[test]
fn command_stops_option_parsing() {
    let o = opts(&["-m", "ls", "-l", "-m"]);
    assert_eq!(o.ns[6], Some(Source::Target));
    assert_eq!(o.command, ["ls", "-l", "-m"]);
    assert_eq!(opts(&["--", "-x"]).command, ["-x"]);
    // A separate word after -m is the program, not the file.
    assert_eq!(opts(&["-m", "/x"]).command, ["/x"]);
}

#[test]
fn bad_arguments() {
    assert_eq!(err(&["-t", "abc"]), "failed to parse pid: 'abc'");
    assert_eq!(err(&["-t", "-1"]), "failed to parse pid: '-1'");
    assert_eq!(
        err(&["-t", "4294967296"]),
        "failed to parse pid: '4294967296'"
    );
    assert_eq!(
        err(&["-t", "2147483648"]),
        "failed to parse pid: '2147483648'"
    );
    assert_eq!(
        err(&["-S", "4294967296"]),
        "failed to parse uid: '4294967296'"
    );
    assert_eq!(err(&["-G", "x"]), "failed to parse gid: 'x'");
    assert_eq!(err(&["-t"]), "option requires an argument -- 't'");
    assert_eq!(err(&["--bogus"]), "unrecognized option '--bogus'");
    assert_eq!(err(&["-x"]), "invalid option -- 'x'");
    assert_eq!(
        err(&["-w", "-W", "/x"]),
        "mutually exclusive arguments: --wdns --wd"
    );
}

#[test]
fn usage_lists_every_option() {
    let options = [
        "-a, --all",
        "-t, --target",
        "-S, --setuid",
        "-G, --setgid",
        "--preserve-credentials",
        "--keep-caps",
        "-r, --root",
        "-w, --wd",
        "-W, --wdns",
        "-F, --no-fork",
        "-h, --help",
        "-V, --version",
    ];
    for o in options {
        assert!(USAGE.contains(o), "{o}");
    }
    for k in &KINDS {
        assert!(
            USAGE.contains(&format!("-{}, --{}[=<file>]", k.short, k.long)),
            "{}",
            k.long
        );
    }
    assert_eq!(parse_args(&["--help"]).ok(), Some(Action::Help));
    assert_eq!(parse_args(&["-V"]).ok(), Some(Action::Version));
}

#[test]
fn every_option_is_in_the_man_page() {
    let page = include_str!("../man/nsenter.1");
    let longs = USAGE
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("--"))
        .map(|w| w.split(['[', '=', ',']).next().unwrap_or(w));
    for long in longs {
        let spelled = format!("\\-\\-{}", long.replace('-', "\\-"));
        assert!(page.contains(&spelled), "--{long}");
    }
    for c in "atmuinpCUTSGrwWFhV".chars() {
        assert!(page.contains(&format!(".BR \\-{c} ")), "-{c}");
    }
}
