//! umount: integration tests, in private namespaces on a scratch tmpfs (see mount.rs for
//! the `t`, `M`, `U`, `ismnt` script helpers).

use crate::mount::check;
use crate::util::*;

#[test]
fn help_version_and_usage_errors() {
    assert!(
        tool("umount")
            .args(["-h"])
            .run()
            .ok()
            .starts_with("Usage:\n umount [-hV]\n")
    );
    tool("umount").args(["--version"]).run().is(
        0,
        &format!("umount from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
    tool("umount").run().fails(
        1,
        "umount: bad usage\nTry 'umount --help' for more information.\n",
    );
    tool("umount").args(["-a", "x"]).run().fails(
        1,
        "umount: bad usage\nTry 'umount --help' for more information.\n",
    );
    tool("umount").args(["-Z"]).run().fails(
        1,
        "umount: invalid option -- 'Z'\nTry 'umount --help' for more information.\n",
    );
}

#[test]
fn messages_and_exit_codes() {
    check(
        "umount_errors",
        r#"mount -t tmpfs busy B
t U nonexist
t U A
t U -q A
t U -q nonexist
(cd B && t U ../B)
t U A nonexist
t U -v B A
mount -t tmpfs src C
t U -v src
"#,
        "E: umount: nonexist: no mount point specified.\nrc=32\n\
         E: umount: A: not mounted.\nrc=32\n\
         rc=32\n\
         E: umount: nonexist: no mount point specified.\nrc=32\n\
         E: umount: S/B: target is busy.\nrc=32\n\
         E: umount: A: not mounted.\nE: umount: nonexist: no mount point specified.\nrc=32\n\
         E: umount: S/B (busy) unmounted\nE: umount: A: not mounted.\nrc=64\n\
         E: umount: S/C (src) unmounted\nrc=0\n",
    );
}

#[test]
fn must_be_superuser() {
    if !needs_root("umount::must_be_superuser") {
        return;
    }
    check(
        "umount_eperm",
        r#"mount -t tmpfs x A
t setpriv --reuid 65534 --regid 65534 --clear-groups "$RB/umount" A
ismnt A
"#,
        "E: umount: S/A: must be superuser to unmount.\nrc=32\nmounted\n",
    );
}

#[test]
fn lazy_detaches_a_busy_mount() {
    check(
        "umount_lazy",
        r#"mount -t tmpfs busy A; echo data > A/f
exec 3<A/f
t U A
t U -l A
ismnt A
cat <&3
ls A
"#,
        "E: umount: S/A: target is busy.\nrc=32\nrc=0\nnot mounted\ndata\n",
    );
}

#[test]
fn read_only_fallback_when_busy() {
    check(
        "umount_r",
        r#"mount -t tmpfs busy A
exec 3<A
t U -v -r A
opts A
"#,
        "E: umount: S/A (busy) remounted read-only\nrc=0\nro,relatime ro\n",
    );
}

#[test]
fn recursive_takes_overmounts_and_children_deepest_first() {
    check(
        "umount_R",
        r#"mount -t tmpfs t A; mkdir A/s A/u
mount -t tmpfs s A/s; mkdir A/s/deep; mount -t tmpfs deep A/s/deep
mount -t tmpfs over A/s
mount -t tmpfs u A/u
mount -t tmpfs topover A
t U -v -R A
grep -c "$SCRATCH/A" /proc/self/mountinfo || true
t U -R A
t U -R nonexist
"#,
        "E: umount: S/A unmounted\nE: umount: S/A/u unmounted\nE: umount: S/A/s unmounted\n\
         E: umount: S/A/s/deep unmounted\nE: umount: S/A/s unmounted\nE: umount: S/A unmounted\nrc=0\n\
         0\n\
         E: umount: A: not mounted.\nrc=32\n\
         E: umount: nonexist: no mount point specified.\nrc=32\n",
    );
}

#[test]
fn all_targets_and_all() {
    check(
        "umount_A_a",
        r#"mount -t tmpfs fs A; mount --bind A B; mount -t ramfs r C; mount -t ramfs r2 D
t U -v -A fs
ismnt A; ismnt B
t U -A nonexist
t U -a -v -t ramfs -O rw | grep -v ': ignored' | sed 's/ *: success/: success/'
ismnt C; ismnt D
"#,
        "E: umount: S/B unmounted\nE: umount: S/A unmounted\nrc=0\nnot mounted\nnot mounted\n\
         E: umount: nonexist: no mount point specified.\nrc=32\n\
         S/D: successfully unmounted\nS/C: successfully unmounted\nrc=0\nnot mounted\nnot mounted\n",
    );
}

#[test]
fn cost_does_not_read_the_table() {
    // A plain umount is one system call: nothing but umount2 touches the mount table.
    if !installed("umount_flat", "strace") {
        return;
    }
    check(
        "umount_flat",
        r#"mount -t tmpfs x A
strace -qq -e trace=openat,umount2 -o tr "$RB/umount" A
grep -c mountinfo tr || true
grep -c '^umount2("A", 0) *= 0' tr
"#,
        "0\n1\n",
    );
}

#[test]
fn namespace_option() {
    check(
        "umount_N",
        r#"sleep 100 >/dev/null 2>&1 & pid=$!
mount -t tmpfs x A
t U -N $pid A
ismnt A
t U -N 999999999 A
kill $pid
"#,
        "rc=0\nnot mounted\n\
         E: umount: failed to set target namespace to /proc/999999999/ns/mnt: No such file or directory\nrc=2\n",
    );
}

#[test]
fn force_and_lazy_flags_reach_umount2() {
    check(
        "umount_flags",
        r#"mount -t tmpfs x A; mount -t tmpfs y B
ROOTBOX_TRACE=1 U -f A 2>&1
ROOTBOX_TRACE=1 U --force --lazy B 2>&1
ismnt A; ismnt B
"#,
        "umount: umount2(\"A\", MNT_FORCE) = 0\numount: umount2(\"B\", MNT_FORCE|MNT_DETACH) = 0\n\
         not mounted\nnot mounted\n",
    );
}
