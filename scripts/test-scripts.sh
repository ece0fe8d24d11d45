#!/usr/bin/env bash
# The shell side's tests: scripts/container.sh end to end (as root and as an unprivileged user
# through a user namespace), scripts/volume.sh, every lab, the negative controls of
# research/security.md E-P2 (drop one step of the container's plan and watch the isolation
# break), and the exact trace of a fixed command sequence. rootbox's tools only.
#
# Usage: scripts/test-scripts.sh [NAME...]    run the tests whose names contain a NAME
#
# ROOTBOX: the rootbox binary to test (default: target/debug/rootbox, built if needed).
# Every container and lab makes its own namespaces; the host's mount table is compared
# before and after each test and at the end.
# Under CI=true a test that cannot run fails instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
export LC_ALL=C
unset ROOTBOX_TRACE ROOTBOX_BIN ROOTBOX_STATE ROOTFS TERM

say() { printf 'test-scripts: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "run me as root (the unprivileged half runs as uid 65534 by itself)"
for tool in setpriv busybox; do
    command -v "$tool" >/dev/null || die "'$tool' is missing: run scripts/setup.sh"
done

# --- the binary, its applet links, the rootfs ----------------------------------------------
if [ -z "${ROOTBOX:-}" ]; then
    # The debug build the Rust tests use (scripts/mkrootfs.sh copies its libraries into the
    # rootfs): nothing to rebuild after `cargo test`.
    cargo build --quiet --bin rootbox
    ROOTBOX=target/debug/rootbox
fi
[ -x "$ROOTBOX" ] || die "ROOTBOX=$ROOTBOX is not an executable"

T=$(mktemp -d "${TMPDIR:-/tmp}/rootbox-scripts.XXXXXX")
chmod 755 "$T"
# Never rm -rf a tree that still has something mounted in it: a leaked bind of a host
# directory would be deleted with it.
cleanup() {
    if grep -q " ${T}[/ ]" /proc/self/mountinfo; then
        say "something is still mounted under $T; leaving it in place"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT

mkdir -p "$T/bin" "$T/applets" "$T/log"
cp "$ROOTBOX" "$T/bin/rootbox"
"$T/bin/rootbox" --install -s "$T/applets"
export ROOTBOX_BIN=$T/applets
version=$("$ROOTBOX_BIN/mount" --version 2>&1 || true)
[[ $version == "mount from rootbox "* ]] || die "$ROOTBOX is not rootbox's multicall: '$version'"
# A copy of the scripts the unprivileged user can read whatever the checkout's permissions.
cp -r scripts "$T/scripts"
chmod -R a+rX "$T"

# The rootfs: BusyBox and rootbox's applets (the binary under test), by scripts/mkrootfs.sh.
ROOTFS=$T/rootfs
ROOTBOX=$T/bin/rootbox bash scripts/mkrootfs.sh "$ROOTFS" >"$T/log/mkrootfs" 2>&1 ||
    { cat "$T/log/mkrootfs" >&2 && die "scripts/mkrootfs.sh $ROOTFS failed"; }
ROOTFS_ID=$(stat -c %d:%i "$ROOTFS")

# The unprivileged user: uid/gid 65534, no groups, with a home, a rootfs of its own (as if it
# had run mkrootfs.sh itself) and a volume state directory under it.
U=$T/u
mkdir -p "$U/tmp"
cp -a "$ROOTFS" "$U/rootfs"
chown -R 65534:65534 "$U"
as_user() {
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        env HOME="$U" TMPDIR="$U/tmp" ROOTBOX_STATE="$U/state" "$@"
}
as_user test -x "$T/bin/rootbox" ||
    die "uid 65534 cannot reach $T: use a TMPDIR every user can traverse"
USERNS=""
as_user "$ROOTBOX_BIN/unshare" --user --map-root-user --mount true 2>"$T/log/userns" ||
    USERNS="uid 65534 cannot make a user namespace here: $(cat "$T/log/userns")"
# In a test: skip (status 77; a failure under CI=true) when there are no user namespaces.
need_userns() {
    if [ -n "$USERNS" ]; then
        echo "$USERNS"
        exit 77
    fi
}

# --- the harness ---------------------------------------------------------------------------
HOST_MOUNTS=$(cat /proc/self/mountinfo)
passed=0 failed=() skipped=()

# expect WHAT EXPECTED GOT
expect() {
    if [ "$2" != "$3" ]; then
        printf 'FAILED: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"
        exit 1
    fi
}
# contains WHAT NEEDLE HAYSTACK
contains() {
    if [[ $3 != *"$2"* ]]; then
        printf 'FAILED: %s\n  expected to contain: %s\n  got: %s\n' "$1" "$2" "$3"
        exit 1
    fi
}

# run NAME FUNCTION [ARGS...]: a test in a subshell with errexit; its output goes to a log
# that is shown when it fails. The host's mount table must be the same after it.
run() {
    local name=$1 rc
    shift
    if [ ${#FILTER[@]} -gt 0 ]; then
        local f hit=0
        for f in "${FILTER[@]}"; do [[ $name == *"$f"* ]] && hit=1; done
        [ $hit -eq 1 ] || return 0
    fi
    set +e
    (
        set -e
        cd "$T"
        "$@"
    ) >"$T/log/$name" 2>&1
    rc=$?
    set -e
    if [ "$(cat /proc/self/mountinfo)" != "$HOST_MOUNTS" ]; then
        echo "FAILED: the host's mount table changed" >>"$T/log/$name"
        diff <(echo "$HOST_MOUNTS") /proc/self/mountinfo >>"$T/log/$name" || true
        rc=1
    fi
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'ok      %s\n' "$name"
    elif [ $rc -eq 77 ] && [ "${CI:-}" != true ]; then
        skipped+=("$name")
        printf 'SKIP    %s: %s\n' "$name" "$(tail -n 1 "$T/log/$name")"
    else
        failed+=("$name")
        printf 'FAILED  %s\n' "$name"
        sed 's/^/    | /' "$T/log/$name"
    fi
}
FILTER=("$@")

# Run a command, keep its status, stdout and stderr in $rc, $out, $err.
capture() {
    rc=0
    "$@" >"$T/out" 2>"$T/err" || rc=$?
    out=$(cat "$T/out")
    err=$(cat "$T/err")
}

C=$REPO/scripts/container.sh
# The unprivileged user runs its copy of the scripts.
UC=$T/scripts/container.sh

# --- container.sh end to end ---------------------------------------------------------------

# What the container reports about itself, one KEY=VALUE per line.
# shellcheck disable=SC2016 # expanded in the container
PROBE='echo "root=$(stat -c %d:%i /)"
echo "dotdot=$(cd /; cd ../..; stat -c %d:%i .)"
echo "mounts=$(cut -d" " -f5 /proc/self/mountinfo | grep -v "^/sys/." | tr "\n" " ")"
echo "self=$$"
echo "pid1=$(head -c 5 /proc/1/cmdline | tr "\0" " ")"
echo "roots=$(for p in /proc/[0-9]*; do stat -L -c %d:%i $p/root; done | sort -u | tr "\n" " ")"
echo "hostname=$(hostname)"
echo "cwd=$(pwd)"
echo "env=$(env | cut -d= -f1 | sort | tr "\n" " ")"
echo "A=$A"
echo "sys=$(awk "\$5 == \"/sys\" { print substr(\$6, 1, 3) }" /proc/self/mountinfo)"
echo "devices=$(echo x >/dev/null && head -c 4 /dev/zero | wc -c) $(head -c 4 /dev/urandom | wc -c) $(ls /dev | tr "\n" " ")"
echo written >/host_dir/from-container
echo kept >/data/file
if touch /ro/x 2>/dev/null; then echo ro=writable; else echo ro=refused; fi
echo "ro-mount=$(awk "\$5 == \"/ro\" { print substr(\$6, 1, 3) substr(\$NF, 1, 3) }" /proc/self/mountinfo)"
exit 7'

# e2e RUNNER SCRIPT ROOTFS STATE: the whole container as that user.
e2e() {
    local -a runner=()
    [ "$1" = user ] && runner=(as_user)
    local script=$2 rootfs=$3 state=$4 id shared=$T/$1-shared ro=$T/$1-ro
    id=$(stat -c %d:%i "$rootfs")
    mkdir "$shared" "$ro"
    [ "$1" = root ] || chown 65534:65534 "$shared" "$ro"
    export FOO_HOST=leak
    capture "${runner[@]}" "$script" --hostname box1 --env A=1 --workdir /tmp \
        --volume "$shared:/host_dir" --volume data:/data --volume "$ro:/ro:ro" \
        "$rootfs" sh -c "$PROBE"
    printf '%s\n' "$out" "$err"
    expect "exit status (the command's)" 7 "$rc"
    expect "stderr" "" "$err"
    expect "/ inside = ROOTFS on the host" "root=$id" "$(grep ^root= <<<"$out")"
    expect "/.. inside" "dotdot=$id" "$(grep ^dotdot= <<<"$out")"
    expect "the container's mount table (mount points, /sys/* aside)" \
        "mounts=/ /proc /dev /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/pts /sys /host_dir /data /ro " \
        "$(grep ^mounts= <<<"$out")"
    expect "the command is pid 1" "self=1" "$(grep ^self= <<<"$out")"
    expect "pid 1's command line" "pid1=sh -c" "$(grep ^pid1= <<<"$out")"
    expect "every process's root" "roots=$id " "$(grep ^roots= <<<"$out")"
    expect "hostname" "hostname=box1" "$(grep ^hostname= <<<"$out")"
    expect "--workdir" "cwd=/tmp" "$(grep ^cwd= <<<"$out")"
    expect "environment (names)" "env=A HOME HOSTNAME PATH PWD SHLVL " "$(grep ^env= <<<"$out")"
    expect "--env" "A=1" "$(grep ^A= <<<"$out")"
    expect "/sys is read-only" "sys=ro," "$(grep ^sys= <<<"$out")"
    expect "/dev: devices that work, and nothing else" \
        "devices=4 4 fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " "$(grep ^devices= <<<"$out")"
    expect ":ro volume" "ro=refused" "$(grep ^ro= <<<"$out")"
    expect "the host dir's file, on the host" written "$(cat "$shared/from-container")"
    expect "the named volume's file, on the host" kept "$(cat "$state/volumes/data/file")"
    expect "the :ro dir on the host" "" "$(ls -A "$ro")"
    # E-M2: read-only on that mount only, never on the filesystem (which the host still writes).
    expect ":ro is a per-mount flag (mount options, then superblock options)" \
        "ro-mount=ro,rw," "$(grep ^ro-mount= <<<"$out")"
    "${runner[@]}" touch "$ro/host-writes"
    # The data outlives the container: a second one reads it.
    capture "${runner[@]}" "$script" --volume data:/data "$rootfs" cat /data/file
    expect "a second container reads the volume" "0 kept " "$rc $out $err"
}
t_e2e_root() {
    ROOTBOX_STATE=$T/root-state e2e root "$C" "$ROOTFS" "$T/root-state"
}
t_e2e_user() {
    need_userns
    e2e user "$UC" "$U/rootfs" "$U/state"
}

t_exit_codes() {
    capture "$C" "$ROOTFS" sh -c 'exit 3'
    expect "sh -c 'exit 3'" "3" "$rc"
    capture "$C" "$ROOTFS" nosuchcommand
    expect "missing command" "127|container.sh: nosuchcommand: command not found in the container" "$rc|$err"
    capture "$C" "$ROOTFS" /etc/passwd
    expect "command not executable: status" 126 "$rc"
    contains "command not executable: message" "Permission denied" "$err"
    capture "$C" "$ROOTFS" sh -c 'echo out; echo err >&2'
    expect "stdout and stderr pass through" "0|out|err" "$rc|$out|$err"
}

t_failed_step() {
    # A mount step that fails: a file bound onto a directory (ENOTDIR).
    echo x >afile
    capture "$C" --volume "$T/afile:/host_dir" "$ROOTFS" true
    expect "status of a failed step" 125 "$rc"
    contains "the failed step is named" \
        "container.sh: step failed (exit status 32): mount --bind $T/afile $ROOTFS/host_dir" "$err"
    contains "the tool says why" "mount: " "$err"
    # A file step that fails: the rootfs's /proc is a file.
    mkdir -p broken/bin
    cp "$ROOTFS/bin/busybox" broken/bin/umount
    touch broken/proc
    capture "$C" "$T/broken" true
    expect "mkdir over a file: status and step" \
        "125|container.sh: step failed (exit status 1): mkdir -p $T/broken/proc" "$rc|$(tail -n 1 <<<"$err")"
    # A rootfs without umount cannot detach the old root: refused before anything is done.
    rm broken/bin/umount
    capture "$C" "$T/broken" true
    expect "a rootfs without umount" \
        "125|container.sh: ROOTFS '$T/broken' has no umount in /bin, /sbin, /usr/bin or /usr/sbin (scripts/mkrootfs.sh puts rootbox's applets in /bin)" \
        "$rc|$err"
    expect "nothing mounted by a failed container is left" "" "$(grep " $T/" /proc/self/mountinfo || true)"
}

t_file_volume_workdir_trace() {
    echo nameserver >"$T/hostfile"
    capture "$C" --volume "$T/hostfile:/etc/hostfile:ro" "$ROOTFS" sh -c 'cat /etc/hostfile; echo x >>/etc/hostfile'
    expect "a file bound read-only" "1|nameserver" "$rc|$out"
    contains "a file bound read-only refuses writes" "Read-only file system" "$err"
    capture "$C" --workdir /nonexistent "$ROOTFS" true
    expect "a --workdir that is not there" 125 "$rc"
    contains "a --workdir that is not there: the step" "container.sh: step failed (exit status 1): cd /nonexistent" "$err"
    # ROOTBOX_TRACE reaches every tool, the rootfs's umount included.
    capture env ROOTBOX_TRACE=1 "$C" "$ROOTFS" true
    expect "status with ROOTBOX_TRACE=1" 0 "$rc"
    contains "trace: unshare" "unshare: unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID) = 0" "$err"
    contains "trace: the bind" "mount: mount(\"$ROOTFS\", \"$ROOTFS\", NULL, MS_BIND, NULL) = 0" "$err"
    contains "trace: pivot_root" 'pivot_root: pivot_root(".", ".") = 0' "$err"
    contains "trace: umount inside" 'umount: umount2(".", MNT_DETACH) = 0' "$err"
}

t_usage_errors() {
    capture "$C"
    expect "no ROOTFS" "125|container.sh: no ROOTFS given
Try 'container.sh --help' for more information." "$rc|$err"
    capture "$C" --bogus "$ROOTFS"
    expect "unknown option" "125|container.sh: unrecognized option '--bogus'" "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --verbose=1 "$ROOTFS"
    expect "flag with a value" "125|container.sh: option '--verbose' doesn't allow an argument" \
        "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --hostname
    expect "missing value" "125|container.sh: option '--hostname' requires an argument" "$rc|$(head -n 1 <<<"$err")"
    capture "$C" "$T/nonexistent"
    expect "ROOTFS missing" "125|container.sh: ROOTFS '$T/nonexistent': not a directory" "$rc|$err"
    capture "$C" /
    expect "ROOTFS /" "125|container.sh: ROOTFS '/' is the host's root" "$rc|$err"
    capture "$C" /tmp/..
    expect "ROOTFS /tmp/.." "125|container.sh: ROOTFS '/tmp/..' is the host's root" "$rc|$err"
    capture "$C" --env novalue "$ROOTFS"
    expect "bad --env" "125|container.sh: --env expects KEY=VALUE, not 'novalue'" "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --workdir tmp "$ROOTFS"
    expect "relative --workdir" "125|container.sh: --workdir must be an absolute path, not 'tmp'" \
        "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --hostname 'a b' "$ROOTFS"
    expect "bad --hostname" "125|container.sh: invalid hostname 'a b'" "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --volume /tmp "$ROOTFS"
    expect "volume without DEST" "125|container.sh: --volume expects HOST:DEST[:ro] or NAME:DEST[:ro], not '/tmp'" \
        "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --volume "$T:/" "$ROOTFS"
    expect "volume on /" "125|container.sh: --volume '$T:/': cannot mount a volume on /" "$rc|$(head -n 1 <<<"$err")"
    capture "$C" --volume "$T:/a/../b" "$ROOTFS"
    expect "volume with .." "125|container.sh: '/a/../b': '..' is not allowed in a container path" "$rc|$err"
    capture "$C" --volume "$T/none:/x" "$ROOTFS"
    expect "volume source missing" "125|container.sh: --volume '$T/none:/x': '$T/none': no such file or directory" "$rc|$err"
    capture "$C" --volume 'bad name:/x' "$ROOTFS"
    expect "bad volume name" "125|volume.sh: invalid volume name 'bad name'" "$rc|$err"
    capture "$C" --help
    expect "--help" 0 "$rc"
    contains "--help" "Usage:
 container.sh [options] ROOTFS [COMMAND [ARG]...]" "$out"
}

t_symlink_refused() {
    mkdir -p evil/bin evil/proc evil/dev evil/sys
    cp "$ROOTFS/bin/busybox" evil/bin/umount
    ln -s /etc evil/data
    capture "$C" --volume "$T:/data/x" "$T/evil" true
    expect "a volume under a symlink in the rootfs" \
        "125|container.sh: '/data/x': $T/evil/data is a symbolic link; refusing to mount over it" "$rc|$err"
    rmdir evil/proc && ln -s /proc evil/proc
    capture "$C" "$T/evil" true
    expect "/proc a symlink" "125|container.sh: '/proc': $T/evil/proc is a symbolic link; refusing to mount over it" "$rc|$err"
}

t_readonly() {
    # shellcheck disable=SC2016
    capture "$C" --readonly "$ROOTFS" sh -c 'touch /x 2>&1; echo z >/dev/null && echo dev-ok; awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo | cut -d, -f1'
    expect "--readonly" "0|touch: /x: Read-only file system
dev-ok
ro" "$rc|$out"
    [ ! -e "$ROOTFS/x" ]
}

t_net() {
    # shellcheck disable=SC2016
    capture "$C" --net "$ROOTFS" sh -c 'sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " "'
    expect "--net: devices" "0|lo" "$rc|$out"
    need_userns
    capture as_user "$UC" --net "$U/rootfs" sh -c 'sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " "'
    expect "--net as a user: devices" "0|lo" "$rc|$out"
}

t_verbose() {
    capture "$C" -v "$ROOTFS" true
    expect "status" 0 "$rc"
    local plan
    plan=$("$C" --dry-run "$ROOTFS" true | grep -v -e '^PATH=' -e '^unset ' -e '^export ')
    expect "-v prints every step of --dry-run's plan, with the tools' names" \
        "$(while IFS= read -r line; do echo "container.sh: $line"; done <<<"$plan")" "$err"
    [[ $err != *"$ROOTBOX_BIN"* ]] || expect "-v names the tools, not where they are" "no $ROOTBOX_BIN" "$err"
    contains "the plan" "pivot_root . .
PATH=/bin
umount -l .
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /" "$("$C" --dry-run "$ROOTFS")"
    expect "the plan starts" \
        "unshare --mount --pid --uts --ipc --propagation private --fork --kill-child" \
        "$("$C" --dry-run "$ROOTFS" | head -n 1)"
    need_userns
    expect "as a user" \
        "unshare --user --map-root-user --mount --pid --uts --ipc --propagation private --fork --kill-child" \
        "$(as_user "$UC" --dry-run "$U/rootfs" | head -n 1)"
}

# Without ROOTBOX_BIN the scripts make links next to the newest target/*/rootbox.
t_default_bin() {
    [ -x "$REPO/target/debug/rootbox" ] || (cd "$REPO" && cargo build --quiet --bin rootbox)
    capture env -u ROOTBOX_BIN "$C" --dry-run "$ROOTFS"
    expect "status" 0 "$rc"
    local newest=$REPO/target/debug/rootbox
    [ ! "$REPO/target/release/rootbox" -nt "$newest" ] || newest=$REPO/target/release/rootbox
    expect "the applet links" "$newest" "$(readlink "$(dirname "$newest")/applets/mount")"
}

t_dry_run_does_nothing() {
    local before after
    before=$(find "$ROOTFS" | sort)
    capture env ROOTBOX_STATE="$T/dry-state" "$C" --dry-run --volume newvol:/newdir "$ROOTFS"
    expect "status" 0 "$rc"
    after=$(find "$ROOTFS" | sort)
    expect "the rootfs after --dry-run" "$before" "$after"
    [ ! -e "$T/dry-state" ] || expect "volume state after --dry-run" "absent" "present"
    contains "the plan mounts the volume" "mount --bind $T/dry-state/volumes/newvol $ROOTFS/newdir" "$out"
}

t_kill_child() {
    "$C" "$ROOTFS" sleep 300 &
    local pid=$! child="" n=0 state
    while [ -z "$child" ] && [ $n -lt 100 ]; do
        child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
        child=${child%% *}
        # The child is the inner bash until it execs sleep.
        [ -z "$child" ] || [ "$(cat "/proc/$child/comm" 2>/dev/null)" = sleep ] || child=""
        sleep 0.1
        n=$((n + 1))
    done
    [ -n "$child" ] || expect "the container's pid 1 started" "a pid" "none"
    kill -KILL "$pid"
    wait "$pid" || true
    n=0
    state=$(sed 's/.*) //' "/proc/$child/stat" 2>/dev/null | cut -c1 || true)
    while [ -n "$state" ] && [ "$state" != Z ] && [ $n -lt 50 ]; do
        sleep 0.1
        n=$((n + 1))
        state=$(sed 's/.*) //' "/proc/$child/stat" 2>/dev/null | cut -c1 || true)
    done
    # Gone, or a zombie nobody reaps yet: either way it no longer runs.
    [[ -z $state || $state == Z ]] || expect "the container after unshare was killed" "gone" "state $state"
}

# E-U4: when the container's pid 1 ends, nothing of its pid namespace survives.
t_teardown() {
    local marker=$((RANDOM + 40000))
    capture "$C" "$ROOTFS" sh -c "sleep $marker & sleep $((marker + 1)) & echo started"
    expect "the container" "0|started" "$rc|$out"
    sleep 0.2
    local left
    left=$(for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' <"$f" 2>/dev/null && echo; done |
        grep -e "^sleep $marker \$" -e "^sleep $((marker + 1)) \$" || true)
    expect "processes left behind by the container" "" "$left"
}

t_volume_sh() {
    local V=$REPO/scripts/volume.sh
    export ROOTBOX_STATE=$T/vstate
    capture "$V" ls
    expect "ls without volumes" "0||" "$rc|$out|$err"
    capture "$V" create b a
    expect "create" "0|b
a|" "$rc|$out|$err"
    capture "$V" create a
    expect "create again keeps it" "0|a|" "$rc|$out|$err"
    capture "$V" ls
    expect "ls" "0|a
b|" "$rc|$out|$err"
    capture "$V" path a
    expect "path" "0|$T/vstate/volumes/a|" "$rc|$out|$err"
    echo data >"$T/vstate/volumes/a/f"
    capture "$V" inspect a
    expect "inspect: status" 0 "$rc"
    contains "inspect" "name:     a
path:     $T/vstate/volumes/a
modified: " "$out"
    capture "$V" rm a
    expect "rm" "0|a|" "$rc|$out|$err"
    [ ! -e "$T/vstate/volumes/a" ]
    capture "$V" rm a
    expect "rm a missing volume" "1||volume.sh: no such volume: 'a'" "$rc|$out|$err"
    capture "$V" inspect nope
    expect "inspect a missing volume" "1||volume.sh: no such volume: 'nope'" "$rc|$out|$err"
    capture "$V" create ../x
    expect "a name with /" "1||volume.sh: invalid volume name '../x'" "$rc|$out|$err"
    capture "$V" frob
    expect "unknown command" "1||volume.sh: unknown command 'frob'
Try 'volume.sh --help' for more information." "$rc|$out|$err"
    capture "$V"
    expect "no command" "1||volume.sh: no command given
Try 'volume.sh --help' for more information." "$rc|$out|$err"
    capture env -u ROOTBOX_STATE XDG_DATA_HOME="$T/xdg" "$V" path a
    expect "default under XDG_DATA_HOME" "0|$T/xdg/rootbox/volumes/a|" "$rc|$out|$err"
    capture env -u ROOTBOX_STATE -u XDG_DATA_HOME "$V" path a
    expect "default for root" "0|/var/lib/rootbox/volumes/a|" "$rc|$out|$err"
    capture as_user env -u ROOTBOX_STATE -u XDG_DATA_HOME "$T/scripts/volume.sh" path a
    expect "default for a user" "0|$U/.local/share/rootbox/volumes/a|" "$rc|$out|$err"
}

# --- the negative controls of E-P2: the plan of --dry-run, less one step -------------------

# control ROOTFS SED-EXPRESSION: run container.sh's plan for ROOTFS edited by the sed script
# (applied to the whole plan; line 1 is the unshare command), with the final `exec` replaced
# by a report; print what it reports.
# shellcheck disable=SC2016 # expanded in the container
HOSTPID=$$
# shellcheck disable=SC2016 # expanded in the container
# PATH=/bin: without `umount -l .` a lookup through a relative link like usr/bin -> ../bin
# would find the host's programs.
REPORT='PATH=/bin
echo "root=$(stat -c %d:%i /)"
echo "roots-at-slash=$(cut -d" " -f5 /proc/self/mountinfo | grep -cx /)"
echo "proc1root=$(stat -L -c %d:%i /proc/1/root)"
echo "hostpid=$(stat -L -c %d:%i /proc/$HOSTPID/root 2>/dev/null || echo none)"
echo "secret=$(cat hostsecret 2>/dev/null || echo none)"
echo "bin-dotdot=$(stat -c %d:%i /bin/..)"'
control() {
    local plan first
    plan=$("$C" --dry-run "$1" | sed -e "$2" -e '$d')
    first=$(head -n 1 <<<"$plan")
    local -a unshare
    eval "unshare=($first)"
    # Like container.sh: stop at the first failed step.
    env -i PATH="$ROOTBOX_BIN:$PATH" HOSTPID="$HOSTPID" "$ROOTBOX_BIN/${unshare[0]}" "${unshare[@]:1}" -- \
        bash -e -c "$(sed 1d <<<"$plan")
$REPORT"
}

t_controls() {
    local host_id
    host_id=$(stat -c %d:%i /)
    echo SECRET >hostsecret
    local id=$ROOTFS_ID
    capture control "$ROOTFS" ''
    expect "the whole plan: confined" \
        "0|root=$id
roots-at-slash=1
proc1root=$id
hostpid=none
secret=none
bin-dotdot=$id" "$rc|$out"

    # Without `umount -l .` the host's root stays stacked on the container's /.
    capture control "$ROOTFS" '/^umount -l \.$/d'
    expect "without umount -l .: the host's tree is still in the container's mount table" \
        "0|roots-at-slash=2" "$rc|$(grep roots-at-slash <<<"$out")"
    expect "without umount -l .: /bin/.. is the host's /" "bin-dotdot=$host_id" "$(grep bin-dotdot <<<"$out")"
    # shellcheck disable=SC2016 # expanded in the container
    contains "without umount -l .: the host's mounts are listed" "$(head -n 1 /proc/self/mountinfo | cut -d' ' -f4-5)" \
        "$(control "$ROOTFS" '/^umount -l \.$/d;$a\
cut -d" " -f4-5 /proc/self/mountinfo' 2>&1)"

    # Without a pid namespace, the new /proc shows the host's pid 1, whose root is the host's.
    # (/proc/1/root, says E-P2; a process of ours works where pid 1 is out of reach, as here
    # when the machine itself is a container.)
    capture control "$ROOTFS" '1s/ --pid//'
    expect "without --pid: a host process's root is the host's /, seen from the container" \
        "0|hostpid=$host_id" "$rc|$(grep hostpid= <<<"$out")"

    # Without `cd ROOTFS` (and pivot_root ROOTFS ROOTFS/old, as without `. .` one must), the
    # shell keeps its cwd in the host's tree even after the old root is detached.
    capture control "$ROOTFS" "\\|^cd $ROOTFS\$|d;\\|^cd /\$|d;s|^pivot_root \\. \\.\$|pivot_root $ROOTFS $ROOTFS/old|;s|^umount -l \\.\$|umount -l /old|"
    expect "without cd: the cwd is still on the host" "0|secret=SECRET" "$rc|$(grep secret= <<<"$out")"

    # Without the bind of ROOTFS onto itself, pivot_root refuses: new_root is no mount point.
    capture control "$ROOTFS" "\\|^mount --bind $ROOTFS $ROOTFS\$|d"
    expect "without the bind: pivot_root fails" 1 "$rc"
    contains "without the bind: pivot_root says why" "pivot_root: failed to change root from" "$err"

    # With --propagation unchanged on a shared parent, the container's mounts spread to the
    # parent namespace (a private sandbox here, made shared inside) and outlive the
    # container; pivot_root itself refuses a shared parent.
    # shellcheck disable=SC2016 # expanded by that bash
    capture env C="$C" REPORT="$REPORT" HOSTPID="$HOSTPID" "$ROOTBOX_BIN/unshare" --mount --propagation private -- \
        bash -e -c "$(declare -f control)"'
        mount --make-rshared /
        control "$1" "$2" || true
        echo "left=$(grep -c " $1/" /proc/self/mountinfo)"' \
        sh "$ROOTFS" '1s/--propagation private/--propagation unchanged/'
    contains "propagation unchanged: pivot_root refuses a shared parent" "Invalid argument" "$err"
    contains "propagation unchanged: the container's mounts are left in the parent namespace" \
        "left=" "$out"
    [ "$(sed -n 's/^left=//p' <<<"$out")" -gt 0 ] || expect "mounts left in the parent" "> 0" "$out"
}

t_controls_user() {
    need_userns
    local id
    id=$(stat -c %d:%i "$U/rootfs")
    echo SECRET >hostsecret
    chmod a+r hostsecret
    capture as_user env C="$UC" REPORT="$REPORT" HOSTPID="$HOSTPID" bash -c "$(declare -f control); control $U/rootfs ''"
    expect "as a user, the whole plan: confined" \
        "0|root=$id
roots-at-slash=1
proc1root=$id
hostpid=none
secret=none
bin-dotdot=$id" "$rc|$out"
    capture as_user env C="$UC" REPORT="$REPORT" HOSTPID="$HOSTPID" bash -c "$(declare -f control); control $U/rootfs '/^umount -l \\.\$/d'"
    expect "as a user, without umount -l .: the host's tree is still there" \
        "0|roots-at-slash=2" "$rc|$(grep roots-at-slash <<<"$out")"
    expect "as a user, without umount -l .: /bin/.. is the host's /" \
        "bin-dotdot=$(stat -c %d:%i /)" "$(grep bin-dotdot <<<"$out")"
}

# --- the labs ------------------------------------------------------------------------------
t_lab_root() {
    ROOTFS=$ROOTFS bash "scripts/labs/$1"
}
t_lab_user() {
    need_userns
    as_user env ROOTFS="$U/rootfs" ROOTBOX_BIN="$ROOTBOX_BIN" bash "$T/scripts/labs/$1"
}
t_lab_usage() {
    local lab
    for lab in scripts/labs/[0-9][0-9]-*.sh scripts/labs/run-all.sh; do
        capture bash "$lab" --help
        expect "$lab --help: status, stderr" "0|" "$rc|$err"
        contains "$lab --help" "Usage: $(basename "$lab") [--trace]" "$out"
        capture bash "$lab" --bogus
        expect "$lab --bogus" "1||$(basename "$lab"): unknown argument '--bogus' (try --help)" "$rc|$out|$err"
    done
    capture bash scripts/volume.sh --help
    expect "volume.sh --help: status, stderr" "0|" "$rc|$err"
    contains "volume.sh --help" "Usage:
 volume.sh create NAME..." "$out"
}

t_run_all() {
    capture env ROOTFS="$ROOTFS" bash scripts/labs/run-all.sh --trace
    printf '%s\n' "$out" "$err"
    expect "run-all.sh --trace" "0|run-all.sh: $(find scripts/labs -name '[0-9][0-9]-*.sh' | wc -l) passed, 0 failed" \
        "$rc|$(tail -n 1 <<<"$out")"
}
t_lab_trace() {
    capture env ROOTFS="$ROOTFS" bash scripts/labs/04-pivot-root.sh --trace
    printf '%s\n' "$out" "$err"
    expect "status" 0 "$rc"
    contains "the tools' system calls are shown" "pivot_root: pivot_root(\".\", \"old\") = 0" "$out"
}

# --- the exact trace of a fixed command sequence --------------------------------------------
# ROOTBOX_TRACE=1 covers a whole pipeline: each tool prints every system call it makes
# (findmnt prints none yet, so it is not in the sequence). The sequence is the tutorial's,
# with relative paths so the lines do not depend on where the scratch directory is; what
# still does (the size of the mount table pivot_root reads to explain its failure, and the
# paths it resolves) is replaced by N and $TR.
t_trace() {
    mkdir -p tr/new/bin tr/new/old
    cp "$(command -v busybox)" tr/new/bin/true
    cd tr
    capture env PATH="$ROOTBOX_BIN:$PATH" ROOTBOX_TRACE=1 "$ROOTBOX_BIN/unshare" --user --map-root-user --mount -- sh -c '
        mount --bind new new
        mount -t tmpfs -o size=1m,mode=700 scratch new/old
        umount -l new/old
        chroot new /bin/true
        nsenter --mount=/proc/self/ns/mnt true
        pivot_root . .
        cd new
        pivot_root . old'
    expect "status, stdout" "0|" "$rc|$out"
    local tr=$PWD
    expect "the trace" "$(cat <<'EOF'
unshare: rt_sigaction(SIGCHLD, SIG_DFL) = 0
unshare: unshare(CLONE_NEWNS|CLONE_NEWUSER) = 0
unshare: write /proc/self/uid_map "0 0 1" = 0
unshare: write /proc/self/setgroups "deny" = 0
unshare: write /proc/self/gid_map "0 0 1" = 0
unshare: mount("none", "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0
mount: mount("new", "new", NULL, MS_BIND, NULL) = 0
mount: mount("scratch", "new/old", "tmpfs", 0, "size=1m,mode=700") = 0
umount: umount2("new/old", MNT_DETACH) = 0
chroot: chroot("new") = 0
chroot: chdir("/") = 0
nsenter: open("/proc/self/ns/mnt", O_RDONLY|O_CLOEXEC) = 3
nsenter: setns(3, CLONE_NEWNS) = 0
pivot_root: pivot_root(".", ".") = -1 EINVAL (Invalid argument)
pivot_root: open("/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 3
pivot_root: read(3, ..., 65536) = N
pivot_root: read(3, ..., 65536) = 0
pivot_root: poll([{fd=3, events=POLLPRI}], 1, 0) = 0
pivot_root: close(3) = 0
pivot_root: stat("/") = 0
pivot_root: realpath(".") = "$TR"
pivot_root: stat(".") = 0
pivot_root: realpath(".") = "$TR"
pivot_root: stat(".") = 0
pivot_root: read("/proc/self/uid_map") = 33
pivot_root: failed to change root from `.' to `.': Invalid argument
pivot_root: hint: new_root is not a mount point; make it one first: mount --bind . .
pivot_root: pivot_root(".", "old") = 0
EOF
)" "$(sed -e 's/^\(pivot_root: read(3, \.\.\., 65536) = \)[1-9][0-9]*$/\1N/' \
        -e "s|\"$tr\"|\"\$TR\"|g" <<<"$err")"
}

run e2e_root t_e2e_root
run e2e_user t_e2e_user
run exit_codes t_exit_codes
run failed_step t_failed_step
run usage_errors t_usage_errors
run file_volume_workdir_trace t_file_volume_workdir_trace
run symlink_refused t_symlink_refused
run readonly t_readonly
run net t_net
run verbose t_verbose
run dry_run t_dry_run_does_nothing
run default_bin t_default_bin
run kill_child t_kill_child
run teardown t_teardown
run volume_sh t_volume_sh
run controls_root t_controls
run controls_user t_controls_user
for lab in scripts/labs/[0-9][0-9]-*.sh; do
    lab=$(basename "$lab")
    run "lab-${lab%.sh}-root" t_lab_root "$lab"
    run "lab-${lab%.sh}-user" t_lab_user "$lab"
done
run run_all t_run_all
run lab_usage t_lab_usage
run lab_trace t_lab_trace
run trace t_trace

if [ "$(cat /proc/self/mountinfo)" != "$HOST_MOUNTS" ]; then
    failed+=("host-mount-table")
    say "the host's mount table changed during the run"
fi
say "${passed} passed, ${#failed[@]} failed${failed[*]:+: ${failed[*]}}, ${#skipped[@]} skipped"
[ ${#failed[@]} -eq 0 ]
