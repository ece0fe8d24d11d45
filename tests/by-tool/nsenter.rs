//! nsenter: integration tests. A container started with util-linux `unshare -fp
//! --mount-proc -m -u` (see lsns's tests) is found with our lsns and entered with our
//! nsenter; persisted namespaces are entered by file; errors, exit statuses and signal
//! deaths are compared with util-linux 2.38's nsenter.

use crate::lsns::{COMPARE, with_container};
use crate::util::*;

/// Run `body` after the container started; returns `(S, TAG, rest of stdout)`.
fn in_container(body: &str) -> (String, String, String) {
    let (ids, rest) = with_container(body);
    (ids[1].clone(), ids[5].clone(), rest)
}

#[test]
fn enters_the_container_found_by_lsns() {
    if !privileged("enters_the_container_found_by_lsns") {
        return;
    }
    let (_, tag, rest) = in_container(
        r#""$RB/nsenter" -t $S -a findmnt -rn -o TARGET > inside
findmnt -N $S -rn -o TARGET > theirs
cmp -s inside theirs && echo "the container's mount table"
grep -qx "$SCRATCH/box" inside && echo "its tmpfs"
findmnt -rn -o TARGET | grep -qx "$SCRATCH/box" || echo "not on the outside"
"$RB/nsenter" -t $S -a hostname
"$RB/nsenter" -t $S -a cat /proc/1/cmdline | tr '\0' ' '; echo
[ "$("$RB/nsenter" -t $S -a readlink /proc/self/ns/pid)" = "$(readlink /proc/$S/ns/pid)" ] && echo "its pid namespace"
"$RB/nsenter" -t $S -a sh -c 'echo $PPID'
"$RB/nsenter" -t $S -m -w pwd
"$RB/nsenter" -t $S -m -W /proc pwd"#,
    );
    assert_eq!(
        rest,
        format!(
            "the container's mount table\nits tmpfs\nnot on the outside\nbox\nsleep 1000.{tag} \n\
             its pid namespace\n0\n{}/box\n/proc\n",
            scratch_from(&rest)
        )
    );
}

/// The scratch directory, as the `-w` line printed it (its parent).
fn scratch_from(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_suffix("/box").filter(|p| p.starts_with('/')))
        .unwrap_or("?")
        .to_string()
}

#[test]
fn enters_persisted_namespace_files() {
    if !privileged("enters_persisted_namespace_files") {
        return;
    }
    let out = ns_sh(
        r#"touch uts mnt; mkdir m
unshare --uts="$SCRATCH/uts" hostname persisted
# Our unshare persists the mount namespace: util-linux 2.38's `unshare --mount=FILE` fails
# about half the time on Linux 6.18, whose per-CPU namespace ids can number the new
# namespace below the one it is bound into (see unshare's mount_namespace_file_from_any_cpu).
"$RB/unshare" --mount="$SCRATCH/mnt" mount -t tmpfs kept "$SCRATCH/m"
"$RB/nsenter" --uts="$SCRATCH/uts" hostname
"$RB/nsenter" -u"$SCRATCH/uts" hostname
"$RB/nsenter" -u="$SCRATCH/uts" hostname
"$RB/nsenter" --mount="$SCRATCH/mnt" findmnt -n -o SOURCE "$SCRATCH/m"
findmnt -n -o SOURCE "$SCRATCH/m" || echo "not mounted here"
"$RB/nsenter" --mount="$SCRATCH/uts" true 2>&1 || echo "status $?"
nsenter --mount="$SCRATCH/uts" true 2>&1 || echo "status $?""#,
    );
    let wrong = "nsenter: reassociate to namespace 'ns/mnt' failed: Invalid argument\nstatus 1\n";
    out.is(
        0,
        &format!("persisted\npersisted\npersisted\nkept\nnot mounted here\n{wrong}{wrong}"),
        "",
    );
}

#[test]
fn exit_status_and_signal_death_pass_through() {
    if !privileged("exit_status_and_signal_death_pass_through") {
        return;
    }
    let (_, _, rest) = in_container(
        r#"# (the shell's own "Killed"/"Terminated" notices go to /dev/null)
for n in "$RB/nsenter" nsenter; do
    $n -t $S -a sh -c 'exit 42' && echo 0 || echo "status $?"
    $n -t $S -a sh -c 'kill -TERM $$' && echo 0 || echo "status $?"
    $n -t $S -a sh -c 'kill -KILL $$' && echo 0 || echo "status $?"
    $n -t $S -m sh -c 'kill -KILL $$' && echo 0 || echo "status $?"
done 2>/dev/null
# -F: no fork, so the program is not in the pid namespace (only its children would be).
[ "$("$RB/nsenter" -F -t $S -p readlink /proc/self/ns/pid)" = "$(readlink /proc/$$/ns/pid)" ] && echo "not forked""#,
    );
    let each = "status 42\nstatus 143\nstatus 137\nstatus 137\n";
    assert_eq!(rest, format!("{each}{each}not forked\n"));
}

#[test]
fn a_stopped_child_stops_the_parent_and_is_woken_with_it() {
    if !privileged("a_stopped_child_stops_the_parent_and_is_woken_with_it") {
        return;
    }
    // The forked child stops itself; the waiting nsenter stops too (state T), and when
    // continued it continues the child (util-linux continue_as_child()).
    let (_, _, rest) = in_container(
        r#"state() { sed 's/.*) //' /proc/$1/stat | cut -c1; }
for n in "$RB/nsenter" nsenter; do
    $n -t $S -a sh -c 'kill -STOP $$; echo woke' > out &
    p=$!
    i=0; while [ "$(state $p)" != T ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
    echo "parent $(state $p)"
    # (had the parent not stopped, wake its child here, so a failure cannot hang)
    [ "$(state $p)" = T ] || pkill -CONT -P $p
    kill -CONT $p
    wait $p && echo "status 0" || echo "status $?"
    cat out
done"#,
    );
    let each = "parent T\nstatus 0\nwoke\n";
    assert_eq!(rest, format!("{each}{each}"));
}

#[test]
fn no_descriptor_leaks_into_the_program() {
    if !privileged("no_descriptor_leaks_into_the_program") {
        return;
    }
    let (_, _, rest) = in_container(
        r#""$RB/nsenter" -t $S -a -r -w ls /proc/self/fd > ours
nsenter -t $S -a -r -w ls /proc/self/fd > theirs
ls /proc/self/fd > plain
cmp -s ours theirs && echo "same as util-linux"
cmp -s ours plain && echo "same as without nsenter"
grep -x 3 ours"#,
    );
    // The program gets exactly the descriptors its caller had (plus ls's own 3).
    assert_eq!(rest, "same as util-linux\nsame as without nsenter\n3\n");
}

#[test]
fn every_syscall_is_traced() {
    if !privileged("every_syscall_is_traced") {
        return;
    }
    let (s, _, rest) = in_container(r#"ROOTBOX_TRACE=1 "$RB/nsenter" -t $S -m -u true 2>&1"#);
    assert_eq!(
        rest,
        format!(
            "nsenter: pidfd_open({s}, 0) = 3\n\
             nsenter: setns(3, CLONE_NEWNS|CLONE_NEWUTS) = 0\n"
        )
    );
}

#[test]
fn chroot_and_working_directory() {
    if !privileged("chroot_and_working_directory") {
        return;
    }
    let out = ns_sh(&format!(
        r#"{COMPARE}
mkdir -p root/bin root/data
cp /bin/busybox root/bin/
"$RB/nsenter" -r"$SCRATCH/root" -w"$SCRATCH/root/data" /bin/busybox pwd
nsenter -r"$SCRATCH/root" -w"$SCRATCH/root/data" /bin/busybox pwd
cd root/data
"$RB/nsenter" --root="$SCRATCH/root" /bin/busybox pwd
"$RB/nsenter" --root="$SCRATCH/root" --wdns=/bin /bin/busybox pwd"#
    ));
    out.is(0, "/data\n/data\n/data\n/bin\n", "");
}

#[test]
fn setuid_setgid_and_follow() {
    if !privileged("setuid_setgid_and_follow") || !is_root() {
        return;
    }
    let out = ns_sh(
        r#"setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1000 & X=$!
trap 'kill $X' EXIT
# `follow` reads the ids of /proc/$X: wait until setpriv has switched them and run sleep.
for i in $(seq 1000); do [ "$(cat /proc/$X/comm)" != sleep ] || break; sleep 0.02; done
"$RB/nsenter" -t $X -m -S 65534 -G 65534 sh -c 'id -u; id -g'
"$RB/nsenter" -t $X -m -S follow -G follow sh -c 'id -u; id -g; id -G'
"$RB/nsenter" -t $X -m -S follow true 2>&1 || echo "status $?""#,
    );
    // `follow` takes the ids of the target's /proc/PID; -S alone needs no -G.
    out.is(0, "65534\n65534\n65534\n65534\n65534\n", "");
}

#[test]
fn unprivileged_user_enters_its_user_namespace_first() {
    if !privileged("unprivileged_user_enters_its_user_namespace_first") || !is_root() {
        return;
    }
    // nobody made the container: the user namespace grants the rights to enter the rest,
    // so it must be entered first. `unshare -r` denies setgroups, hence
    // --preserve-credentials; -a would also try the host's cgroup namespace (EPERM).
    let out = ns_sh(
        r#"cp "$RB/nsenter" ./nsenter
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
unshare -Ur -u -m sh -c "hostname nobodybox; exec sleep 1000" & X=$!
trap "kill $X" EXIT
i=0
while [ "$(cat /proc/$X/comm 2>/dev/null)" != sleep ]; do
    i=$((i + 1)); [ $i -lt 400 ] || { echo "container did not start"; exit 9; }; sleep 0.05
done
for n in ./nsenter nsenter; do
    $n -t $X -U -u -m --preserve-credentials hostname
    $n -t $X -U -u --preserve-credentials id -u
    $n -t $X -U -u true 2>&1 || echo "status $?"
    $n -t $X -a true 2>&1 || echo "status $?"
done
./nsenter -t $X -U --preserve-credentials --keep-caps grep CapAmb /proc/self/status
./nsenter -t $X -U --preserve-credentials grep CapAmb /proc/self/status
'"#,
    );
    let each = "nobodybox\n0\nnsenter: setgroups failed: Operation not permitted\nstatus 1\n\
                nsenter: reassociate to namespace 'ns/cgroup' failed: Operation not permitted\nstatus 1\n";
    let last_cap: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let all = (1u64 << (last_cap + 1)) - 1;
    out.is(
        0,
        &format!("{each}{each}CapAmb:\t{all:016x}\nCapAmb:\t0000000000000000\n"),
        "",
    );
}

#[test]
fn errors_match_util_linux() {
    // A pid that no longer exists.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id().to_string();
    child.wait().unwrap();
    let me = std::process::id().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["-t", &dead, "-m", "true"],
        vec!["-t", &dead, "-a", "true"],
        vec!["-a", "true"],
        vec!["-m", "true"],
        vec!["-t", "abc", "-m", "true"],
        vec!["-t", "", "-m", "true"],
        vec!["--mount=/etc/passwd", "true"],
        vec!["-m/nonexistent", "true"],
        vec!["-t", &me, "-U", "true"],
        vec!["-t", &me, "-m", "nonexistent-program"],
        vec!["-t", &me, "-m", "/etc"],
        vec!["-t", &me, "-m", "-r/nonexistent", "true"],
        vec!["-t", &me, "-m", "-w/nonexistent", "true"],
        vec!["-t", &me, "-m", "-W/nonexistent", "true"],
        vec!["-t", &me, "-w", "-W/tmp", "true"],
        vec!["-t", &me, "-S", "abc", "-m", "true"],
        vec!["-t", &me, "-G", "x", "-m", "true"],
        vec!["--bogus"],
        vec!["-x"],
        vec!["-t"],
        vec!["--target"],
    ];
    for args in &cases {
        let ours = tool("nsenter").args(args).run();
        let theirs = cmd("nsenter").args(args).run();
        assert_eq!(
            (ours.code, ours.stdout.as_str(), ours.stderr.as_str()),
            (theirs.code, theirs.stdout.as_str(), theirs.stderr.as_str()),
            "{args:?}"
        );
        assert_ne!(ours.code, 0, "{args:?}");
    }
}

#[test]
fn exact_error_messages() {
    tool("nsenter").args(["-m", "true"]).run().fails(
        1,
        "nsenter: neither filename nor target pid supplied for ns/mnt\n",
    );
    tool("nsenter")
        .args(["-a", "true"])
        .run()
        .fails(1, "nsenter: no target PID specified for --all\n");
    tool("nsenter")
        .args(["--mount=/etc/passwd", "true"])
        .run()
        .fails(
            1,
            "nsenter: reassociate to namespace 'ns/mnt' failed: Invalid argument\n",
        );
    tool("nsenter").args(["-t"]).run().fails(
        1,
        "nsenter: option requires an argument -- 't'\nTry 'nsenter --help' for more information.\n",
    );
}

#[test]
fn ids_are_parsed_strictly() {
    // util-linux 2.38 wraps these to uid 0 or pid 4294967295 (research/security.md D3).
    for (args, msg) in [
        (["-S", "4294967296"], "failed to parse uid: '4294967296'"),
        (["-G", "-1"], "failed to parse gid: '-1'"),
        (["-t", "-1"], "failed to parse pid: '-1'"),
        (["-t", " 5"], "failed to parse pid: ' 5'"),
    ] {
        tool("nsenter")
            .args(args)
            .args(["-m", "true"])
            .run()
            .fails(1, &format!("nsenter: {msg}\n"));
    }
}

#[test]
fn permission_denied_as_another_user() {
    if !is_root() {
        return;
    }
    // nobody may not enter root's init: util-linux's message, from the file fallback
    // after setns(pidfd) is refused.
    let dir = Scratch::new();
    let copy = dir.0.join("nsenter");
    copy_rootbox(&copy);
    let as_nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let ours = cmd("setpriv")
        .args(as_nobody)
        .args([copy.as_os_str()])
        .args(["-t", "1", "-m", "true"])
        .run();
    let theirs = cmd("setpriv")
        .args(as_nobody)
        .args(["nsenter", "-t", "1", "-m", "true"])
        .run();
    ours.fails(
        1,
        "nsenter: cannot open /proc/1/ns/mnt: Permission denied\n",
    );
    theirs.fails(
        1,
        "nsenter: cannot open /proc/1/ns/mnt: Permission denied\n",
    );
}

#[test]
fn no_namespace_runs_the_shell_as_util_linux_does() {
    tool("nsenter")
        .env("SHELL", "/bin/sh")
        .stdin("echo $0\n")
        .run()
        .is(0, "-sh\n", "");
    tool("nsenter").env("SHELL", "/nonexistent").run().fails(
        127,
        "nsenter: failed to execute /nonexistent: No such file or directory\n",
    );
}

#[test]
fn help_and_version() {
    let help = tool("nsenter").args(["--help"]).run();
    assert!(
        help.ok()
            .starts_with("Usage:\n nsenter [options] [<program> [<argument>...]]\n")
    );
    tool("nsenter").args(["-V"]).run().is(
        0,
        &format!("nsenter from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn enters_a_container_built_by_container_sh() {
    if !privileged("enters_a_container_built_by_container_sh") || !is_root() {
        return;
    }
    // The tutorial's container (scripts/container.sh: namespaces, pivot_root, /proc, /dev,
    // /sys) running `sleep`; found with lsns, entered with nsenter -a: only its mounts.
    let repo = env!("CARGO_MANIFEST_DIR");
    let out = ns_sh(&format!(
        r#"ROOTBOX="$(readlink -f "$RB/nsenter")" "{repo}/scripts/mkrootfs.sh" rootfs > /dev/null
ROOTBOX_BIN="$RB" "{repo}/scripts/container.sh" rootfs /bin/sleep "1000.$$" &
# container.sh execs unshare --kill-child: killing it ends the container.
C=$!
trap 'kill -9 $C 2>/dev/null; wait' EXIT
S=
for i in $(seq 600); do
    S=$("$RB/lsns" -t pid -n -r -o pid,command | awk -v c="/bin/sleep\\\\x201000.$$" '$2 == c {{ print $1 }}')
    [ -n "$S" ] && break
    sleep 0.05
done
[ -n "$S" ] || {{ echo "container did not start" >&2; exit 99; }}
"$RB/nsenter" -t $S -a /bin/busybox cat /proc/self/mountinfo > inside
cut -d' ' -f4,5 inside | head -1
cut -d' ' -f5 inside | grep -qx /proc && echo "its /proc"
grep -q "$SCRATCH/rootfs/" inside || echo "no host path"
[ "$(wc -l < inside)" -lt 20 ] && echo "a handful of mounts"
"$RB/nsenter" -t $S -a /bin/busybox hostname
"$RB/nsenter" -t $S -a /bin/busybox cat /proc/1/cmdline | tr '\0' ' '; echo"#
    ));
    let (code, stdout, stderr) = (out.code, out.stdout.as_str(), out.stderr.as_str());
    let tag = stdout.lines().last().unwrap_or("").to_string();
    assert_eq!(
        (code, stdout, stderr),
        (
            0,
            format!(
                "{} /\nits /proc\nno host path\na handful of mounts\nrootbox\n{tag}\n",
                stdout.split(' ').next().unwrap_or("")
            )
            .as_str(),
            ""
        )
    );
    assert!(stdout.starts_with('/') && stdout.lines().next().unwrap().ends_with("/rootfs /"));
    assert!(tag.starts_with("/bin/sleep 1000."), "{tag}");
}
