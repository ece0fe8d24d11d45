//! pivot_root: integration tests. Every call runs in a private mount namespace (`ns_sh`) on
//! a scratch tmpfs. A bare `mount`/`umount` in the scripts is util-linux's; after a pivot only
//! the new root's tools are left (`/bin/busybox umount`, or `/bin/umount`, which is rootbox).

use crate::util::*;

const TRY: &str = "Try 'pivot_root --help' for more information.\n";

const HELP: &str = "
Usage:
 pivot_root [options] new_root put_old

Change the root filesystem.

Options:
 -h, --help     display this help
 -V, --version  display version

For more details see pivot_root(8).
";

#[test]
fn bad_usage() {
    for args in [&[][..], &["a"], &["a", "b", "c"], &["--"], &["--", "a"]] {
        tool("pivot_root")
            .args(args)
            .run()
            .fails(1, &format!("pivot_root: bad usage\n{TRY}"));
    }
}

#[test]
fn unknown_options() {
    let cases: &[(&[&str], &str)] = &[
        (&["-x", "a", "b"], "invalid option -- 'x'"),
        (&["--bogus", "a", "b"], "unrecognized option '--bogus'"),
        (&["--bogus=1", "a", "b"], "unrecognized option '--bogus=1'"),
        (&["--help=1"], "option '--help' doesn't allow an argument"),
    ];
    for (args, message) in cases {
        tool("pivot_root")
            .args(*args)
            .run()
            .fails(1, &format!("pivot_root: {message}\n{TRY}"));
    }
}

#[test]
fn help_and_version() {
    for args in [&["-h"][..], &["--help"], &["a", "b", "--help"], &["--he"]] {
        tool("pivot_root").args(args).run().is(0, HELP, "");
    }
    let version = format!("pivot_root from rootbox {}\n", env!("CARGO_PKG_VERSION"));
    for args in [&["-V"][..], &["--version"], &["--v"]] {
        tool("pivot_root").args(args).run().is(0, &version, "");
    }
}

/// Run `script` in ns_sh with stderr folded into stdout.
fn ns(test: &str, script: &str) -> Option<Output> {
    privileged(test).then(|| ns_sh(&format!("exec 2>&1\n{script}")))
}

const EINVAL: &str = "Invalid argument";

fn failed(new: &str, old: &str, error: &str, hint: &str) -> String {
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!("pivot_root: hint: {hint}\n")
    };
    format!("pivot_root: failed to change root from `{new}' to `{old}': {error}\n{hint}rc=1\n")
}

#[test]
fn missing_paths_have_no_hint_and_double_dash_is_accepted() {
    let Some(out) = ns(
        "pivot_root::missing_paths",
        "\"$RB/pivot_root\" -- nonexistent nonexistent/old || echo \"rc=$?\"",
    ) else {
        return;
    };
    let msg = failed(
        "nonexistent",
        "nonexistent/old",
        "No such file or directory",
        "",
    );
    out.is(0, &msg, "");
}

#[test]
fn rule_new_root_not_a_mount_point() {
    // The failure changes nothing: `/` and the cwd are where they were.
    let Some(out) = ns(
        "pivot_root::rule_new_root_not_a_mount_point",
        "mkdir -p 'my root/old'
         stat -c %d:%i / . > before
         \"$RB/pivot_root\" 'my root' 'my root/old' || echo \"rc=$?\"
         stat -c %d:%i / . | cmp - before",
    ) else {
        return;
    };
    out.is(
        0,
        &failed(
            "my root",
            "my root/old",
            EINVAL,
            "new_root is not a mount point; make it one first: mount --bind 'my root' 'my root'",
        ),
        "",
    );
}

#[test]
fn rule_put_old_outside_new_root() {
    let Some(out) = ns(
        "pivot_root::rule_put_old_outside_new_root",
        "mkdir r o rx
         mount --bind r r
         \"$RB/pivot_root\" r o || echo \"rc=$?\"
         \"$RB/pivot_root\" r rx || echo \"rc=$?\"",
    ) else {
        return;
    };
    let hint = |old| {
        format!(
            "put_old {old} is not at or under new_root r; use a directory inside it, or: cd r && pivot_root . ."
        )
    };
    out.is(
        0,
        &(failed("r", "o", EINVAL, &hint("o")) + &failed("r", "rx", EINVAL, &hint("rx"))),
        "",
    );
}

#[test]
fn rule_shared_parent_and_shared_put_old() {
    // Shared inside the private namespace only: the host's table stays as it was.
    let Some(out) = ns(
        "pivot_root::rule_shared_parent_and_shared_put_old",
        "mkdir -p r/old
         mount --bind r r
         mount --make-shared \"$SCRATCH\"
         \"$RB/pivot_root\" r r/old 2>&1 | sed \"s#$SCRATCH#S#\"
         mount --make-shared r
         \"$RB/pivot_root\" r r/old 2>&1 | sed \"s#$SCRATCH#S#\"",
    ) else {
        return;
    };
    let hint = |what: &str| {
        format!(
            "pivot_root: failed to change root from `r' to `r/old': {EINVAL}\n\
             pivot_root: hint: {what} is shared; make the mounts private first, \
             in a new mount namespace: mount --make-rprivate /\n"
        )
    };
    out.is(
        0,
        &(hint("the parent mount of new_root (S)") + &hint("put_old's mount (S/r)")),
        "",
    );
}

#[test]
fn rule_new_root_is_the_current_root() {
    let Some(out) = ns(
        "pivot_root::rule_new_root_is_the_current_root",
        "\"$RB/pivot_root\" / /tmp || echo \"rc=$?\"",
    ) else {
        return;
    };
    out.is(
        0,
        &failed(
            "/",
            "/tmp",
            "Device or resource busy",
            "new_root / is already the current root",
        ),
        "",
    );
}

#[test]
fn rule_new_root_on_the_current_roots_mount() {
    if !privileged("pivot_root::rule_new_root_on_the_current_roots_mount") {
        return;
    }
    // chroot into the scratch tmpfs (a mount's root): new_root /d is then a plain directory
    // of the current root's mount, which the kernel reports as EBUSY.
    let out = rootfs_in_scratch(
        "mount -t proc proc proc
         mkdir -p d/old
         \"$RB/chroot\" . /bin/pivot_root /d /d/old 2>&1 || echo \"rc=$?\"",
    );
    out.is(
        0,
        &failed(
            "/d",
            "/d/old",
            "Device or resource busy",
            "new_root is not a mount point; make it one first: mount --bind /d /d",
        ),
        "",
    );
}

/// ns_sh with a rootfs built in the scratch directory itself (it is a mount's root).
fn rootfs_in_scratch(script: &str) -> Output {
    ns_sh_rootfs(&format!("\"$MKROOTFS\" .\n{script}"))
}

#[test]
fn rule_caller_is_chrooted() {
    if !privileged("pivot_root::rule_caller_is_chrooted") {
        return;
    }
    // r is a plain directory: inside `chroot r` the root is not the root of a mount.
    let out = rootfs_sh(
        "mkdir -p r/x/old
         mount --bind r/x r/x
         \"$RB/chroot\" r /bin/pivot_root /x /x/old 2>&1 || echo \"rc=$?\"",
    );
    out.is(
        0,
        &failed(
            "/x",
            "/x/old",
            EINVAL,
            "the caller is chrooted (its root is not the root of a mount); \
             run pivot_root from the mount namespace's root",
        ),
        "",
    );
}

#[test]
fn rule_no_cap_sys_admin() {
    // A new user namespace has no CAP_SYS_ADMIN over the mount namespace it did not create.
    let Some(out) = ns(
        "pivot_root::rule_no_cap_sys_admin",
        "mkdir -p r/old
         mount --bind r r
         unshare -U \"$RB/pivot_root\" r r/old || echo \"rc=$?\"",
    ) else {
        return;
    };
    out.is(
        0,
        &failed(
            "r",
            "r/old",
            "Operation not permitted",
            "pivot_root needs CAP_SYS_ADMIN over the mount namespace: \
             run it as root, or inside 'unshare -Umr'",
        ),
        "",
    );
}

#[test]
fn rule_locked_mount_in_a_user_namespace() {
    // m is a mount of the outer namespace: inside `unshare -Umr` it is locked; a bind mount
    // made inside is not, and the pivot then works.
    let Some(out) = ns(
        "pivot_root::rule_locked_mount_in_a_user_namespace",
        "mkdir m && mount -t tmpfs m m && mkdir m/old
         unshare -Umr sh -c '
             cd m
             \"$RB/pivot_root\" . old || echo \"rc=$?\"
             mount --bind . . && cd ../m
             \"$RB/pivot_root\" . old && echo pivoted'",
    ) else {
        return;
    };
    out.is(
        0,
        &(failed(
            ".",
            "old",
            EINVAL,
            "new_root's mount was inherited from a more privileged mount namespace and is \
             locked in this user namespace; make a new one here first: mount --bind . .",
        ) + "pivoted\n"),
        "",
    );
}

#[test]
fn rule_not_a_directory() {
    let Some(out) = ns(
        "pivot_root::rule_not_a_directory",
        "mkdir r && touch r/f
         mount --bind r r
         \"$RB/pivot_root\" r r/f || echo \"rc=$?\"
         \"$RB/pivot_root\" r/f r || echo \"rc=$?\"
         \"$RB/pivot_root\" r r/f/x || echo \"rc=$?\"",
    ) else {
        return;
    };
    let not_dir = "Not a directory";
    out.is(
        0,
        &[
            failed("r", "r/f", not_dir, "put_old r/f is not a directory"),
            failed("r/f", "r", not_dir, "new_root r/f is not a directory"),
            failed(
                "r",
                "r/f/x",
                not_dir,
                "new_root and put_old must both be directories",
            ),
        ]
        .concat(),
        "",
    );
}

#[test]
fn trace_lines_of_a_failed_and_a_successful_run() {
    let Some(out) = ns(
        "pivot_root::trace_lines",
        "mkdir -p d/old r
         ROOTBOX_TRACE=1 \"$RB/pivot_root\" d d/old 2>&1 | sed \"s#$SCRATCH#S#; /mountinfo\\|uid_map/s/= [0-9]*$/= N/; s/65536) = [1-9][0-9]*$/65536) = N/\"
         mount --bind r r
         cd r
         ROOTBOX_TRACE=1 \"$RB/pivot_root\" . .
         echo rc=$?",
    ) else {
        return;
    };
    out.is(
        0,
        "pivot_root: pivot_root(\"d\", \"d/old\") = -1 EINVAL (Invalid argument)\n\
         pivot_root: open(\"/proc/self/mountinfo\", O_RDONLY|O_CLOEXEC) = N\n\
         pivot_root: read(3, ..., 65536) = N\n\
         pivot_root: read(3, ..., 65536) = 0\n\
         pivot_root: poll([{fd=3, events=POLLPRI}], 1, 0) = 0\n\
         pivot_root: close(3) = 0\n\
         pivot_root: stat(\"/\") = 0\n\
         pivot_root: realpath(\"d\") = \"S/d\"\n\
         pivot_root: stat(\"d\") = 0\n\
         pivot_root: realpath(\"d/old\") = \"S/d/old\"\n\
         pivot_root: stat(\"d/old\") = 0\n\
         pivot_root: read(\"/proc/self/uid_map\") = N\n\
         pivot_root: failed to change root from `d' to `d/old': Invalid argument\n\
         pivot_root: hint: new_root is not a mount point; make it one first: mount --bind d d\n\
         pivot_root: pivot_root(\".\", \".\") = 0\n\
         rc=0\n",
        "",
    );
}

/// After the pivot: `/` is R, `..` at `/` stays there, and the mount table holds the new
/// root and /proc only.
const CHECK_INSIDE: &str = "
    cd /
    stat -c %d:%i / | cmp - /tmp/expect
    cd ../../.. && stat -c %d:%i . | cmp - /tmp/expect
    cut -d' ' -f4,5 /proc/self/mountinfo
    ls -a /old";

#[test]
fn recipe_with_put_old() {
    if !privileged("pivot_root::recipe_with_put_old") {
        return;
    }
    let out = rootfs_sh(&format!(
        "umount r/proc
         stat -c %d:%i r > r/tmp/expect
         mount --bind r r
         mount -t proc proc r/proc
         cd r
         \"$RB/pivot_root\" . old
         cd /
         /bin/busybox umount -l /old
         {CHECK_INSIDE}"
    ));
    out.is(0, "/r /\n/ /proc\n.\n..\n", "");
}

#[test]
fn recipe_dot_dot() {
    if !privileged("pivot_root::recipe_dot_dot") {
        return;
    }
    // `pivot_root . .`: the old root is stacked on the new one; `umount -l .` drops it.
    // All rootbox: our mount before the pivot, the rootfs's own umount (rootbox) after it.
    let out = rootfs_sh(&format!(
        "umount r/proc
         stat -c %d:%i r > r/tmp/expect
         \"$RB/mount\" --bind r r
         \"$RB/mount\" -t proc proc r/proc
         cd r
         \"$RB/pivot_root\" . .
         /bin/umount -l .
         {CHECK_INSIDE}"
    ));
    out.is(0, "/r /\n/ /proc\n.\n..\n", "");
}

#[test]
fn control_bytes_in_paths_are_escaped() {
    // util-linux prints the paths raw; an escape sequence must not reach the terminal.
    let Some(out) = ns(
        "pivot_root::control_bytes_in_paths_are_escaped",
        "\"$RB/pivot_root\" \"$(printf 'a\\033[2Jb\\377')\" x || echo \"rc=$?\"",
    ) else {
        return;
    };
    out.is(
        0,
        &failed("a\\x1b[2Jb\\xff", "x", "No such file or directory", ""),
        "",
    );
}

#[test]
fn first_line_and_status_match_util_linux() {
    // The message and the exit status are util-linux's; only the hint line is added.
    let Some(out) = ns(
        "pivot_root::first_line_and_status_match_util_linux",
        "mkdir -p r/old o b/old && touch f
         mount --bind b b
         for args in 'r r/old' 'b o' '/ /tmp' 'f f' 'b b/f' 'nonexistent x' 'a' 'a b c' '-x a b' \
                     '--bogus' '-V' '-h'; do
             ours=$(\"$RB/pivot_root\" $args 2>&1 && echo rc=0 || echo \"rc=$?\")
             theirs=$(pivot_root $args 2>&1 && echo rc=0 || echo \"rc=$?\")
             ours=$(printf '%s\\n' \"$ours\" | grep -v '^pivot_root: hint: ' | sed 's/from rootbox .*/from X/')
             theirs=$(printf '%s\\n' \"$theirs\" | sed 's/from util-linux .*/from X/')
             [ \"$ours\" = \"$theirs\" ] || printf 'differs: %s\\n%s\\n--\\n%s\\n' \"$args\" \"$ours\" \"$theirs\"
         done",
    ) else {
        return;
    };
    out.is(0, "", "");
}
