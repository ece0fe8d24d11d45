//! Unit tests of the parser and the tables.

use super::*;

fn run_parse(args: &[&str]) -> std::result::Result<Action, String> {
    let mut v = vec![OsString::from("unshare")];
    v.extend(args.iter().map(OsString::from));
    parse(v).map_err(|f| f.message())
}

fn opts(args: &[&str]) -> Opts {
    match run_parse(args) {
        Ok(Action::Run(o)) => *o,
        other => panic!("{args:?}: {other:?}"),
    }
}

#[test]
fn namespace_options_from_the_table() {
    for k in &KINDS {
        let o = opts(&[&format!("-{}", k.short)]);
        assert_eq!(o.flags, k.flag, "{}", k.name);
        let o = opts(&[&format!("--{}", k.long)]);
        assert_eq!(o.flags, k.flag, "{}", k.name);
        let o = opts(&[&format!("--{}=/f", k.long)]);
        let index = KINDS.iter().position(|x| x == k).unwrap();
        assert_eq!(o.persist[index].as_deref(), Some(OsStr::new("/f")));
    }
}

#[test]
fn stops_at_the_program() {
    let o = opts(&["-m", "ls", "-l", "--fork"]);
    assert_eq!(o.command, ["ls", "-l", "--fork"]);
    assert!(!o.fork);
    let o = opts(&["-fm", "--", "-x"]);
    assert_eq!(o.command, ["-x"]);
    assert!(o.fork);
}

#[test]
fn options() {
    let o = opts(&["-r"]);
    assert_eq!(o.flags, nix::libc::CLONE_NEWUSER);
    assert_eq!(o.map_user, Some(MapId::Id(0)));
    assert_eq!(o.map_group, Some(MapId::Id(0)));
    let o = opts(&["-c"]);
    assert_eq!(o.map_user, Some(MapId::Current));
    let o = opts(&["--map-user=nobody", "--map-group", "7"]);
    assert_eq!(o.map_user, Some(MapId::Named("nobody".into())));
    assert_eq!(o.map_group, Some(MapId::Named("7".into())));
    let o = opts(&["--kill-child"]);
    assert_eq!((o.fork, o.kill_child), (true, Some(Signal::SIGKILL)));
    let o = opts(&["--kill-child=term"]);
    assert_eq!(o.kill_child, Some(Signal::SIGTERM));
    let o = opts(&["--forward-signals"]);
    assert!(o.fork && o.forward_signals);
    let o = opts(&["--mount-proc"]);
    assert_eq!(o.flags, nix::libc::CLONE_NEWNS);
    assert_eq!(o.mount_proc.as_deref(), Some(OsStr::new("/proc")));
    let o = opts(&["--mount-proc=/p"]);
    assert_eq!(o.mount_proc.as_deref(), Some(OsStr::new("/p")));
    let o = opts(&["-R", "/r", "-w/w", "-S", "5", "-G5", "--keep-caps"]);
    assert_eq!(o.root.as_deref(), Some(OsStr::new("/r")));
    assert_eq!(o.wd.as_deref(), Some(OsStr::new("/w")));
    assert_eq!((o.setuid, o.setgid, o.keep_caps), (Some(5), Some(5), true));
    let o = opts(&["-T", "--monotonic", "-5", "--boottime=7"]);
    assert_eq!((o.monotonic, o.boottime), (Some(-5), Some(7)));
    let o = opts(&["--map-auto", "--map-users=0:1:2", "--map-groups", "all"]);
    assert_eq!(o.user_ranges.len(), 2);
    assert_eq!(o.group_ranges, [Spec::Auto, Spec::All]);
    let o = opts(&["--setgroups", "deny"]);
    assert_eq!(o.setgroups, Some("deny"));
    assert_eq!(run_parse(&["-h", "--bogus"]), Ok(Action::Help));
    assert_eq!(run_parse(&["--vers"]), Ok(Action::Version));
}

#[test]
fn propagation_table() {
    for (word, flags) in PROPAGATION {
        let o = opts(&["--propagation", word]);
        assert_eq!(o.propagation, Some(*flags), "{word}");
    }
    assert_eq!(
        opts(&["-m"]).propagation(),
        MsFlags::MS_REC | MsFlags::MS_PRIVATE
    );
    assert_eq!(
        PROPAGATION
            .iter()
            .map(|(w, f)| (*w, f.bits()))
            .collect::<Vec<_>>(),
        [
            ("slave", nix::libc::MS_REC | nix::libc::MS_SLAVE),
            ("private", nix::libc::MS_REC | nix::libc::MS_PRIVATE),
            ("shared", nix::libc::MS_REC | nix::libc::MS_SHARED),
            ("unchanged", 0),
        ]
    );
}

#[test]
fn signal_names() {
    assert_eq!(signal_by_name("TERM"), Some(Signal::SIGTERM));
    assert_eq!(signal_by_name("sigint"), Some(Signal::SIGINT));
    assert_eq!(signal_by_name("SIGKILL"), Some(Signal::SIGKILL));
    for (alias, sig) in SIGNAL_ALIASES {
        assert_eq!(signal_by_name(alias), Some(*sig));
    }
    assert_eq!(signal_by_name("15"), None);
    assert_eq!(signal_by_name("FOO"), None);
    assert_eq!(signal_by_name(""), None);
}

#[test]
fn errors() {
    let e = |args: &[&str]| run_parse(args).unwrap_err();
    assert_eq!(
        e(&["-S", "4294967296"]),
        "failed to parse uid: '4294967296'"
    );
    assert_eq!(e(&["-S", "-1"]), "failed to parse uid: '-1'");
    assert_eq!(e(&["-G", " 5"]), "failed to parse gid: ' 5'");
    assert_eq!(
        e(&["-G", "4294967295"]),
        "failed to parse gid: '4294967295'"
    );
    assert_eq!(e(&["--propagation=x"]), "unsupported propagation mode: x");
    assert_eq!(
        e(&["--setgroups=x"]),
        "unsupported --setgroups argument 'x'"
    );
    assert_eq!(e(&["--kill-child=15"]), "unknown signal: 15");
    assert_eq!(
        e(&["--monotonic=5"]),
        "options --monotonic and --boottime require unsharing of a time namespace (-T)"
    );
    assert_eq!(
        e(&["-T", "--boottime=x"]),
        "failed to parse boottime offset: 'x'"
    );
    assert_eq!(e(&["-Z"]), "invalid option -- 'Z'");
    assert_eq!(e(&["-m=x"]), "invalid option -- '='");
    assert_eq!(e(&["-w"]), "option requires an argument -- 'w'");
    assert_eq!(
        e(&["--fork=1"]),
        "option '--fork' doesn't allow an argument"
    );
    assert_eq!(
        e(&["--map-users=1,2"]),
        "mapping '1,2' contains only 2 elements"
    );
}

#[test]
fn every_option_is_in_the_usage() {
    for o in LONGS {
        assert!(USAGE.contains(&format!("--{}", o.name)), "--{}", o.name);
    }
    for (c, long) in SHORTS
        .iter()
        .copied()
        .chain(KINDS.iter().map(|k| (k.short, k.long)))
    {
        assert!(USAGE.contains(&format!(" -{c}, --{long}")), "-{c}");
        assert!(LONGS.iter().any(|o| o.name == long), "--{long}");
    }
    for k in &KINDS {
        assert!(
            LONGS
                .iter()
                .any(|o| o.name == k.long && o.arg == HasArg::Optional)
        );
    }
}

#[test]
fn every_option_is_in_the_man_page() {
    let page = include_str!("../man/unshare.1");
    for o in LONGS {
        let spelled = format!("\\-\\-{}", o.name.replace('-', "\\-"));
        assert!(page.contains(&spelled), "--{}", o.name);
    }
    for (c, _) in SHORTS
        .iter()
        .copied()
        .chain(KINDS.iter().map(|k| (k.short, k.long)))
    {
        assert!(page.contains(&format!(".BR \\-{c} ")), "-{c}");
    }
}
