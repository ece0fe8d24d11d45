//! lsns: integration tests. A "container" (util-linux `unshare -fp --mount-proc -m -u`)
//! runs inside the harness's private namespace; our lsns finds it, and its output for the
//! same system state is compared byte for byte with util-linux 2.38's (/usr/bin/lsns),
//! filtered with `-p` and `-t` to the container's own namespaces so that other processes
//! on the machine cannot change the result between the two runs.

use crate::util::*;

/// Shell: start a container whose init is `sleep 1000.$$` (unique to this script) in its
/// own mount, uts and pid namespaces, with a tmpfs on `$SCRATCH/box` as its cwd, and set
/// `$U` (the unshare process: in the new mount and uts namespaces, not in the new pid
/// namespace), `$S` (the container's init, found with our lsns), `$MNT`, `$UTS`, `$PIDNS`
/// (its namespaces' inode numbers). The container is killed when the script exits.
/// Also defines `compare ARGS...`: run our lsns and util-linux's, print `same: ARGS` when
/// stdout, stderr and status are identical, both outputs otherwise.
pub const CONTAINER: &str = r#"
mkdir -p box
unshare -fp --mount-proc -m -u --kill-child sh -c 'hostname box; mount -t tmpfs inside "$SCRATCH/box"; cd "$SCRATCH/box"; exec sleep "1000.$1"' sh $$ &
U=$!
# unshare first (killed after its child, util-linux 2.38 unshare would complain); its
# --kill-child then ends the container even when $S was never found.
trap 'kill -9 $U $S 2>/dev/null; wait 2>/dev/null' EXIT
S=
for i in $(seq 600); do
    S=$("$RB/lsns" -t pid -n -r -o pid,command | awk -v c="sleep\\\\x201000.$$" '$2 == c { print $1 }')
    [ -n "$S" ] && [ "$(readlink /proc/$S/cwd)" = "$SCRATCH/box" ] && break
    sleep 0.05
done
[ -n "$S" ] || { echo "container did not start" >&2; exit 99; }
ino() { stat -L -c %i "/proc/$1/ns/$2"; }
MNT=$(ino $S mnt); UTS=$(ino $S uts); PIDNS=$(ino $S pid)
"#;

/// Shell: `compare ARGS...` (see [`CONTAINER`]), also usable by another user: our lsns is
/// copied into the scratch directory, and `compare.sh` can be sourced.
pub const COMPARE: &str = r#"
cp "$RB/lsns" ./lsns
cat > compare.sh <<'EOF'
# util-linux 2.38 lsns reads every process in /proc whatever -p/-t select, and prints
# nothing and exits 1 when one vanishes between two of its reads (read_process() fails with
# ESRCH; tests running in parallel start and end processes all the time): only that tool is
# racy, so try again, up to 20 times, before calling it a difference. (The statuses are
# taken with `|| o=$?`: the scripts run under `sh -e`, where a bare failing command would
# end the script at once.)
compare() {
    for try in $(seq 20); do
        o=0; "$SCRATCH/lsns" "$@" > "$SCRATCH/ours.$$" 2>&1 || o=$?
        t=0; lsns "$@" > "$SCRATCH/theirs.$$" 2>&1 || t=$?
        if [ $o = $t ] && cmp -s "$SCRATCH/ours.$$" "$SCRATCH/theirs.$$"; then
            echo "same: $*"
            rm -f "$SCRATCH/ours.$$" "$SCRATCH/theirs.$$"
            return
        fi
    done
    echo "DIFFERENT: $* ($o vs $t)"; cat "$SCRATCH/ours.$$"; echo ---; cat "$SCRATCH/theirs.$$"
    rm -f "$SCRATCH/ours.$$" "$SCRATCH/theirs.$$"
}
EOF
. ./compare.sh
"#;

/// Run `body` after [`COMPARE`] and [`CONTAINER`]; returns the ids line `U S MNT UTS PIDNS
/// TAG` split, and the rest of stdout. nsenter's tests use it too.
pub fn with_container(body: &str) -> (Vec<String>, String) {
    let script = format!("{COMPARE}{CONTAINER}\necho \"$U $S $MNT $UTS $PIDNS $$\"\n{body}");
    let out = ns_sh(&script);
    assert_eq!(
        out.code, 0,
        "stderr: {}\nstdout: {}",
        out.stderr, out.stdout
    );
    assert_eq!(out.stderr, "");
    let (first, rest) = out.stdout.split_once('\n').unwrap();
    (
        first.split(' ').map(String::from).collect(),
        rest.to_string(),
    )
}

/// Every line of `text` must be a `same:` verdict, one per case.
fn all_same(text: &str, cases: usize) {
    assert!(text.lines().all(|l| l.starts_with("same: ")), "{text}");
    assert_eq!(text.lines().count(), cases, "{text}");
}

#[test]
fn finds_the_container_and_its_init() {
    if !privileged("finds_the_container_and_its_init") {
        return;
    }
    let (ids, rest) = with_container(
        r#""$RB/lsns" -t mnt -p $U
"$RB/lsns" -t pid -p $S
"$RB/lsns" -t uts -p $S -n -r -o type,nprocs,pid"#,
    );
    let [u, s, mnt, _, pidns, tag] = &ids[..] else {
        panic!("{ids:?}")
    };
    let w = |pid: &str| pid.len().max(5);
    let expected = format!(
        "{ns:>10} TYPE NPROCS {pid:>uw$} USER COMMAND\n\
         {mnt} mnt       2 {u:>uw$} root unshare -fp --mount-proc -m -u --kill-child sh -c hostname box; mount -t tmpfs inside \"$SCRATCH/box\"; cd \"$SCRATCH/box\"; exec sleep \"1000.$1\" sh {tag}\n\
         {ns:>10} TYPE NPROCS {pid:>sw$} USER COMMAND\n\
         {pidns} pid       1 {s:>sw$} root sleep 1000.{tag}\n\
         uts 2 {u}\n",
        ns = "NS",
        pid = "PID",
        uw = w(u),
        sw = w(s),
    );
    assert_eq!(rest, expected);
}

#[test]
fn output_matches_util_linux_for_the_container() {
    if !privileged("output_matches_util_linux_for_the_container") {
        return;
    }
    let cases = [
        "-t mnt -t uts -t pid -p $S",
        "-l -t mnt -t uts -t pid -p $S",
        "-r -t mnt -t uts -t pid -p $S",
        "-J -t mnt -t uts -t pid -p $S",
        "-n -u -W -t mnt -p $U",
        "--output-all -t mnt -t uts -t pid -p $S",
        "--output-all -J -t pid -p $S",
        "--output-all -r -t uts -p $U",
        "-o ns,type,path,ppid,uid,user,pns,ons -t pid -p $S",
        "-o +PATH,Ppid -t uts -p $S",
        "-T -t uts -t mnt -p $S",
        "-Towner -J -t uts -p $S",
        // The parent pid namespace is the host's: leave out its changing process count.
        "-Tparent -t pid -p $S -o ns,type,pns,ons,user",
        "-T=parent -r -t pid -p $S -o ns,type,pns,ons",
        "--tree=process -t mnt -p $U",
        "$MNT",
        "-l $MNT",
        "-J $MNT",
        "-r $UTS",
        "-o pid,command $PIDNS",
        "-t net -p $S -o ns,type,netnsid,nsfs",
    ];
    let mut body: String = cases.iter().map(|c| format!("compare {c}\n")).collect();
    // The same in a UTF-8 locale: tree art in box-drawing characters.
    let utf8 = [
        "-T -t uts -t mnt -p $S",
        "-r -T -t uts -p $S",
        "--tree=process -t mnt -p $U",
        "$MNT",
    ];
    body.push_str("export LC_ALL=C.UTF-8\n");
    body.extend(utf8.iter().map(|c| format!("compare {c}\n")));
    let (_, rest) = with_container(&body);
    all_same(&rest, cases.len() + utf8.len());
}

#[test]
fn terminal_output_is_fitted_like_util_linux() {
    if !privileged("terminal_output_is_fitted_like_util_linux") {
        return;
    }
    // script(1) gives lsns a terminal; COLUMNS sets its width.
    let (_, rest) = with_container(
        r#"for w in 200 60 40 20; do
    for opt in -l -u -T; do
        # (util-linux's lsns may fail when another process vanishes: see compare. script -e
        # passes that status on: `|| :` keeps `sh -e` going, the outputs tell.)
        for try in $(seq 20); do
            COLUMNS=$w script -qec "\"$RB/lsns\" $opt -t mnt -t uts -p $U" /dev/null > ours.out || :
            COLUMNS=$w script -qec "lsns $opt -t mnt -t uts -p $U" /dev/null > theirs.out || :
            ! cmp -s ours.out theirs.out || break
        done
        cmp -s ours.out theirs.out || { echo "different $w $opt"; cat ours.out theirs.out; }
    done
    echo "same: $w"
done
COLUMNS=60 script -qec "\"$RB/lsns\" -t uts -p $U -o ns,command" /dev/null | tr -d '\r' > fitted
echo "same: $(sed -n 2p fitted | wc -m)"
sed -n 2p fitted | grep -q ' unshare -fp --mount-proc -m -u --kill-child sh -c$' && echo "same: truncated" || cat -A fitted"#,
    );
    assert_eq!(
        rest,
        "same: 200\nsame: 60\nsame: 40\nsame: 20\nsame: 61\nsame: truncated\n"
    );
}

#[test]
fn persisted_namespace_is_listed_with_its_path() {
    if !privileged("persisted_namespace_is_listed_with_its_path") {
        return;
    }
    let out = ns_sh(
        r#"touch uts; unshare --uts="$SCRATCH/uts" hostname kept
echo "$(stat -L -c %i uts) $SCRATCH"
"$RB/lsns" -P -t uts -o ns,type,nprocs,pid,path
"$RB/lsns" -P -t uts -J -o ns,nprocs,command,path,nsfs
"$RB/lsns" -p $$ -P 2>&1 || echo "status $?""#,
    );
    let (first, rest) = out.stdout.split_once('\n').unwrap();
    let (ino, scratch) = first.split_once(' ').unwrap();
    let path = format!("{scratch}/uts");
    let expected = format!(
        "        NS TYPE NPROCS PID PATH\n\
         {ino} uts       0     {path}\n\
         {{\n   \"namespaces\": [\n      {{\n         \"ns\": {ino},\n         \"nprocs\": 0,\n         \"command\": null,\n         \"path\": \"{path}\",\n         \"nsfs\": \"{path}\"\n      }}\n   ]\n}}\n\
         lsns: mutually exclusive arguments: --persistent --task\nstatus 1\n"
    );
    out.is(0, &format!("{first}\n{expected}"), "");
    let _ = rest;
}

#[test]
fn netnsid_comes_from_netlink() {
    if !privileged("netnsid_comes_from_netlink") {
        return;
    }
    // A veth pair whose peer lives in a child network namespace gives that namespace an
    // id (0) in ours; lsns asks the kernel for it with RTM_GETNSID.
    let out = ns_sh(&format!(
        r#"{COMPARE}
unshare -n sh -c '
. ./compare.sh
unshare -n sleep 1000 & C=$!
trap "kill -9 $C" EXIT
# Once it runs sleep, unshare has made its network namespace.
for i in $(seq 1000); do [ "$(cat /proc/$C/comm)" != sleep ] || break; sleep 0.02; done
ip link add v0 type veth peer name v1 netns $C
"$RB/lsns" -t net -p $C -o netnsid,nprocs
compare -t net -p $C -o netnsid,nprocs
compare -t net -p $C -J -o netnsid
compare -t net -p $$ -o ns,netnsid,nsfs
touch a b
mount --bind /proc/$C/ns/net a
mount --bind /proc/$C/ns/net b
compare -t net -p $C
compare -t net -p $C -W
compare -t net -p $C -r
compare -t net -p $C -J
compare -t net -p $C -o nsfs,ns
'"#
    ));
    out.is(
        0,
        "NETNSID NPROCS\n      0      1\nsame: -t net -p C -o netnsid,nprocs\nsame: -t net -p C -J -o netnsid\nsame: -t net -p S -o ns,netnsid,nsfs\n\
         same: -t net -p C\nsame: -t net -p C -W\nsame: -t net -p C -r\nsame: -t net -p C -J\nsame: -t net -p C -o nsfs,ns\n"
            .replace("-p C", &format!("-p {}", word_after(&out.stdout, "-p ", 0)))
            .replace("-p S", &format!("-p {}", word_after(&out.stdout, "-p ", 2)))
            .as_str(),
        "",
    );
}

/// The word after the `n`th occurrence of `marker` in `text`.
fn word_after(text: &str, marker: &str, n: usize) -> String {
    text.match_indices(marker)
        .nth(n)
        .map(|(i, _)| text[i + marker.len()..].split(' ').next().unwrap_or(""))
        .unwrap_or("")
        .to_string()
}

#[test]
fn unreadable_processes_are_skipped_as_util_linux_skips_them() {
    if !privileged("unreadable_processes_are_skipped_as_util_linux_skips_them") || !is_root() {
        return;
    }
    // As nobody, the namespaces of root's processes cannot be read: util-linux counts
    // such a process in no namespace. Both tools, run by nobody, must agree.
    let out = ns_sh(&format!(
        r#"{COMPARE}
sleep 1000 & R=$!
trap 'kill $R' EXIT
# (compared once the forked shell has become sleep: its command line is in the output)
for i in $(seq 1000); do [ "$(cat /proc/$R/comm)" != sleep ] || break; sleep 0.02; done
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
. ./compare.sh
compare -p '$R'
compare -J -p '$R'
compare -t uts -t mnt -p $$ -o ns,type,uid,user,path
compare -t user -T -p $$ -o ns,type,uid,user
'"#
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    all_same(&out.stdout, 4);
}

#[test]
fn vanishing_processes_are_skipped_silently() {
    if !privileged("vanishing_processes_are_skipped_silently") {
        return;
    }
    // Short-lived processes come and go while lsns reads /proc: never an error.
    let out = ns_sh(
        r#"( for i in $(seq 300); do /bin/true; done ) &
B=$!
fails=0
for i in $(seq 15); do
    "$RB/lsns" -r > /dev/null 2> err || fails=$((fails+1))
    [ -s err ] && fails=$((fails+1))
done
wait $B
echo "fails=$fails""#,
    );
    out.is(0, "fails=0\n", "");
}

#[test]
fn errors_match_util_linux() {
    let cases: &[&[&str]] = &[
        &["-t", "foo"],
        &["--type=mount"],
        &["-Tfoo"],
        &["--tree=child"],
        &["-p", "abc"],
        &["-p", ""],
        &["-p", "99999999999"],
        &["abc"],
        &["1"],
        &["99999999999999999999"],
        &["-p", "1", "4026531836"],
        &["-J", "-r"],
        &["-r", "-J"],
        &["-o", "foo"],
        &["-o", "ns,"],
        &["-o", "foo,ns"],
        &["-o", "ns,,type"],
        &["-o", ""],
        &["-o", "+"],
        &["--bogus"],
        &["-x"],
        &["-t"],
        &["--output"],
    ];
    for args in cases {
        let ours = tool("lsns").args(*args).run();
        let seen = |o: &Output| (o.code, o.stdout.clone(), o.stderr.clone());
        // util-linux's lsns reads every process before it looks for namespace `1`, and
        // prints nothing when one vanishes meanwhile (see COMPARE): only its runs are
        // retried.
        let mut theirs = cmd("lsns").args(*args).run();
        for _ in 0..20 {
            if seen(&theirs) == seen(&ours) {
                break;
            }
            theirs = cmd("lsns").args(*args).run();
        }
        assert_eq!(seen(&ours), seen(&theirs), "{args:?}");
        assert_eq!(ours.code, 1, "{args:?}");
    }
}

#[test]
fn exact_error_messages() {
    tool("lsns")
        .args(["-t", "foo"])
        .run()
        .fails(1, "lsns: unknown namespace type: foo\n");
    tool("lsns")
        .args(["1"])
        .run()
        .fails(1, "lsns: not found namespace: 1\n");
    tool("lsns")
        .args(["-o", "ns,"])
        .run()
        .fails(1, "lsns: unknown column: ns,\n");
    tool("lsns").args(["-o", "ns,,type"]).run().fails(1, "");
    tool("lsns").args(["--bogus"]).run().fails(
        1,
        "lsns: unrecognized option '--bogus'\nTry 'lsns --help' for more information.\n",
    );
    tool("lsns").args(["-p", "99999999999"]).run().fails(
        1,
        "lsns: invalid PID argument: '99999999999': Numerical result out of range\n",
    );
}

#[test]
fn empty_selection_prints_nothing_or_an_empty_json_array() {
    // No process has pid -5: nothing matches, as util-linux.
    tool("lsns").args(["-p", "-5"]).run().is(0, "", "");
    tool("lsns").args(["-p", "-5", "-r"]).run().is(0, "", "");
    tool("lsns")
        .args(["-p", "-5", "-J"])
        .run()
        .is(0, "{\n   \"namespaces\": [\n\n   ]\n}\n", "");
}

#[test]
fn help_and_version() {
    let help = tool("lsns").args(["--help"]).run();
    assert!(
        help.ok()
            .starts_with("Usage:\n lsns [options] [<namespace>]\n")
    );
    assert!(
        help.stdout
            .contains("         PNS  parent namespace identifier (inode number)\n")
    );
    tool("lsns").args(["-V"]).run().is(
        0,
        &format!("lsns from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn trace_shows_every_proc_read() {
    let out = tool("lsns")
        .args(["-t", "mnt", "-n", "-o", "NS"])
        .env("ROOTBOX_TRACE", "1")
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    // Every line is one traced step: `lsns: CALL = RESULT`.
    for line in &lines {
        assert!(
            line.starts_with("lsns: ") && line.contains(") = "),
            "{line}"
        );
    }
    for step in [
        "lsns: open(\"/proc/self/mountinfo\", O_RDONLY|O_CLOEXEC) = ",
        "lsns: readdir(\"/proc\") = ",
        "lsns: stat(\"/proc/1\") = 0",
        "lsns: open(\"/proc/1/stat\", O_RDONLY|O_CLOEXEC) = ",
        "lsns: stat(\"/proc/1/ns/mnt\") = ",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(step)),
            "{step}\n{}",
            out.stderr
        );
    }
}
