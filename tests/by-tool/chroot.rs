//! chroot: integration tests. Exact stdout, stderr and exit code; the calls that need
//! CAP_SYS_CHROOT run in a private mount namespace (`ns_sh`) on a scratch tmpfs, in a rootfs
//! built there by scripts/mkrootfs.sh. `chroot` in these scripts is GNU coreutils' (the
//! differential reference); ours is `"$RB/chroot"`.

use std::os::unix::ffi::OsStrExt;

use crate::util::*;

const TRY: &str = "Try 'chroot --help' for more information.\n";

#[test]
fn missing_operand() {
    tool("chroot")
        .run()
        .fails(125, &format!("chroot: missing operand\n{TRY}"));
    tool("chroot")
        .args(["--userspec=0:0"])
        .run()
        .fails(125, &format!("chroot: missing operand\n{TRY}"));
}

#[test]
fn unknown_options_and_missing_arguments() {
    let cases: &[(&[&str], &str)] = &[
        (&["--bogus", "/"], "unrecognized option '--bogus'"),
        (&["--bogus=1", "/"], "unrecognized option '--bogus=1'"),
        (&["-x", "/"], "invalid option -- 'x'"),
        (&["-h"], "invalid option -- 'h'"),
        (&["--userspec"], "option '--userspec' requires an argument"),
        (&["--groups"], "option '--groups' requires an argument"),
        (
            &["--skip-chdir=yes", "/"],
            "option '--skip-chdir' doesn't allow an argument",
        ),
        (&["--help=x"], "option '--help' doesn't allow an argument"),
    ];
    for (args, message) in cases {
        tool("chroot")
            .args(*args)
            .run()
            .fails(125, &format!("chroot: {message}\n{TRY}"));
    }
}

#[test]
fn help_and_version() {
    let help = tool("chroot").args(["--help"]).run();
    let text = help.ok();
    assert!(text.starts_with("Usage:\n chroot [options] NEWROOT [COMMAND [ARG]...]\n"));
    for option in [
        "--userspec=USER:GROUP",
        "--groups=G_LIST",
        "--skip-chdir",
        "--help",
        "--version",
    ] {
        assert!(text.contains(option), "{option}");
    }
    assert!(text.contains("chroot is not a security boundary."));
    assert!(text.contains("pivot_root(8)"));
    // getopt_long abbreviations.
    assert_eq!(tool("chroot").args(["--he"]).run().stdout, text);
    tool("chroot").args(["--version"]).run().is(
        0,
        &format!("chroot from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn newroot_missing_or_a_file() {
    let scratch = Scratch::new();
    let missing = scratch.0.join("missing");
    let file = scratch.0.join("file");
    std::fs::write(&file, "x").unwrap();
    for (path, error) in [
        (&missing, "No such file or directory"),
        (&file, "Not a directory"),
    ] {
        let p = path.to_str().unwrap();
        tool("chroot").args([p, "true"]).run().fails(
            125,
            &format!("chroot: cannot change root directory to '{p}': {error}\n"),
        );
    }
    // A bad NEWROOT is reported before a bad --userspec, as GNU does.
    let p = missing.to_str().unwrap();
    tool("chroot").args(["--userspec=nosuch", p]).run().fails(
        125,
        &format!("chroot: cannot change root directory to '{p}': No such file or directory\n"),
    );
}

#[test]
fn skip_chdir_only_for_the_old_root() {
    let scratch = Scratch::new();
    let msg = format!("chroot: option --skip-chdir only permitted if NEWROOT is old '/'\n{TRY}");
    for newroot in [scratch.0.to_str().unwrap(), "/nonexistent", "/tmp/../tmp"] {
        tool("chroot")
            .args(["--skip-chdir", newroot, "true"])
            .run()
            .fails(125, &msg);
    }
}

#[test]
fn command_missing_or_not_executable() {
    if !privileged("chroot::command_missing_or_not_executable") {
        return;
    }
    let out = ns_sh(
        "\"$RB/chroot\" / /nonexistent-command 2>&1 || echo \"rc=$?\"
         \"$RB/chroot\" / no-such-command-in-path 2>&1 || echo \"rc=$?\"
         \"$RB/chroot\" / /etc/passwd 2>&1 || echo \"rc=$?\"
         \"$RB/chroot\" / /tmp 2>&1 || echo \"rc=$?\"
         SHELL=/no/shell \"$RB/chroot\" / 2>&1 || echo \"rc=$?\"
         \"$RB/chroot\" / sh -c 'exit 7' || echo \"rc=$?\"",
    );
    out.is(
        0,
        "chroot: failed to run command '/nonexistent-command': No such file or directory\n\
         rc=127\n\
         chroot: failed to run command 'no-such-command-in-path': No such file or directory\n\
         rc=127\n\
         chroot: failed to run command '/etc/passwd': Permission denied\nrc=126\n\
         chroot: failed to run command '/tmp': Permission denied\nrc=126\n\
         chroot: failed to run command '/no/shell': No such file or directory\nrc=127\n\
         rc=7\n",
        "",
    );
}

#[test]
fn default_command_is_shell_dash_i() {
    if !privileged("chroot::default_command_is_shell_dash_i") {
        return;
    }
    // "$SHELL" -i: a shell script that prints its arguments stands in for the shell.
    let out = rootfs_sh(
        "printf '#!/bin/sh\\necho \"shell $*\"\\n' > r/bin/fakesh
         chmod +x r/bin/fakesh
         SHELL=/bin/fakesh \"$RB/chroot\" r
         printf '#!/bin/busybox sh\\necho \"default $*\"\\n' > r/bin/sh.new
         chmod +x r/bin/sh.new && rm r/bin/sh && mv r/bin/sh.new r/bin/sh
         env -u SHELL \"$RB/chroot\" r",
    );
    out.is(0, "shell -i\ndefault -i\n", "");
}

#[test]
fn cwd_is_the_new_root_and_dotdot_stays_inside() {
    if !privileged("chroot::cwd_is_the_new_root_and_dotdot_stays_inside") {
        return;
    }
    let out = rootfs_sh(
        "stat -c %d:%i r > expect
         cat /proc/self/mountinfo > mounts
         cd r/tmp
         \"$RB/chroot\" \"$SCRATCH/r\" readlink /proc/self/cwd
         \"$RB/chroot\" \"$SCRATCH/r\" /bin/sh -c 'cd ../../..; stat -c %d:%i . / /..' > \"$SCRATCH/got\"
         cd \"$SCRATCH\"
         cat expect expect expect | cmp - got
         # chroot mounts nothing.
         cmp mounts /proc/self/mountinfo
         \"$RB/chroot\" r /bin/sh -c 'cd /; cd ../..; ls'
         # --skip-chdir on the old root keeps the cwd.
         cd r/home && \"$RB/chroot\" --skip-chdir / sh -c 'pwd -P' | sed \"s#^$SCRATCH/##\"",
    );
    out.is(
        0,
        "/\nbin\ndev\netc\nhome\nhost_dir\nlib\nlib64\nold\nproc\nroot\nsbin\nsys\ntmp\nusr\nr/home\n",
        "",
    );
}

#[test]
fn no_descriptor_and_no_ignored_signal_is_added() {
    if !privileged("chroot::no_descriptor_and_no_ignored_signal_is_added") {
        return;
    }
    // Compare what COMMAND sees through our chroot with a plain run and with GNU chroot:
    // the caller's own fd 9 passes through, nothing is added; the caller's ignored SIGPIPE
    // passes through, nothing else is ignored.
    let out = rootfs_sh(
        "exec 9</dev/null
         r/bin/busybox ls /proc/self/fd > plain
         \"$RB/chroot\" r ls /proc/self/fd > ours
         \"$RB/chroot\" --userspec=user:users --groups=users r ls /proc/self/fd > ours-user
         chroot r ls /proc/self/fd > gnu
         cmp plain ours && cmp plain ours-user && cmp plain gnu
         grep -c '^9$' ours
         r/bin/busybox grep -e SigIgn -e SigBlk /proc/self/status > plain
         \"$RB/chroot\" r grep -e SigIgn -e SigBlk /proc/self/status > ours
         cmp plain ours
         trap '' PIPE
         r/bin/busybox grep -e SigIgn -e SigBlk /proc/self/status > plain
         \"$RB/chroot\" r grep -e SigIgn -e SigBlk /proc/self/status > ours
         chroot r grep -e SigIgn -e SigBlk /proc/self/status > gnu
         cmp plain ours && cmp plain gnu
         echo $(( 0x$(grep SigIgn ours | cut -f2) & 0x1000 ))",
    );
    out.is(0, "1\n4096\n", "");
}

#[test]
fn userspec_names_come_from_the_new_roots_files() {
    if !privileged("chroot::userspec_names_come_from_the_new_roots_files") {
        return;
    }
    // `user` exists only in the rootfs; `daemon` exists only on the host.
    let out = rootfs_sh(
        "for spec in user user: user:nogroup nobody 1000 0 1000:100 user.users; do
             \"$RB/chroot\" --userspec=$spec r id 2>&1
         done
         \"$RB/chroot\" --userspec=1000:100 --groups=nogroup,root r id
         \"$RB/chroot\" --userspec=user --groups= r id
         \"$RB/chroot\" --groups=users,0 r id
         \"$RB/chroot\" --userspec=daemon r id 2>&1 || echo \"rc=$?\"",
    );
    out.is(
        0,
        "uid=1000(user) gid=100(users) groups=100(users)\n\
         uid=1000(user) gid=100(users) groups=100(users)\n\
         uid=1000(user) gid=65534(nogroup) groups=100(users),65534(nogroup)\n\
         uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n\
         uid=1000(user) gid=100(users) groups=100(users)\n\
         uid=0(root) gid=0(root) groups=0(root)\n\
         uid=1000(user) gid=100(users) groups=100(users)\n\
         chroot: warning: '.' should be ':'\n\
         uid=1000(user) gid=100(users) groups=100(users)\n\
         uid=1000(user) gid=100(users) groups=0(root),65534(nogroup)\n\
         uid=1000(user) gid=100(users)\n\
         uid=0(root) gid=0(root) groups=0(root),100(users)\n\
         chroot: invalid user\nrc=125\n",
        "",
    );
}

#[test]
fn userspec_matches_gnu_chroot() {
    if !privileged("chroot::userspec_matches_gnu_chroot") {
        return;
    }
    // GNU chroot looks the names up through NSS inside NEWROOT, which reads the same files.
    // Not compared: a bare uid, for which GNU keeps the login group of the *host's* passwd
    // entry from its first look-up outside the chroot (here `--userspec=1000` gives gid 1000
    // from the host instead of the rootfs's 100).
    let out = rootfs_sh(
        "for spec in user user:nogroup nobody: 0:65534 :users nosuch :nosuch 12345 12345: \
                     4294967295 4294967296 a:b:c user.users user. nobody. 0. 1000. \
                     user:: 0:: x:: 12345:: : :: ::: user.nosuch; do
             \"$RB/chroot\" --userspec=$spec r id > ours 2>&1 || echo \"rc=$?\" >> ours
             chroot --userspec=$spec r id > gnu 2>&1 || echo \"rc=$?\" >> gnu
             sed -i 's/^[^ ]*chroot: /chroot: /' gnu
             cmp ours gnu || { echo \"differs: $spec\"; cat ours gnu; }
         done
         \"$RB/chroot\" --userspec=user.users --groups=x r id > ours 2>&1 || echo \"rc=$?\" >> ours
         chroot --userspec=user.users --groups=x r id > gnu 2>&1 || echo \"rc=$?\" >> gnu
         cmp ours gnu || { echo 'differs: warning then group error'; cat ours gnu; }
         for groups in users root,nogroup nosuch, , 0,nosuch,4294967296 1,,2; do
             \"$RB/chroot\" --groups=$groups r id > ours 2>&1 || echo \"rc=$?\" >> ours
             chroot --groups=$groups r id > gnu 2>&1 || echo \"rc=$?\" >> gnu
             sed -i 's/^[^ ]*chroot: /chroot: /' gnu
             cmp ours gnu || { echo \"differs: $groups\"; cat ours gnu; }
         done",
    );
    out.is(0, "", "");
}

#[test]
fn userspec_errors() {
    if !privileged("chroot::userspec_errors") {
        return;
    }
    // Ids are strict u32 (DESIGN.md §3): GNU would take "+5" and " 5" as 5.
    let out = rootfs_sh(
        "for spec in nosuch 4294967295 4294967296 99999999999999999999 -1 +5 ' 5' a:b:c \
                     :nosuch user:4294967296 user:+5 12345 12345:; do
             \"$RB/chroot\" --userspec=\"$spec\" r id 2>&1 || echo \"rc=$?\"
         done
         \"$RB/chroot\" --groups=nosuch,4294967296,users r id 2>&1 || echo \"rc=$?\"
         \"$RB/chroot\" --groups=, r id 2>&1 || echo \"rc=$?\"",
    );
    let user = "chroot: invalid user\nrc=125\n";
    let group = "chroot: invalid group\nrc=125\n";
    let unknown = "chroot: no group specified for unknown uid: 12345\nrc=125\n";
    out.is(
        0,
        &[
            user.repeat(8),
            group.repeat(3),
            unknown.repeat(2),
            "chroot: invalid group 'nosuch'\nchroot: invalid group '4294967296'\nrc=125\n".into(),
            "chroot: invalid group list ','\nrc=125\n".into(),
        ]
        .concat(),
        "",
    );
}

#[test]
fn trace_shows_each_syscall() {
    if !privileged("chroot::trace_shows_each_syscall") {
        return;
    }
    let out = rootfs_sh(
        "ROOTBOX_TRACE=1 \"$RB/chroot\" / true
         ROOTBOX_TRACE=1 \"$RB/chroot\" --skip-chdir /. true
         ROOTBOX_TRACE=1 \"$RB/chroot\" --userspec=user:users r true 2>&1
         ROOTBOX_TRACE=1 \"$RB/chroot\" r /nonexistent 2>&1 || echo \"rc=$?\"",
    );
    out.is(
        0,
        "chroot: open(\"r\", O_PATH|O_DIRECTORY|O_CLOEXEC) = 3\n\
         chroot: openat2(3, \"etc/passwd\", {O_RDONLY|O_CLOEXEC|O_NONBLOCK, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS}) = 4\n\
         chroot: fstat(4) = 0\n\
         chroot: read(4, ...) until EOF = 122\n\
         chroot: openat2(3, \"etc/group\", {O_RDONLY|O_CLOEXEC|O_NONBLOCK, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS}) = 4\n\
         chroot: fstat(4) = 0\n\
         chroot: read(4, ...) until EOF = 44\n\
         chroot: chroot(\"r\") = 0\n\
         chroot: chdir(\"/\") = 0\n\
         chroot: setgroups(1, [100]) = 0\n\
         chroot: setgid(100) = 0\n\
         chroot: setuid(1000) = 0\n\
         chroot: chroot(\"r\") = 0\n\
         chroot: chdir(\"/\") = 0\n\
         chroot: execvp(\"/nonexistent\", [\"/nonexistent\"]) = -1 ENOENT (No such file or directory)\n\
         chroot: failed to run command '/nonexistent': No such file or directory\n\
         rc=127\n",
        "chroot: chroot(\"/\") = 0\nchroot: chdir(\"/\") = 0\n\
         chroot: realpath(\"/.\") = \"/\"\nchroot: chroot(\"/.\") = 0\n",
    );
}

#[test]
fn passwd_symlinks_resolve_inside_the_new_root() {
    if !privileged("chroot::passwd_symlinks_resolve_inside_the_new_root") {
        return;
    }
    // r/etc/passwd -> /etc/users: read r/etc/users, never the host's /etc/users.
    let out = rootfs_sh(
        "mv r/etc/passwd r/etc/users
         ln -s /etc/users r/etc/passwd
         \"$RB/chroot\" --userspec=user r id -u",
    );
    out.is(0, "1000\n", "");
}

#[test]
fn hostile_names_are_quoted_like_gnu() {
    // NEWROOT in GNU's shell-escape style, COMMAND and groups in its locale style, in the C
    // and a UTF-8 locale: no raw control byte reaches the terminal.
    if !privileged("chroot::hostile_names_are_quoted_like_gnu") {
        return;
    }
    let names: &[&[u8]] = &[
        b"a b",
        b"it's",
        b"tab\there",
        b"nl\nx",
        b"esc\x1b[2J",
        b"\xff\xfe",
        "caf\u{e9}".as_bytes(),
        b"back\\slash",
        b"$HOME",
        b"#it's",
        b"{",
        b"x,,y",
        b"",
    ];
    for locale in ["C", "C.UTF-8"] {
        for name in names {
            let name = std::ffi::OsStr::from_bytes(name);
            let mut path = std::ffi::OsString::from("/nonexistent/");
            path.push(name);
            let cases: [Vec<&std::ffi::OsStr>; 3] = [
                vec![path.as_os_str(), "true".as_ref()],
                vec!["--groups".as_ref(), name, "/".as_ref(), "true".as_ref()],
                vec!["/".as_ref(), name],
            ];
            for args in cases {
                let gnu = cmd("chroot")
                    .args(&args)
                    .env("LC_ALL", locale)
                    .env("PATH", with_sbin())
                    .run();
                let ours = tool("chroot").args(&args).env("LC_ALL", locale).run();
                assert_eq!(
                    (ours.code, ours.stdout, ours.stderr),
                    (gnu.code, gnu.stdout, gnu.stderr),
                    "{locale} {args:?}"
                );
            }
        }
    }
}

#[test]
fn mkrootfs_refuses_the_running_systems_root() {
    if !privileged("chroot::mkrootfs_refuses_the_running_systems_root") {
        return;
    }
    // `/` is made read-only in the test's private namespace first, so that a regression can
    // never write to the host (a `//` spelling once got past a string comparison).
    let out = ns_sh_rootfs(
        "mount -o remount,bind,ro /
         for d in / // /tmp/.. /usr /etc; do \"$MKROOTFS\" \"$d\" 2>&1 || echo \"rc=$?\"; done",
    );
    let refused = |d: &str, why: &str| format!("mkrootfs: cannot use '{d}': {why}\nrc=1\n");
    let root = "refusing to build a rootfs in '/'";
    let full = "not empty and not made by mkrootfs.sh";
    out.is(
        0,
        &[
            refused("/", root),
            refused("//", root),
            refused("/tmp/..", root),
            refused("/usr", full),
            refused("/etc", full),
        ]
        .concat(),
        "",
    );
}

#[test]
fn mkrootfs_refuses_unusable_dirs() {
    let scratch = Scratch::new();
    let file = scratch.0.join("file");
    std::fs::write(&file, "x").unwrap();
    let f = file.to_str().unwrap();
    cmd(MKROOTFS)
        .run()
        .fails(2, &format!("usage: {MKROOTFS} DIR\n"));
    cmd(MKROOTFS)
        .args([f])
        .run()
        .fails(1, &format!("mkrootfs: cannot use '{f}': not a directory\n"));
    let below_file = format!("{f}/sub");
    cmd(MKROOTFS).args([&below_file]).run().fails(
        1,
        &format!("mkrootfs: cannot use '{below_file}': cannot create the directory\n"),
    );
    // A directory with something in it and no stamp of an earlier run is left alone.
    let full = scratch.0.join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep"), "x").unwrap();
    let d = full.to_str().unwrap();
    cmd(MKROOTFS).args([d]).run().fails(
        1,
        &format!("mkrootfs: cannot use '{d}': not empty and not made by mkrootfs.sh\n"),
    );
    assert_eq!(tree(&full), " d  755\nkeep f  644");
    let dir = scratch.0.join("root");
    cmd(MKROOTFS)
        .args([dir.to_str().unwrap()])
        .env("ROOTBOX", "/nonexistent/rootbox")
        .run()
        .fails(
            1,
            "mkrootfs: ROOTBOX=/nonexistent/rootbox is not an executable file\n",
        );
}

/// Every entry under `dir`: path, type and link target, sorted.
fn tree(dir: &std::path::Path) -> String {
    cmd("find")
        .args([dir.to_str().unwrap(), "-printf", "%P %y %l %m\\n"])
        .run()
        .ok()
        .lines()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn mkrootfs_layout_links_and_rerun() {
    let scratch = Scratch::new();
    let dir = scratch.0.join("root");
    let d = dir.to_str().unwrap();
    let run = || {
        cmd(MKROOTFS)
            .args([d])
            .env("ROOTBOX", rootbox())
            .run()
            .is(0, "", "");
    };
    run();
    let first = tree(&dir);
    let link = |name: &str| {
        std::fs::read_link(dir.join(name))
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    // busybox's applets, then rootbox's on top of the names they share; all siblings.
    assert_eq!(link("bin/sh"), "busybox");
    assert_eq!(link("bin/ls"), "busybox");
    for applet in APPLETS {
        assert_eq!(link(&format!("bin/{applet}")), "rootbox", "{applet}");
    }
    // bin and usr/bin are real directories with the same content (the binaries hard
    // linked); no link goes through `..` or is absolute (see the script's header).
    assert_eq!(link("sbin"), "bin");
    assert_eq!(link("usr/sbin"), "bin");
    assert_eq!(link("usr/bin/mount"), "rootbox");
    assert_eq!(link("usr/bin/sh"), "busybox");
    let ino =
        |p: &str| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(dir.join(p)).unwrap());
    assert_eq!(ino("bin/busybox"), ino("usr/bin/busybox"));
    assert_eq!(ino("bin/rootbox"), ino("usr/bin/rootbox"));
    assert!(
        !first.contains(" l ../") && !first.contains(" l /"),
        "{first}"
    );
    for empty in ["proc", "sys", "dev", "old", "host_dir"] {
        assert_eq!(
            std::fs::read_dir(dir.join(empty)).unwrap().count(),
            0,
            "{empty}"
        );
    }
    assert!(first.contains("\ntmp d  1777"), "{first}");
    assert_eq!(
        std::fs::read_to_string(dir.join("etc/passwd")).unwrap(),
        "root:x:0:0:root:/root:/bin/sh\n\
         nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
         user:x:1000:100:user:/home/user:/bin/sh\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("etc/group")).unwrap(),
        "root:x:0:\nusers:x:100:user\nnogroup:x:65534:\n"
    );
    // Re-running changes nothing and leaves no temporary file.
    run();
    assert_eq!(tree(&dir), first);
}

#[test]
fn mkrootfs_without_busybox_uses_host_binaries() {
    if !privileged("chroot::mkrootfs_without_busybox_uses_host_binaries") {
        return;
    }
    let rootbox = rootbox().to_str().unwrap();
    let out = ns_sh_with(
        "\"$MKROOTFS\" r
         test ! -e r/bin/busybox
         \"$RB/chroot\" r sh -c 'echo hi; id -u; ls /etc'
         \"$RB/chroot\" r chroot --version",
        &[
            ("MKROOTFS", MKROOTFS),
            ("ROOTBOX", rootbox),
            ("MKROOTFS_NO_BUSYBOX", "1"),
        ],
    );
    out.is(
        0,
        &format!(
            "hi\n0\ngroup\npasswd\nchroot from rootbox {}\n",
            env!("CARGO_PKG_VERSION")
        ),
        "",
    );
}

#[test]
fn privilege_failures_match_gnu() {
    // Each step that needs a capability, with that capability taken away by setpriv(1):
    // chroot(2) without CAP_SYS_CHROOT, setgroups(2) and setgid(2) without CAP_SETGID,
    // setuid(2) without CAP_SETUID. Exact message and 125, as GNU chroot says them.
    if !needs_root("chroot::privilege_failures_match_gnu") {
        return;
    }
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "-sys_chroot",
            &["/", "true"],
            "cannot change root directory to '/': Operation not permitted",
        ),
        (
            "-setgid",
            &["--userspec=0:5", "/", "true"],
            "failed to set supplemental groups: Operation not permitted",
        ),
        (
            "-setgid",
            &["--userspec=:5", "/", "true"],
            "failed to set group-ID: Operation not permitted",
        ),
        (
            "-setuid",
            &["--userspec=1000:1000", "--groups=1000", "/", "true"],
            "failed to set user-ID: Operation not permitted",
        ),
    ];
    for (drop, args, message) in cases {
        let bounding = format!("--bounding-set={drop}");
        let ours = cmd("setpriv")
            .args([bounding.as_str(), tool_path("chroot").to_str().unwrap()])
            .args(args)
            .run();
        ours.fails(125, &format!("chroot: {message}\n"));
        let gnu = cmd("setpriv")
            .args([bounding.as_str(), "chroot"])
            .args(args)
            .env("PATH", with_sbin())
            .run();
        gnu.fails(125, &format!("chroot: {message}\n"));
    }
}

#[test]
fn the_recipe_in_help_confines_the_shell() {
    if !privileged("chroot::the_recipe_in_help_confines_the_shell") {
        return;
    }
    // Run the recipe exactly as `chroot --help` prints it, with rootbox's tools first in
    // PATH (after the pivot only the rootfs's own links, also rootbox, are left), on a rootfs
    // named R; only the interactive shell at the end is replaced by a check.
    let help = tool("chroot").args(["--help"]).run();
    let text = help.ok();
    let start = text.find("  unshare -m").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let recipe = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        recipe,
        "unshare -m sh -c 'mount --bind R R; cd R; pivot_root . .; umount -l .; \
         exec chroot . /bin/sh'"
    );
    let check = recipe.replace(
        "/bin/sh'",
        "/bin/sh -c \"stat -c %d:%i / .. | cmp - /tmp/expect && ls -a /old && echo confined\"'",
    );
    let out = ns_sh_rootfs(&format!(
        "\"$MKROOTFS\" R
         stat -c %d:%i R R > R/tmp/expect
         PATH=\"$RB:$PATH\"
         {check}"
    ));
    out.is(0, ".\n..\nconfined\n", "");
}

#[test]
fn non_utf8_newroot_and_command_work() {
    if !privileged("chroot::non_utf8_newroot_and_command_work") {
        return;
    }
    // Arguments are bytes: a NEWROOT and a COMMAND that are not UTF-8 pass through intact.
    let out = ns_sh_rootfs(
        "r=$(printf 'r\\377')
         \"$MKROOTFS\" \"$r\"
         printf '#!/bin/sh\\necho ran\\n' > \"$r/bin/$(printf 'x\\376')\"
         chmod +x \"$r/bin/$(printf 'x\\376')\"
         \"$RB/chroot\" \"$r\" \"$(printf 'x\\376')\"",
    );
    out.is(0, "ran\n", "");
}

#[test]
fn passwd_that_is_not_a_regular_file_is_ignored() {
    if !privileged("chroot::passwd_that_is_not_a_regular_file_is_ignored") {
        return;
    }
    // Opening a FIFO with no writer would block: it is not read, so names are unknown and
    // numbers still work (timeout turns a hang into a failure). (A device such as /dev/zero
    // is skipped by the same regular-file check; it is not tried here, as a regression
    // would fill memory.)
    let out = rootfs_sh(
        "rm r/etc/passwd r/etc/group
         mkfifo r/etc/passwd r/etc/group
         timeout 5 \"$RB/chroot\" --userspec=user r id 2>&1 || echo \"rc=$?\"
         timeout 5 \"$RB/chroot\" --userspec=0:0 --groups=0 r true && echo ran",
    );
    out.is(0, "chroot: invalid user\nrc=125\nran\n", "");
}
