//! Unit tests: the parser, the kind and column tables, `-o` lists, the usage text.

use super::*;

fn parse_args(args: &[&str]) -> Result<Action> {
    parse(
        std::iter::once("lsns")
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

fn err(args: &[&str]) -> (String, bool) {
    match parse_args(args) {
        Err(f) => (f.message(), f.is_usage()),
        other => panic!("{args:?}: {other:?}"),
    }
}

#[test]
fn every_kind_row() {
    // Every TYPE -t takes (the table itself is tested in common::ns).
    for name in ["mnt", "net", "pid", "uts", "ipc", "user", "cgroup", "time"] {
        let i = KINDS.iter().position(|k| k.name == name).unwrap();
        assert_eq!(opts(&["-t", name]).types, [i]);
        assert!(USAGE.contains(name));
    }
    assert_eq!(
        (KINDS[NET].name, KINDS[PID_NS].name, KINDS[USER].name),
        ("net", "pid", "user")
    );
}

#[test]
fn every_column_row() {
    // name, width hint, right, truncatable, multi-line, JSON number.
    let rows = [
        ("NS", 10, true, false, false, true),
        ("TYPE", 5, false, false, false, false),
        ("PATH", 0, false, false, false, false),
        ("NPROCS", 5, true, false, false, true),
        ("PID", 5, true, false, false, true),
        ("PPID", 5, true, false, false, true),
        ("COMMAND", 0, false, true, false, false),
        ("UID", 0, true, false, false, true),
        ("USER", 0, false, false, false, false),
        ("NETNSID", 0, true, false, false, false),
        ("NSFS", 0, false, false, true, false),
        ("PNS", 10, true, false, false, true),
        ("ONS", 10, true, false, false, true),
    ];
    for (i, (name, whint, right, trunc, wrap, number)) in rows.into_iter().enumerate() {
        let c = &COLUMNS[i];
        assert_eq!(c.col as usize, i, "{name}");
        assert_eq!(
            (c.name, c.whint, c.right, c.trunc, c.wrap, c.number),
            (name, whint, right, trunc, wrap, number)
        );
        let mut cols = Vec::new();
        output_columns(name.to_lowercase().as_bytes(), &mut cols).unwrap();
        assert_eq!(cols, [i]);
    }
    assert_eq!(
        (C_NS, C_PID, C_PPID, C_COMMAND, C_USER, C_NETNSID, C_NSFS),
        (0, 4, 5, 6, 8, 9, 10)
    );
}

#[test]
fn output_lists() {
    let mut cols = vec![0, 1];
    output_columns(b"+path,Pid", &mut cols).unwrap();
    assert_eq!(cols, [0, 1, 2, 4]);
    output_columns(b"ns", &mut cols).unwrap();
    assert_eq!(cols, [0]);
    let e = output_columns(b"ns,", &mut cols).unwrap_err();
    assert_eq!(e.message(), "unknown column: ns,");
    let e = output_columns(b"foo,ns", &mut cols).unwrap_err();
    assert_eq!(e.message(), "unknown column: foo,ns");
    for silent in [&b""[..], b"+", b"ns,,type", b",ns"] {
        let e = output_columns(silent, &mut cols).unwrap_err();
        assert_eq!(common::finish("lsns", 1, 1, Err(e)), 1, "{silent:?}");
    }
    let many = vec!["ns"; 27].join(",");
    assert!(output_columns(many.as_bytes(), &mut cols).is_err());
}

#[test]
fn options() {
    let o = opts(&[
        "-J",
        "-l",
        "-n",
        "-u",
        "-W",
        "-p",
        "42",
        "-o",
        "ns",
        "--output-all",
        "-t",
        "mnt",
        "-t",
        "net",
    ]);
    assert!(o.json && o.list && o.no_headings && o.no_trunc && o.no_wrap && o.output_all);
    assert_eq!(
        (o.task, o.types.as_slice(), o.output.as_deref()),
        (42, &[6, NET][..], Some(OsStr::new("ns")))
    );
    assert_eq!(opts(&["-T"]).tree, Tree::Owner);
    assert_eq!(opts(&["-Tparent"]).tree, Tree::Parent);
    assert_eq!(opts(&["-T=process"]).tree, Tree::Process);
    assert_eq!(opts(&["--tree=owner"]).tree, Tree::Owner);
    assert_eq!(opts(&["4026531836", "-r"]).namespace, Some(4_026_531_836));
    assert_eq!(opts(&["1", "2"]).namespace, Some(1));
    assert_eq!(opts(&["-p", "-5"]).task, -5);
    assert!(opts(&["-P"]).persistent);
}

#[test]
fn bad_arguments() {
    let plain = |m: &str| (m.to_string(), false);
    assert_eq!(err(&["-t", "foo"]), plain("unknown namespace type: foo"));
    assert_eq!(err(&["--tree=foo"]), plain("unknown tree type: foo"));
    assert_eq!(err(&["-p", "abc"]), plain("invalid PID argument: 'abc'"));
    assert_eq!(err(&["-p", ""]), plain("invalid PID argument: ''"));
    assert_eq!(
        err(&["-p", "99999999999"]),
        plain("invalid PID argument: '99999999999': Numerical result out of range")
    );
    assert_eq!(err(&["abc"]), plain("invalid namespace argument: 'abc'"));
    assert_eq!(
        err(&["99999999999999999999"]),
        plain("invalid namespace argument: '99999999999999999999': Numerical result out of range")
    );
    assert_eq!(
        err(&["-p", "1", "5"]),
        plain("--task is mutually exclusive with <namespace>")
    );
    assert_eq!(
        err(&["-J", "-r"]),
        plain("mutually exclusive arguments: --json --raw")
    );
    assert_eq!(
        err(&["-P", "-p", "1"]),
        plain("mutually exclusive arguments: --persistent --task")
    );
    assert_eq!(
        err(&["--bogus"]),
        ("unrecognized option '--bogus'".into(), true)
    );
    assert_eq!(err(&["-x"]), ("invalid option -- 'x'".into(), true));
    assert_eq!(
        err(&["-t"]),
        ("option requires an argument -- 't'".into(), true)
    );
}

#[test]
fn usage_lists_every_option() {
    for o in [
        "-J, --json",
        "-l, --list",
        "-n, --noheadings",
        "-o, --output",
        "--output-all",
        "-P, --persistent",
        "-p, --task",
        "-r, --raw",
        "-u, --notruncate",
        "-W, --nowrap",
        "-t, --type",
        "-T, --tree",
        "-h, --help",
        "-V, --version",
    ] {
        assert!(USAGE.contains(o), "{o}");
    }
    assert_eq!(parse_args(&["-h"]).ok(), Some(Action::Help));
    assert_eq!(parse_args(&["--version"]).ok(), Some(Action::Version));
}

#[test]
fn nsfs_roots() {
    assert_eq!(nsfs_inode(b"net:[4026532008]"), Some(4_026_532_008));
    assert_eq!(nsfs_inode(b"/"), None);
    assert_eq!(nsfs_inode(b"net:[x]"), None);
}

#[test]
fn every_option_and_column_is_in_the_man_page() {
    let page = include_str!("../man/lsns.8");
    let longs = USAGE
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("--"))
        .map(|w| w.split(['[', '=', ',']).next().unwrap_or(w));
    for long in longs {
        let spelled = format!("\\-\\-{}", long.replace('-', "\\-"));
        assert!(page.contains(&spelled), "--{long}");
    }
    for c in "JlnoPpruWtThV".chars() {
        assert!(page.contains(&format!(".BR \\-{c} ")), "-{c}");
    }
    for c in &COLUMNS {
        assert!(page.contains(c.name), "{}", c.name);
    }
}
