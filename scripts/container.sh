#!/usr/bin/env bash
# container.sh: a container built by hand from rootbox's tools, each step printed with -v.
#
#   unshare (a user namespace with root mapped when not run as root; mount, pid, uts, ipc,
#   net with --net; --fork --kill-child) -> mount --bind ROOTFS ROOTFS -> proc, a tmpfs /dev
#   with the usual device nodes bound from the host, /sys read-only -> volumes ->
#   cd ROOTFS; pivot_root . .; umount -l . -> exec COMMAND
#
# This part checks the arguments and plans the steps as a script of quoted commands; unshare
# starts a bash that runs them inside the new namespaces. Every mount is made inside the new
# mount namespace, so when the container ends, or a step fails, nothing is left on the host.
# After pivot_root the commands come from ROOTFS itself (scripts/mkrootfs.sh puts rootbox's
# applets in its /bin): the host's directories are gone by then.
set -euo pipefail
RB_DIE_CODE=125 # like `docker run`: 125 = the container could not be set up
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/labs/lib.sh"

# The device nodes a program expects, bound from the host (mknod is refused in a user
# namespace, and a bind of the host's node works everywhere).
DEVICES=(null zero full random urandom tty)
CONTAINER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() {
    cat <<'EOF'
Usage:
 container.sh [options] ROOTFS [COMMAND [ARG]...]

Run COMMAND (default: /bin/sh) in a container built by hand from rootbox's tools:
new namespaces, ROOTFS as the root (pivot_root), /proc, /dev, /sys, volumes.

Options:
 -v, --verbose              print each step, with the tools' own names, on stderr
 -n, --net                  a new network namespace too (just a loopback device)
     --hostname NAME        the container's hostname (default: rootbox)
 -e, --env KEY=VALUE        set KEY in the container's environment (repeatable)
 -w, --workdir DIR          run COMMAND in DIR, a path inside the container
     --volume HOST:DEST[:ro]
                            bind the host directory (or file) HOST at DEST,
                            read-only with :ro (repeatable)
     --volume NAME:DEST[:ro]
                            bind the named volume NAME at DEST, created on first
                            use (see scripts/volume.sh)
     --readonly             make the container's root read-only
     --dry-run              print the steps as a script and do nothing
 -h, --help                 display this help

The exit status is COMMAND's; 125 when the container could not be set up (the
failed step is named), 126/127 when COMMAND cannot be run / is not found.

Environment:
 ROOTBOX_BIN    directory of rootbox applet links (default: made from
                target/release/rootbox or target/debug/rootbox)
 ROOTBOX_STATE  where named volumes live (see scripts/volume.sh --help)
 ROOTBOX_TRACE  1: every rootbox tool prints its system calls on stderr
EOF
}

usage_error() {
    printf '%s: %s\nTry '\''container.sh --help'\'' for more information.\n' "$RB_PROG" "$1" >&2
    exit 125
}

verbose=0 net=0 readonly=0 dry_run=0 hostname=rootbox workdir=/
volumes=() envs=()
while [ $# -gt 0 ]; do
    arg=$1 inline=0
    shift
    case $arg in
    --*=*)
        set -- "${arg#*=}" "$@"
        arg=${arg%%=*} inline=1
        ;;
    esac
    case $arg in
    --hostname | -e | --env | -w | --workdir | --volume)
        [ $# -gt 0 ] || usage_error "option '$arg' requires an argument"
        val=$1
        shift
        ;;
    -*) [ $inline -eq 0 ] || usage_error "option '$arg' doesn't allow an argument" ;;
    esac
    case $arg in
    -h | --help) usage && exit 0 ;;
    -v | --verbose) verbose=1 ;;
    -n | --net) net=1 ;;
    --readonly) readonly=1 ;;
    --dry-run) dry_run=1 ;;
    --hostname)
        # sethostname(2) takes up to 64 bytes; keep to what a resolver accepts.
        [[ $val =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$ ]] ||
            usage_error "invalid hostname '$val'"
        hostname=$val
        ;;
    -e | --env)
        [[ $val =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage_error "--env expects KEY=VALUE, not '$val'"
        envs+=("$val")
        ;;
    -w | --workdir)
        [[ $val == /* ]] || usage_error "--workdir must be an absolute path, not '$val'"
        workdir=$val
        ;;
    --volume) volumes+=("$val") ;;
    --) break ;;
    -?*) usage_error "unrecognized option '$arg'" ;;
    *)
        set -- "$arg" "$@"
        break
        ;;
    esac
done
[ $# -gt 0 ] || usage_error "no ROOTFS given"
rootfs_arg=$1
shift
[ $# -gt 0 ] || set -- /bin/sh
[ -d "$rootfs_arg" ] || rb_die "ROOTFS '$rootfs_arg': not a directory"
ROOTFS=$(cd "$rootfs_arg" && pwd -P)
[ "$ROOTFS" != / ] || rb_die "ROOTFS '$rootfs_arg' is the host's root"
rb_tools

# (The helpers below set REPLY instead of printing: planning forks no subshell per step.)

# REPLY = ROOTFS + an absolute path inside it, refused when a component is a symbolic link:
# mount follows symlinks (as util-linux does), so a link planted in the rootfs could
# otherwise aim a mount at a host directory (runc's CVE-2021-30465 is this bug).
inside() {
    [[ /$1/ != */../* ]] || rb_die "'$1': '..' is not allowed in a container path"
    symlink_in "$1"
    [ -z "$REPLY" ] || rb_die "'$1': $REPLY is a symbolic link; refusing to mount over it"
    REPLY=$ROOTFS$1
}

# REPLY = the first component of ROOTFS + PATH that is a symbolic link, or "".
symlink_in() {
    local path=$ROOTFS part
    local -a parts
    IFS=/ read -r -a parts <<<"${1#/}"
    REPLY=""
    for part in "${parts[@]}"; do
        case $part in '' | .) continue ;; esac
        path+=/$part
        if [ -L "$path" ]; then
            REPLY=$path
            return
        fi
    done
}

# After `pivot_root . .` the old root is stacked on the new one, and a lookup that climbs back
# to / with ".." crosses into it (`/bin/..` is the host's / until `umount -l .`; a relative
# link such as usr/sbin -> ../bin does the same). So umount runs with PATH set to a directory
# of the rootfs that holds it and has no symbolic link on the way.
umount_dir=""
for dir in /bin /sbin /usr/bin /usr/sbin; do
    symlink_in "$dir"
    if [ -x "$ROOTFS$dir/umount" ] && [ -z "$REPLY" ] &&
        [[ /$(readlink "$ROOTFS$dir/umount" || true)/ != */../* ]]; then
        umount_dir=$dir
        break
    fi
done
[ -n "$umount_dir" ] ||
    rb_die "ROOTFS '$rootfs_arg' has no umount in /bin, /sbin, /usr/bin or /usr/sbin (scripts/mkrootfs.sh puts rootbox's applets in /bin)"

# --- the plan: every step as a quoted command (to run) and as typed (to show) --------------
plan=() shown=()
step() {
    local quoted
    printf -v quoted '%q ' "$@"
    plan+=("step $quoted")
    rb_quote "$@"
    shown+=("$REPLY")
}

step mount --bind "$ROOTFS" "$ROOTFS"

# mkdir the mount points a rootfs may lack (scripts/mkrootfs.sh makes them all).
mountpoint() {
    inside "$1"
    [ -d "$REPLY" ] || step mkdir -p "$REPLY"
}

mountpoint /proc
step mount -t proc proc "$ROOTFS/proc"

mountpoint /dev
step mount -t tmpfs -o nosuid,mode=755 tmpfs "$ROOTFS/dev"
step touch "${DEVICES[@]/#/$ROOTFS/dev/}"
for dev in "${DEVICES[@]}"; do
    step mount --bind "/dev/$dev" "$ROOTFS/dev/$dev"
done
step ln -s /proc/self/fd "$ROOTFS/dev/fd"
for fd in 0:stdin 1:stdout 2:stderr; do
    step ln -s "/proc/self/fd/${fd%%:*}" "$ROOTFS/dev/${fd#*:}"
done
step mkdir "$ROOTFS/dev/shm" "$ROOTFS/dev/pts"
# A private devpts instance: the container's ptys are its own (devpts(5), newinstance).
step mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$ROOTFS/dev/pts"
step ln -s pts/ptmx "$ROOTFS/dev/ptmx"

mountpoint /sys
if [ "$(id -u)" -eq 0 ]; then
    step mount -t sysfs -o ro sysfs "$ROOTFS/sys"
else
    # A user namespace may not mount sysfs unless it owns the network namespace too
    # (sysfs shows the net devices); a recursive bind of the host's /sys it may.
    step mount --rbind -o ro /sys "$ROOTFS/sys"
fi

command -v hostname >/dev/null || rb_die "no 'hostname' program on this machine"
step hostname "$hostname"

for spec in "${volumes[@]}"; do
    mode=rw
    case $spec in *:ro | *:rw) mode=${spec##*:} spec=${spec%:*} ;; esac
    case $spec in
    ?*:/*) ;;
    *) usage_error "--volume expects HOST:DEST[:ro] or NAME:DEST[:ro], not '$spec'" ;;
    esac
    src=${spec%%:*} dest=${spec#*:}
    [[ $dest != *:* ]] || usage_error "--volume '$spec': too many ':'"
    [[ $dest =~ [^/] ]] || usage_error "--volume '$spec': cannot mount a volume on /"
    if [[ $src == */* || $src == .* ]]; then
        [ -e "$src" ] || rb_die "--volume '$spec': '$src': no such file or directory"
        if [ -d "$src" ]; then
            src=$(cd "$src" && pwd -P)
        else
            src=$(cd "$(dirname "$src")" && pwd -P)/$(basename "$src")
        fi
    else
        [ "$dry_run" -eq 1 ] || bash "$RB_SCRIPTS/volume.sh" create "$src" >/dev/null || exit 125
        src=$(bash "$RB_SCRIPTS/volume.sh" path "$src") || exit 125
    fi
    inside "$dest"
    target=$REPLY
    if [ -d "$src" ]; then
        [ -d "$target" ] || step mkdir -p "$target"
    else
        [ -e "$target" ] || step mkdir -p "$(dirname "$target")"
        [ -e "$target" ] || step touch "$target"
    fi
    if [ "$mode" = ro ]; then
        step mount --bind -o ro "$src" "$target"
    else
        step mount --bind "$src" "$target"
    fi
done

[ "$readonly" -eq 0 ] || step mount -o remount,bind,ro "$ROOTFS"

# pivot_root(".", "."): the old root ends up stacked on the new one, and `umount -l .`
# detaches it, with everything below it, from the container (pivot_root(2), NOTES).
step cd "$ROOTFS"
step pivot_root . .
plan+=("PATH=$umount_dir") shown+=("PATH=$umount_dir")
step umount -l .
plan+=("PATH=$CONTAINER_PATH") shown+=("PATH=$CONTAINER_PATH")
step cd "$workdir"
plan+=("unset OLDPWD") shown+=("unset OLDPWD")
container_env=(PATH="$CONTAINER_PATH" HOME=/root HOSTNAME="$hostname")
# The caller's TERM, if it has one in its environment (bash itself defaults TERM to dumb).
term=$(printenv TERM || true)
[ -z "$term" ] || container_env+=(TERM="$term")
for kv in "${container_env[@]}" "${envs[@]}"; do
    printf -v kv_quoted '%q' "$kv"
    plan+=("export $kv_quoted")
    rb_quote "$kv"
    shown+=("export $REPLY")
done
rb_quote "$@"
shown+=("exec $REPLY")

# --- run it ----------------------------------------------------------------------------------
ns=(--mount --pid --uts --ipc)
[ "$(id -u)" -eq 0 ] || ns=(--user --map-root-user "${ns[@]}")
[ "$net" -eq 0 ] || ns+=(--net)
unshare=(unshare "${ns[@]}" --propagation private --fork --kill-child)

rb_quote "${unshare[@]}"
shown=("$REPLY" "${shown[@]}")
if [ "$dry_run" -eq 1 ]; then
    printf '%s\n' "${shown[@]}"
    exit 0
fi

# The inner bash: `step` shows a command (with -v), runs it, and on failure names it and
# ends the container with 125; then COMMAND replaces the bash as pid 1.
# shellcheck disable=SC2016 # expanded by the inner bash
inner='step() {
    [ "$verbose" -eq 0 ] || printf "%s: %s\n" container.sh "$(rb_words "$@")" >&2
    "$@" || {
        rc=$?
        printf "%s: step failed (exit status %s): %s\n" container.sh "$rc" "$(rb_words "$@")" >&2
        exit 125
    }
}
'"$(declare -f rb_quote rb_words)"'
verbose='"$verbose"'
'"$(printf '%s\n' "${plan[@]}")"'
case $1 in */*) ;; *) command -v -- "$1" >/dev/null ;; esac || {
    printf "%s: %s: command not found in the container\n" container.sh "$1" >&2
    exit 127
}
[ "$verbose" -eq 0 ] || printf "%s: exec %s\n" container.sh "$(rb_words "$@")" >&2
exec "$@"
'

[ "$verbose" -eq 0 ] || printf '%s: %s\n' "$RB_PROG" "${shown[0]}" >&2
# A clean environment: the host's PATH (rootbox's tools first) for the steps before
# pivot_root, the trace switch, and nothing else of the caller's.
start_env=(PATH="$PATH")
[ -z "${ROOTBOX_TRACE:-}" ] || start_env+=(ROOTBOX_TRACE="$ROOTBOX_TRACE")
exec env -i "${start_env[@]}" "$ROOTBOX_BIN/${unshare[0]}" "${unshare[@]:1}" \
    -- "$(command -v bash)" -c "$inner" container.sh "$@"
