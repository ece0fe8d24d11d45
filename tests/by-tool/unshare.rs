//! unshare: integration tests. Everything that unshares runs inside `ns_sh` (a private
//! mount namespace on a scratch tmpfs; the host's mount table is checked unchanged).

use crate::util::{needs_root, ns_sh, privileged, tool};

/// Run `script` in `ns_sh` and return (code, stdout, stderr) with the scratch path shown
/// as `SCRATCH`.
fn sh(script: &str) -> (i32, String, String) {
    let out = ns_sh(&format!(
        "cat > .script <<'ROOTBOX_EOF'\n{script}\nROOTBOX_EOF\n\
         set +e; sh -e .script 2>.err; rc=$?; set -e\n\
         sed \"s|$SCRATCH|SCRATCH|g\" .err >&2; rm -f .err .script; exit $rc\n"
    ));
    (out.code, out.stdout, out.stderr)
}

/// Unless unprivileged (SKIP): `script` in `ns_sh` exits 0, prints `expected`, and
/// nothing on stderr.
#[track_caller]
fn check(test: &str, script: &str, expected: &str) {
    if !privileged(test) {
        return;
    }
    let (code, out, err) = sh(script);
    assert_eq!((code, out.as_str(), err.as_str()), (0, expected, ""));
}

#[test]
fn help_and_version() {
    let out = tool("unshare").args(["--help"]).run();
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert!(
        out.stdout
            .starts_with("\nUsage:\n unshare [options] [<program> [<argument>...]]\n")
    );
    assert!(
        out.stdout
            .contains(" --map-users=<inneruid>:<outeruid>:<count>|auto|subids|all\n")
    );
    tool("unshare").args(["-V"]).run().is(
        0,
        &format!("unshare from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

/// Option and id errors: exit 1, exact stderr, nothing created (they fail before unshare).
#[test]
fn option_errors() {
    let try_help = "Try 'unshare --help' for more information.\n";
    let cases: &[(&[&str], String)] = &[
        (&["--map-user=4294967296", "true"], "unshare: failed to parse uid: '4294967296'\n".into()),
        (&["--map-user=4294967295", "true"], "unshare: failed to parse uid: '4294967295'\n".into()),
        (&["--map-user=-1", "true"], "unshare: failed to parse uid: '-1'\n".into()),
        (&["--map-user= 5", "true"], "unshare: failed to parse uid: ' 5'\n".into()),
        (&["--map-user=no such user", "true"], "unshare: failed to parse uid: 'no such user'\n".into()),
        (&["--map-group=4294967296", "true"], "unshare: failed to parse gid: '4294967296'\n".into()),
        (&["-S", "4294967296", "true"], "unshare: failed to parse uid: '4294967296'\n".into()),
        (&["-S", "99999999999", "true"], "unshare: failed to parse uid: '99999999999'\n".into()),
        (&["--setuid=-1", "true"], "unshare: failed to parse uid: '-1'\n".into()),
        (&["-G", "4294967296", "true"], "unshare: failed to parse gid: '4294967296'\n".into()),
        (&["-G", " 5", "true"], "unshare: failed to parse gid: ' 5'\n".into()),
        (&["--propagation=bogus", "true"], "unshare: unsupported propagation mode: bogus\n".into()),
        (&["--setgroups", "maybe", "true"], "unshare: unsupported --setgroups argument 'maybe'\n".into()),
        (&["--kill-child=NOPE", "true"], "unshare: unknown signal: NOPE\n".into()),
        (&["--kill-child=9", "true"], "unshare: unknown signal: 9\n".into()),
        (
            &["--monotonic=5", "true"],
            "unshare: options --monotonic and --boottime require unsharing of a time namespace (-T)\n".into(),
        ),
        (&["-T", "--boottime=1x", "true"], "unshare: failed to parse boottime offset: '1x'\n".into()),
        (&["--map-users=1,2", "true"], "unshare: mapping '1,2' contains only 2 elements\n".into()),
        (&["--map-users=1:2:3:4", "true"], "unshare: too many elements for mapping '1:2:3:4'\n".into()),
        (&["--map-groups=0:x:1", "true"], "unshare: could not parse ID: 'x'\n".into()),
        (&["--map-users=0:1:0", "true"], "unshare: invalid mapping '0:1:0'\n".into()),
        (
            &["--setgroups=allow", "-r", "true"],
            "unshare: options --setgroups=allow and --map-group are mutually exclusive\n".into(),
        ),
        (
            &["--pid=/nonexistent/x", "-f", "true"],
            "unshare: cannot persist the pid namespace on '/nonexistent/x': No such file or directory\n".into(),
        ),
        (&["--bogus=1"], format!("unshare: unrecognized option '--bogus=1'\n{try_help}")),
        (&["-Z"], format!("unshare: invalid option -- 'Z'\n{try_help}")),
        (&["-m=x"], format!("unshare: invalid option -- '='\n{try_help}")),
        (&["--fork=1"], format!("unshare: option '--fork' doesn't allow an argument\n{try_help}")),
        (&["--prop"], format!("unshare: option '--propagation' requires an argument\n{try_help}")),
        (&["-w"], format!("unshare: option requires an argument -- 'w'\n{try_help}")),
        (
            &["--map=1"],
            format!(
                "unshare: option '--map=1' is ambiguous; possibilities: '--map-user' '--map-users' \
                 '--map-group' '--map-groups' '--map-root-user' '--map-current-user' '--map-auto' \
                 '--map-subids'\n{try_help}"
            ),
        ),
    ];
    for (args, stderr) in cases {
        let out = tool("unshare").args(*args).run();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (1, "", stderr.as_str()),
            "{args:?}"
        );
    }
}

#[test]
fn root_user_map_and_setgroups() {
    if !privileged("root_user_map_and_setgroups") {
        return;
    }
    let (code, out, err) = sh(
        r#""$RB/unshare" -Umr sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups' | tr -s ' '"#,
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "0\n0\n 0 0 1\n 0 0 1\ndeny\n", "")
    );
    // --setgroups=deny with a gid map works (util-linux 2.38 writes it after the map: EPERM).
    let (code, out, err) = sh(
        r#""$RB/unshare" -r --setgroups=deny cat /proc/self/setgroups; "$RB/unshare" -U --setgroups allow cat /proc/self/setgroups"#,
    );
    assert_eq!((code, out.as_str(), err.as_str()), (0, "deny\nallow\n", ""));
    // -c maps the caller to itself; --map-user/--map-group take names.
    let (code, out, err) = sh(
        r#""$RB/unshare" -c cat /proc/self/uid_map | tr -s ' '; "$RB/unshare" --map-user=nobody --map-group=root sh -c 'id -u; id -g'"#,
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, " 0 0 1\n65534\n0\n", "")
    );
}

/// The exact trace of a fixed run (as root, or root in the harness's user namespace).
#[test]
fn trace_of_a_fixed_run() {
    if !privileged("trace_of_a_fixed_run") {
        return;
    }
    let (code, out, err) = sh(r#"ROOTBOX_TRACE=1 "$RB/unshare" -Umr --wd=/ true"#);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "",
            "unshare: rt_sigaction(SIGCHLD, SIG_DFL) = 0\n\
             unshare: unshare(CLONE_NEWNS|CLONE_NEWUSER) = 0\n\
             unshare: write /proc/self/uid_map \"0 0 1\" = 0\n\
             unshare: write /proc/self/setgroups \"deny\" = 0\n\
             unshare: write /proc/self/gid_map \"0 0 1\" = 0\n\
             unshare: mount(\"none\", \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0\n\
             unshare: chdir(\"/\") = 0\n"
        )
    );
}

/// A mount and an unmount inside never reach a shared parent, unless the propagation is
/// left unchanged (which proves the test sees a leak when there is one).
#[test]
fn mount_isolation_on_a_shared_parent() {
    check(
        "mount_isolation_on_a_shared_parent",
        r#"
mkdir s; mount -t tmpfs shared s; mount --make-shared s; mkdir s/a s/b; mount -t tmpfs pre s/b
state() { for d in a b; do if findmnt -n "$SCRATCH/s/$d" >/dev/null; then echo "$d mounted"; else echo "$d absent"; fi; done; }
inside='mount -t tmpfs leak s/a; umount -l s/b; findmnt -no PROPAGATION /; findmnt -no PROPAGATION "$SCRATCH/s"'
"$RB/unshare" -m sh -c "$inside"; state
"$RB/unshare" -m --propagation unchanged sh -c "$inside"; state
"#,
        "private\nprivate\na absent\nb mounted\nprivate\nshared\na mounted\nb absent\n",
    );
}

/// Each --propagation keyword, applied recursively from `/` (a shared parent shows it).
#[test]
fn propagation_keywords() {
    check(
        "propagation_keywords",
        r#"
mkdir s; mount -t tmpfs shared s; mount --make-shared s
for p in default slave private shared unchanged; do
  opt="--propagation=$p"; [ $p = default ] && opt=
  printf '%s: ' $p
  "$RB/unshare" -m $opt sh -c 'findmnt -no PROPAGATION "$SCRATCH/s"; findmnt -rno PROPAGATION | sort -u' | tr '\n' ' '
  echo
done
"#,
        "default: private private \n\
         slave: private,slave private private,slave \n\
         private: private private \n\
         shared: shared shared \n\
         unchanged: shared private shared \n",
    );
}

#[test]
fn pid_namespace_with_proc() {
    check(
        "pid_namespace_with_proc",
        r#"
before=$(findmnt -n -o TARGET,SOURCE,FSTYPE /proc)
"$RB/unshare" -fp --mount-proc sh -c 'echo $$; ps -e -o pid=,comm= > ps.out; tr -s " " < ps.out; findmnt -no VFS-OPTIONS /proc | tail -n 1'
[ "$before" = "$(findmnt -n -o TARGET,SOURCE,FSTYPE /proc)" ] && echo outer proc untouched
# Without --fork the program is not pid 1, its first child is.
"$RB/unshare" -p sh -c 'test $$ -ne 1 && sh -c "echo \$\$"'
"#,
        "1\n 1 sh\n 2 ps\nrw,nosuid,nodev,noexec,relatime\nouter proc untouched\n1\n",
    );
}

#[test]
fn exit_status_passes_through() {
    if !privileged("exit_status_passes_through") {
        return;
    }
    let script = r#"
for c in 'exit 42' 'kill -TERM $$' 'kill -INT $$' 'kill -KILL $$' 'kill -SEGV $$'; do
  # (SIGINT back to its default: a caller running the tests in the background ignores it)
  set +e; env --default-signal=INT "$RB/unshare" -m -f sh -c "$c" 2>/dev/null; echo "$c: $?"; set -e
done
set +e
"$RB/unshare" -m sh -c 'exit 42'; echo "exec: $?"
"$RB/unshare" -m /nonexistent; echo "enoent: $?"
"$RB/unshare" -m /etc/passwd; echo "eacces: $?"
"#;
    let (code, out, err) = sh(script);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "exit 42: 42\nkill -TERM $$: 143\nkill -INT $$: 130\nkill -KILL $$: 137\nkill -SEGV $$: 139\n\
             exec: 42\nenoent: 127\neacces: 126\n",
            "unshare: failed to execute /nonexistent: No such file or directory\n\
             unshare: failed to execute /etc/passwd: Permission denied\n"
        )
    );
}

/// `--kill-child`: killing unshare kills the child; without it the child lives on.
#[test]
fn kill_child() {
    check(
        "kill_child",
        r#"
alive() { s=$(sed -n 's/^State:\s*\(.\).*/\1/p' /proc/$1/status 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ]; }
for opt in --kill-child --kill-child=TERM "--kill-child -p" --fork; do
  rm -f ready
  "$RB/unshare" $opt -m sh -c 'touch ready; exec sleep 60' & U=$!
  while [ ! -e ready ]; do sleep 0.05; done; C=$(cat /proc/$U/task/$U/children)
  kill -KILL $U; { wait $U; } 2>/dev/null || true
  # The parent's death signal is sent before `wait` returns, but the child dies only once
  # it is scheduled: wait up to 10 s for a death that must come, 2 s for one that must not.
  max=200; [ "$opt" != --fork ] || max=40
  n=0; while alive $C && [ $n -lt $max ]; do sleep 0.05; n=$((n+1)); done
  if alive $C; then echo "$opt: child alive"; kill -KILL $C; else echo "$opt: child dead"; fi
done
"#,
        "--kill-child: child dead\n--kill-child=TERM: child dead\n\
         --kill-child -p: child dead\n--fork: child alive\n",
    );
}

/// SIGINT/SIGTERM wait while the child runs; --forward-signals hands them to it.
#[test]
fn signals_while_waiting() {
    check(
        "signals_while_waiting",
        r#"
set +e
# (the child runs until the signal has been sent, however slow the machine)
rm -f ready sent; "$RB/unshare" -f sh -c 'touch ready; while [ ! -e sent ]; do sleep 0.01; done; exit 3' & U=$!
while [ ! -e ready ]; do sleep 0.05; done; kill -TERM $U; touch sent; wait $U; echo "blocked: $?"
rm -f ready; "$RB/unshare" --forward-signals sh -c 'sleep 60 & S=$!; trap "kill $S; echo child got TERM; exit 7" TERM; touch ready; wait' & U=$!
while [ ! -e ready ]; do sleep 0.05; done; kill -TERM $U; wait $U; echo "forwarded: $?"
# An inherited SIGCHLD=SIG_IGN would make the kernel reap the child before waitpid.
# (dash keeps SIGCHLD for itself: python3 sets the disposition.)
python3 -c 'import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])' \
  "$RB/unshare" -f sh -c 'exit 3'; echo "sigchld ignored: $?"
"#,
        "blocked: 3\nchild got TERM\nforwarded: 7\nsigchld ignored: 3\n",
    );
}

/// The program gets the caller's signal mask and dispositions and no extra descriptor.
#[test]
fn nothing_leaks_into_the_program() {
    check(
        "nothing_leaks_into_the_program",
        r#"
trap '' INT QUIT
show='grep -E "^Sig(Blk|Ign)" /proc/self/status; ls /proc/self/fd | tr "\n" " "; echo'
sh -c "$show" > expected
touch keep keep2; for opts in "-m" "-m -f" "-m --kill-child" "--forward-signals -m" "--uts=keep -f" \
    "--mount=keep2 -U -f" "-U --map-users=0:0:1 -f"; do
  "$RB/unshare" $opts sh -c "$show" > got
  cmp -s expected got && echo "$opts: same" || { echo "$opts: differs"; cat got; }
done
umount keep keep2
"#,
        "-m: same\n-m -f: same\n-m --kill-child: same\n--forward-signals -m: same\n\
         --uts=keep -f: same\n--mount=keep2 -U -f: same\n-U --map-users=0:0:1 -f: same\n",
    );
}

/// Persisted namespaces can be entered with nsenter and are released with umount; the
/// helpers are reaped (no zombie while the program runs).
#[test]
fn persisted_namespaces() {
    if !privileged("persisted_namespaces") {
        return;
    }
    let script = r#"
mkdir keep d; mount -t tmpfs keep keep; touch keep/mnt keep/uts keep/uts2 keep/user keep/pid
exec unshare -m --propagation private sh -ec '
"$RB/unshare" --mount=keep/mnt --uts=keep/uts --pid=keep/pid -fp sh -c "hostname inner; mount -t tmpfs inner d; echo \$\$"
nsenter --mount=keep/mnt --uts=keep/uts sh -c "hostname; findmnt -no SOURCE $SCRATCH/d"
findmnt -n "$SCRATCH/d" || echo not here
findmnt -no FSTYPE "$SCRATCH/keep/pid"
"$RB/unshare" --user=keep/user -r true; nsenter --user=keep/user cat /proc/self/uid_map | tr -s " "
# unshare children: the shell alone, no zombie helper (R or S: the shell may not be asleep
# in wait yet when ps reads it)
"$RB/unshare" --uts=keep/uts2 --map-users=0:100000:10 -r -f sh -c "ps -o stat=,comm= --ppid \$PPID" | tr -s " " | sed "s/^[RS] /alive /"
umount keep/mnt keep/uts keep/uts2 keep/user keep/pid
"$RB/unshare" --pid=keep/pid true 2>&1 | sed "s|/proc/[0-9]*/|/proc/PID/|"
mkdir dir; "$RB/unshare" --uts=dir -f sh -c "echo ran" 2>&1 | sed "s|/proc/[0-9]*/|/proc/PID/|"
nsenter --mount=keep/mnt true 2>/dev/null || echo released
mount --make-shared keep
"$RB/unshare" --mount=keep/mnt true || echo "rc $?"
'
"#;
    let (code, out, err) = sh(script);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "1\ninner\ninner\nnot here\nnsfs\n 0 0 1\nalive sh\n\
             unshare: mount /proc/PID/ns/pid_for_children on keep/pid failed: No such file or directory\n\
             unshare: a new pid namespace exists only once a process is in it: add --fork\n\
             unshare: mount /proc/PID/ns/uts on dir failed: Not a directory\n\
             released\nrc 1\n",
            "unshare: cannot persist the mnt namespace on 'keep/mnt': it is on a shared mount (SCRATCH/keep)\n\
             unshare: make that mount private first, e.g. mount --make-private SCRATCH/keep\n"
        )
    );
}

/// Linux 6.18 numbers namespaces from per-CPU batches, so a new mount namespace can be
/// numbered below the older one it must be bound into, and the kernel refuses the bind
/// (util-linux fails so about half the time here); ours renumbers it. Every pair of CPUs
/// for the outer namespace and ours.
#[test]
fn mount_namespace_file_from_any_cpu() {
    if !privileged("mount_namespace_file_from_any_cpu") {
        return;
    }
    let script = r#"
mkdir keep; mount -t tmpfs keep keep; touch keep/mnt
n=$(getconf _NPROCESSORS_ONLN)
for a in 0 1; do for b in 0 1; do
  if [ $a -ge $n ] || [ $b -ge $n ]; then echo "$a $b: ok"; continue; fi
  taskset -c $a unshare -m --propagation private sh -ec "
    taskset -c $b \"\$RB/unshare\" --mount=keep/mnt sh -c 'grep Cpus_allowed_list: /proc/self/status | tr -d \"\\t\" >&2'
    umount keep/mnt; echo '$a $b: ok'"
done; done
"#;
    let (code, out, err) = sh(script);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "0 0: ok\n0 1: ok\n1 0: ok\n1 1: ok\n",
            "Cpus_allowed_list:0\nCpus_allowed_list:1\nCpus_allowed_list:0\nCpus_allowed_list:1\n"
        )
    );
}

#[test]
fn range_maps_as_root() {
    if !needs_root("range_maps_as_root") || !privileged("range_maps_as_root") {
        return;
    }
    let script = r#"
"$RB/unshare" --map-users=0:100000:65536 --map-groups=100000,0,65536 -r cat /proc/self/uid_map /proc/self/gid_map | tr -s ' '
mkdir etc; cp /etc/passwd /etc/group etc/; echo 'root:200000:1000' > etc/subuid; echo '0:300000:500' > etc/subgid
mount --bind etc /etc
"$RB/unshare" --map-auto -r cat /proc/self/uid_map /proc/self/gid_map | tr -s ' '
"$RB/unshare" --map-users=all --map-user=5 cat /proc/self/uid_map | tr -s ' '
"$RB/unshare" --map-subids cat /proc/self/uid_map /proc/self/gid_map | tr -s ' '
rm etc/subuid; "$RB/unshare" --map-auto true || echo "rc $?"
echo 'daemon:1:2' > etc/subuid; "$RB/unshare" --map-users=auto true || echo "rc $?"
"#;
    let (code, out, err) = sh(script);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            " 0 0 1\n 1 100000 65535\n 0 0 1\n 1 100000 65535\n\
             \x200 0 1\n 1 200000 1000\n 0 0 1\n 1 300000 500\n\
             \x205 0 1\n 0 1 5\n 6 6 4294967289\n\
             \x20200000 200000 1000\n 300000 300000 500\nrc 1\nrc 1\n",
            "unshare: could not open '/etc/subuid': No such file or directory\n\
             unshare: no line matching user \"root\" in /etc/subuid\n"
        )
    );
}

#[test]
fn root_directory_ids_and_time() {
    if !needs_root("root_directory_ids_and_time") || !privileged("root_directory_ids_and_time") {
        return;
    }
    let script = r#"
set +e
"$RB/unshare" -R / -w /etc pwd; "$RB/unshare" -w /usr pwd; "$RB/unshare" -R / pwd
"$RB/unshare" -w /nonexistent true; "$RB/unshare" -R /nonexistent true
"$RB/unshare" -S 65534 -G 65534 sh -c 'id -u; id -g; id -G'
"$RB/unshare" -Ur --keep-caps grep CapAmb /proc/self/status | grep -vc 0000000000000000
"$RB/unshare" -Ur grep CapAmb /proc/self/status | grep -c 0000000000000000
out=$(cut -d. -f1 /proc/uptime); in=$("$RB/unshare" -T --boottime=86400 -f cut -d. -f1 /proc/uptime)
[ $((in - out)) -ge 86390 ] && [ $((in - out)) -le 86410 ] && echo boottime shifted
"#;
    let (code, out, err) = sh(script);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "/etc\n/usr\n/\n65534\n65534\n65534\n1\n1\nboottime shifted\n",
            "unshare: cannot chdir to '/nonexistent': No such file or directory\n\
             unshare: cannot change root directory to '/nonexistent': No such file or directory\n"
        )
    );
}

#[test]
fn default_shell() {
    if !privileged("default_shell") {
        return;
    }
    let (code, out, err) = sh(r#"
set +e
echo 'echo "$0"; exit 5' | SHELL=/bin/sh "$RB/unshare" -m; echo "rc $?"
SHELL=/nonexistent "$RB/unshare" -m; echo "rc $?"
# No SHELL: the caller's shell from /etc/passwd.
want="-$(basename "$(awk -F: -v u="$(id -u)" '$3 == u { print $7; exit }' /etc/passwd)")"
got=$(echo 'echo "$0"' | env -u SHELL "$RB/unshare" -m)
[ "$got" = "$want" ] && echo "passwd shell"
"#);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "-sh\nrc 5\nrc 127\npasswd shell\n",
            "unshare: failed to execute /nonexistent: No such file or directory\n"
        )
    );
}

/// unshare(2) failures say what to do.
#[test]
fn unshare_failure_hints() {
    if !needs_root("unshare_failure_hints") || !privileged("unshare_failure_hints") {
        return;
    }
    let script = r#"
set +e
mkdir b; cp "$RB/unshare" b/unshare; chmod 755 . b b/unshare
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody b/unshare -m true; echo "rc $?"
nobody b/unshare -Umr cat /proc/self/uid_map | tr -s ' '
nobody b/unshare -Urpf --mount-proc sh -c 'echo $$'
mkdir -m 777 w; nobody b/unshare -Urm sh -c 'touch w/f; stat -c %u w/f'; stat -c %u w/f
# A limit of 0 in a user namespace of our own (never the host's).
unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_user_namespaces; b/unshare -U true; echo "rc $?"'
unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_mnt_namespaces; b/unshare -m true; echo "rc $?"'
# In a chroot, the kernel refuses CLONE_NEWUSER.
mkdir r; mount --rbind / r; chroot r "$SCRATCH/b/unshare" -U true; echo "rc $?"
"#;
    let (code, out, err) = sh(script);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "rc 1\n 0 65534 1\n1\n0\n65534\nrc 1\nrc 1\nrc 1\n",
            "unshare: unshare failed: Operation not permitted\n\
             unshare: these namespaces need CAP_SYS_ADMIN: add -U -r (--user --map-root-user) to get it in a new user namespace\n\
             unshare: unshare failed: No space left on device\n\
             unshare: user namespaces are disabled: /proc/sys/user/max_user_namespaces is 0\n\
             unshare: unshare failed: No space left on device\n\
             unshare: mount namespaces are disabled: /proc/sys/user/max_mnt_namespaces is 0\n\
             unshare: unshare failed: Operation not permitted\n\
             unshare: a chrooted process may not create a user namespace: switch root with pivot_root, not chroot\n"
        )
    );
}

/// Range maps without root go through newuidmap; its absence is explained.
#[test]
fn range_maps_without_newuidmap() {
    if !needs_root("range_maps_without_newuidmap") || !privileged("range_maps_without_newuidmap") {
        return;
    }
    if ["/usr/bin/newuidmap", "/bin/newuidmap"]
        .iter()
        .any(|p| std::path::Path::new(p).exists())
    {
        println!("SKIP: range_maps_without_newuidmap: newuidmap is installed");
        return;
    }
    let (code, out, err) = sh(r#"
mkdir b; cp "$RB/unshare" b/unshare; chmod 755 . b b/unshare
PATH=/usr/bin:/bin setpriv --reuid=65534 --regid=65534 --clear-groups b/unshare --map-users=0:100000:10 true || echo "rc $?"
"#);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "rc 1\n",
            "unshare: failed to execute newuidmap: No such file or directory\n\
             unshare: mapping id ranges without root needs newuidmap and newgidmap (shadow-utils; Debian/Ubuntu package uidmap)\n"
        )
    );
}

/// The same arguments to ours and to the system's util-linux unshare: same stdout, stderr
/// and status (cases where neither creates a namespace; the deliberate differences are
/// tested above).
#[test]
fn same_as_util_linux() {
    let util_linux = std::path::Path::new("/usr/bin/unshare");
    if !util_linux.exists() {
        println!("SKIP: same_as_util_linux: no /usr/bin/unshare");
        return;
    }
    let cases: &[&[&str]] = &[
        &["--bogus"],
        &["--bogus=1"],
        &["-Z"],
        &["-m=x"],
        &["--fork=1"],
        &["--prop"],
        &["--map-r=1"],
        &["-w"],
        &["--propagation=bogus", "true"],
        &["--setgroups=maybe", "true"],
        &["--kill-child=NOPE", "true"],
        &["--kill-child=15", "true"],
        &["-T", "--monotonic=x", "true"],
        &["--map-user=abc", "true"],
        &["--map-group=no-such-group", "true"],
        &["-S", "x", "true"],
        &["--map-users=1,2", "true"],
        &["--map-users=a,b,c", "true"],
        &["--map-users=1,2,3,4", "true"],
        &["--setgroups=allow", "-r", "true"],
        &["-w", "/nonexistent", "true"],
        &["-R", "/nonexistent", "true"],
        &["/nonexistent"],
        &["/etc/passwd"],
        &["sh", "-c", "echo out; echo err >&2; exit 3"],
        &["-w", "/etc", "pwd"],
        &["--", "sh", "-c", "exit 4"],
    ];
    for args in cases {
        let ours = tool("unshare").args(*args).run();
        let theirs = crate::util::cmd("unshare").args(*args).run();
        assert_eq!(
            (ours.code, ours.stdout.as_str(), ours.stderr.as_str()),
            (theirs.code, theirs.stdout.as_str(), theirs.stderr.as_str()),
            "{args:?}"
        );
    }
}
