//! The multicall binary: dispatch on argv[0], --list, --install, unknown applets.

use crate::util::*;

const LIST: &str = "chroot\nfindmnt\nlsns\nmount\nnsenter\npivot_root\numount\nunshare\n";

#[test]
fn list_prints_every_applet() {
    cmd(rootbox()).args(["--list"]).run().is(0, LIST, "");
    cmd(rootbox()).args(["-l"]).run().is(0, LIST, "");
}

#[test]
fn unknown_applet_exits_127() {
    cmd(rootbox())
        .args(["frobnicate", "x"])
        .run()
        .fails(127, "rootbox: frobnicate: applet not found\n");
}

#[test]
fn unknown_option_is_a_usage_error() {
    cmd(rootbox()).args(["--bogus"]).run().fails(
        1,
        "rootbox: unrecognized option '--bogus'\nTry 'rootbox --help' for more information.\n",
    );
}

#[test]
fn version_and_help() {
    let v = cmd(rootbox()).args(["--version"]).run();
    v.is(0, &format!("rootbox {}\n", env!("CARGO_PKG_VERSION")), "");
    let help = cmd(rootbox()).args(["--help"]).run();
    assert!(
        help.ok()
            .starts_with("Usage:\n rootbox APPLET [arguments]...\n")
    );
    assert!(help.stdout.ends_with(
        "Applets:\n chroot\n findmnt\n lsns\n mount\n nsenter\n pivot_root\n umount\n unshare\n"
    ));
}

#[test]
fn dispatch_by_argv0_and_by_first_argument() {
    let by_link = tool("chroot").args(["--version"]).run();
    by_link.is(
        0,
        &format!("chroot from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
    let by_arg = cmd(rootbox()).args(["chroot", "--version"]).run();
    assert_eq!(by_arg.stdout, by_link.stdout);
    // A login-shell style leading dash is stripped.
    let mut dashed = cmd(rootbox()).args(["--version"]);
    std::os::unix::process::CommandExt::arg0(dashed.command(), "-chroot");
    assert_eq!(dashed.run().stdout, by_link.stdout);
}

#[test]
fn empty_argv0_does_not_panic() {
    let mut c = cmd(rootbox()).args(["--list"]);
    std::os::unix::process::CommandExt::arg0(c.command(), "");
    c.run().is(0, LIST, "");
}

#[test]
fn install_hard_links_then_symlinks_and_is_rerunnable() {
    let dir = Scratch::new();
    let d = dir.0.to_str().unwrap();
    cmd(rootbox()).args(["--install", d]).run().is(0, "", "");
    let exe = std::fs::metadata(rootbox()).unwrap();
    for name in APPLETS {
        let m = std::fs::symlink_metadata(dir.0.join(name)).unwrap();
        assert!(m.is_file(), "{name} is a hard link");
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&m),
            std::os::unix::fs::MetadataExt::ino(&exe)
        );
    }
    // Re-running leaves existing links alone; -s without -f changes nothing.
    cmd(rootbox())
        .args(["--install", "-s", d])
        .run()
        .is(0, "", "");
    assert!(
        std::fs::symlink_metadata(dir.0.join("mount"))
            .unwrap()
            .is_file()
    );
    // -f replaces them with symlinks to the running binary.
    cmd(rootbox())
        .args(["--install", "-s", "-f", d])
        .run()
        .is(0, "", "");
    let target = std::fs::read_link(dir.0.join("mount")).unwrap();
    assert_eq!(target, std::fs::canonicalize(rootbox()).unwrap());
    // An installed link runs its applet.
    cmd(dir.0.join("findmnt")).args(["--version"]).run().is(
        0,
        &format!("findmnt from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn install_into_missing_or_non_directory_fails() {
    let dir = Scratch::new();
    let missing = dir.0.join("nope");
    cmd(rootbox())
        .args(["--install".as_ref(), missing.as_os_str()])
        .run()
        .fails(
            1,
            &format!(
                "rootbox: cannot install into '{}': No such file or directory\n",
                missing.display()
            ),
        );
    let file = dir.0.join("file");
    std::fs::write(&file, "x").unwrap();
    cmd(rootbox())
        .args(["--install".as_ref(), file.as_os_str()])
        .run()
        .fails(
            1,
            &format!(
                "rootbox: cannot install into '{}': Not a directory\n",
                file.display()
            ),
        );
    cmd(rootbox()).args(["--install"]).run().fails(
        1,
        "rootbox: --install: no directory specified\nTry 'rootbox --help' for more information.\n",
    );
}

#[test]
fn install_force_over_a_directory_fails() {
    let dir = Scratch::new();
    std::fs::create_dir_all(dir.0.join("mount/sub")).unwrap();
    cmd(rootbox())
        .args(["--install".as_ref(), "-f".as_ref(), dir.0.as_os_str()])
        .run()
        .fails(
            1,
            &format!(
                "rootbox: cannot replace '{}/mount': Is a directory\n",
                dir.0.display()
            ),
        );
}

#[test]
fn install_into_read_only_directory_fails() {
    if !privileged("install_into_read_only_directory_fails") {
        return;
    }
    let out = ns_sh(&format!(
        "mkdir ro && mount --bind ro ro && mount -o remount,bind,ro ro\n\"{}\" --install ro",
        rootbox().display()
    ));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("rootbox: cannot link '")
            && out.stderr.ends_with("': Read-only file system\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn elevated_privileges_are_refused() {
    // A setuid copy of the binary, run by an unprivileged user, must refuse before parsing.
    if !needs_root("multicall::elevated_privileges_are_refused") {
        return;
    }
    let dir = Scratch::new();
    let copy = dir.0.join("mount");
    copy_rootbox(&copy);
    std::fs::set_permissions(&dir.0, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&copy, std::os::unix::fs::PermissionsExt::from_mode(0o4755)).unwrap();
    let out = cmd("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args([copy.as_os_str(), "--bogus".as_ref()])
        .run();
    out.fails(
        1,
        "mount: refusing to run with elevated privileges (setuid, setgid or file capabilities)\n",
    );
}

#[test]
fn output_errors_are_reported() {
    let closed = cmd("sh")
        .args(["-c", "exec \"$0\" --list >&-"])
        .args([rootbox()])
        .run();
    closed.fails(1, "rootbox: write error: Bad file descriptor\n");
    let full = cmd("sh")
        .args(["-c", "exec \"$0\" --list >/dev/full"])
        .args([rootbox()])
        .run();
    full.fails(1, "rootbox: write error: No space left on device\n");
    // A reader that went away ends the tool quietly (SIGPIPE ignored by the caller: EPIPE).
    let gone = cmd("sh")
        .args([
            "-c",
            "trap '' PIPE; \"$0\" --help | true; echo \"status $?\"",
        ])
        .args([rootbox()])
        .run();
    gone.is(0, "status 0\n", "");
}

#[test]
fn list_and_install_together_is_a_usage_error() {
    cmd(rootbox()).args(["--list", "--install", "/tmp"]).run().fails(
        1,
        "rootbox: --list and --install are exclusive\nTry 'rootbox --help' for more information.\n",
    );
    // -s and -f belong to --install only.
    cmd(rootbox()).args(["-s"]).run().fails(
        1,
        "rootbox: invalid option -- 's'\nTry 'rootbox --help' for more information.\n",
    );
}
