# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are used by the scripts that source it
# Shared by scripts/container.sh, scripts/volume.sh and the labs (sourced, never run):
# where rootbox's tools are, and how a lab shows a command, checks an outcome and ends.
#
# Every tool the scripts call by name (unshare, mount, umount, pivot_root, chroot, findmnt)
# comes from one directory of rootbox applet links, $ROOTBOX_BIN, which rb_tools puts first
# on PATH. So `mount` in a script, and in what it prints, is rootbox's mount.

RB_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
RB_REPO=$(dirname "$RB_SCRIPTS")
RB_PROG=$(basename "$0")
RB_DIE_CODE=${RB_DIE_CODE:-1}

# The applets the scripts call.
RB_NEEDED=(chroot findmnt mount pivot_root umount unshare)

rb_die() {
    printf '%s: %s\n' "$RB_PROG" "$*" >&2
    exit "$RB_DIE_CODE"
}

# Set ROOTBOX_BIN (default: links next to the newest target/{release,debug}/rootbox, made
# with `rootbox --install -s`), check it holds every applet we call, put it first on PATH.
rb_tools() {
    if [ -z "${ROOTBOX_BIN:-}" ]; then
        local bin="" b
        for b in "$RB_REPO/target/release/rootbox" "$RB_REPO/target/debug/rootbox"; do
            if [ -x "$b" ] && { [ -z "$bin" ] || [ "$b" -nt "$bin" ]; }; then bin=$b; fi
        done
        [ -n "$bin" ] ||
            rb_die "no rootbox binary in $RB_REPO/target: run 'cargo build' or set ROOTBOX_BIN"
        ROOTBOX_BIN=$(dirname "$bin")/applets
        mkdir -p "$ROOTBOX_BIN"
        # Without -f, existing links stay: safe when two scripts start at once.
        "$bin" --install -s "$ROOTBOX_BIN" >/dev/null 2>&1 || true
    fi
    local t
    for t in "${RB_NEEDED[@]}"; do
        [ -x "$ROOTBOX_BIN/$t" ] || rb_die "ROOTBOX_BIN=$ROOTBOX_BIN has no '$t'"
    done
    ROOTBOX_BIN=$(cd "$ROOTBOX_BIN" && pwd -P)
    export ROOTBOX_BIN PATH="$ROOTBOX_BIN:$PATH"
    hash -r
}

# REPLY = the words of a command as a shell would need them typed (quoted only where needed).
# It sets a variable rather than printing, so callers need no $(...) subshell.
rb_quote() {
    local w q
    REPLY=""
    for w in "$@"; do
        if [[ $w =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then
            q=$w
        else
            q="'${w//\'/\'\\\'\'}'"
        fi
        REPLY+="${REPLY:+ }$q"
    done
}

# The same, printed.
rb_words() {
    rb_quote "$@"
    printf '%s' "$REPLY"
}

# --- labs ----------------------------------------------------------------------------------

# Lab start: parse --trace/--help, find the tools, make a scratch directory ($LAB_TMP, removed
# on exit) and, unless $ROOTFS is given, a root filesystem in it with scripts/mkrootfs.sh.
# Usage: lab_begin "title" "what it shows" "$@"
lab_begin() {
    LAB_TITLE=$1 LAB_SHOWS=$2
    shift 2
    local a
    for a in "$@"; do
        case $a in
        --trace) export ROOTBOX_TRACE=1 ;;
        -h | --help)
            printf 'Usage: %s [--trace]\n\n%s: %s\n\n' "$RB_PROG" "$LAB_TITLE" "$LAB_SHOWS"
            printf ' --trace   every rootbox tool prints its system calls (ROOTBOX_TRACE=1)\n'
            printf '\nEnvironment: ROOTBOX_BIN (rootbox applet links), ROOTFS (a ready rootfs;\n'
            printf 'default: one made with scripts/mkrootfs.sh in a scratch directory).\n'
            exit 0
            ;;
        *) rb_die "unknown argument '$a' (try --help)" ;;
        esac
    done
    rb_tools
    # container.sh and volume.sh by name, as a reader would type them; C collation, so that
    # listings from the host's ls and BusyBox's compare equal.
    export PATH="$ROOTBOX_BIN:$RB_SCRIPTS:$PATH" LC_ALL=C
    if [ -n "${ROOTFS:-}" ]; then
        [ -d "$ROOTFS" ] || rb_die "ROOTFS=$ROOTFS: not a directory"
        ROOTFS=$(cd "$ROOTFS" && pwd -P)
    fi
    LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rootbox-lab.XXXXXX")
    trap 'rm -rf "$LAB_TMP"' EXIT
    cd "$LAB_TMP" || exit 1
    LAB_UID=$(id -u)
    # Unprivileged: a user namespace with our uid mapped to root gives the rights we need.
    # LAB_U: unshare's options for that; LAB_ROOT: a command prefix that gives root's rights.
    if [ "$LAB_UID" -eq 0 ]; then
        LAB_U=() LAB_ROOT=()
    else
        LAB_U=(-U -r) LAB_ROOT=(unshare -U -r)
    fi
    printf '=== %s\n    %s\n' "$LAB_TITLE" "$LAB_SHOWS"
    [ "$LAB_UID" -eq 0 ] || printf '    (as uid %s: through a user namespace, unshare -U -r)\n' "$LAB_UID"
    echo
}

# The rootfs for labs that need one: $ROOTFS, or a fresh one in the scratch directory.
lab_rootfs() {
    [ -z "${ROOTFS:-}" ] || return 0
    ROOTFS=$LAB_TMP/rootfs
    local rootbox
    rootbox=$(readlink -f "$ROOTBOX_BIN/mount")
    lab_note "making a root filesystem: scripts/mkrootfs.sh $ROOTFS"
    ROOTBOX=$rootbox bash "$RB_SCRIPTS/mkrootfs.sh" "$ROOTFS" >"$LAB_TMP/mkrootfs.log" 2>&1 || {
        cat "$LAB_TMP/mkrootfs.log" >&2
        lab_fail "scripts/mkrootfs.sh could not make a rootfs"
    }
}

# Show a command (as typed), run it with its output indented, keep its stdout in $LAB_OUT.
# Returns the command's status, so `lab_run ... || ...` works under set -e.
lab_run() {
    rb_quote "$@"
    # A multi-line argument (a script for sh -c) is indented under the prompt.
    printf '  $ %s\n' "${REPLY//$'\n'/$'\n'      }"
    local rc=0
    "$@" >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
    LAB_OUT=$(cat "$LAB_TMP/out")
    LAB_ERR=$(cat "$LAB_TMP/err")
    # stderr first: for container.sh -v that is the steps, then what the command printed.
    sed 's/^/    /' "$LAB_TMP/err" "$LAB_TMP/out"
    [ "$rc" -eq 0 ] || printf '    (exit status %s)\n' "$rc"
    return "$rc"
}

# A line of explanation.
lab_note() {
    printf '  # %s\n' "$*"
}

# What to look at in the output above.
lab_look() {
    printf '  look: %s\n' "$*"
}

lab_pass() {
    printf '\nPASS: %s: %s\n' "$RB_PROG" "$*"
    exit 0
}

lab_fail() {
    printf '\nFAIL: %s: %s\n' "$RB_PROG" "$*"
    exit 1
}

# lab_expect "what" EXPECTED GOT: fail unless equal.
lab_expect() {
    [ "$2" = "$3" ] || lab_fail "$1: expected '$2', got '$3'"
}
