#!/usr/bin/env bash
# mkrootfs.sh DIR: build (or refresh) a minimal root filesystem in DIR for rootbox's tests,
# labs and container scripts.
#
# Interface (stable): scripts/mkrootfs.sh DIR. Exit 0 when DIR holds the rootfs, 1 with a
# message on stderr when DIR cannot be used (not a directory, not writable, `/` itself, or
# not empty without the DIR/.mkrootfs stamp of an earlier run) or no shell could be
# installed, 2 on bad usage. DIR must be new, empty, or made by an earlier run: re-running on
# it is safe (files are replaced, links re-pointed, nothing else touched).
#
# What DIR gets:
#   bin/busybox + a link per applet (bin/sh -> busybox, ...), from the first of:
#     1. $BUSYBOX, if set (a dynamic one gets the libraries `ldd` lists);
#     2. /bin/busybox when it is static (Debian's busybox-static);
#     3. busybox-static fetched with `apt-get download` + `dpkg-deb -x` into a temp dir
#        (only as root, and only when apt works);
#     4. otherwise host binaries (sh ls cat id ...) plus the libraries `ldd` lists.
#   bin/rootbox + a link per rootbox applet (bin/mount -> rootbox, ...); rootbox's
#     applets replace busybox's links of the same name. A dynamically linked rootbox (a
#     debug build) gets the libraries `ldd` lists. The binary is $ROOTBOX if set (an error
#     if it does not exist), else the newer of target/release/rootbox and
#     target/debug/rootbox of this repository; if there is none, a warning and no rootbox.
#   usr/bin: a second real directory with the same content (hard links to the binaries,
#     the same applet links); sbin -> bin and usr/sbin -> bin. No link goes through `..` and
#     none is absolute: between `pivot_root . .` and `umount -l .` the old root is stacked on
#     the new one, and a `..` that reaches `/` (as `usr/bin -> ../bin` would) lands in the
#     old root, where PATH would find the host's programs; an absolute link would point at
#     the host's files whenever DIR is used from outside.
#   etc/passwd: root (0), nobody (65534), user (1000, login group users);
#   etc/group:  root (0), users (100, member user), nogroup (65534).
#   Empty directories: proc sys dev tmp (1777) old host_dir root home/user.
#
# Note: Debian's busybox-static is built with FEATURE_SH_STANDALONE, so its `sh` runs its own
# applet for a bare command name before it looks at PATH: inside the rootfs, `mount` typed in
# busybox sh is BusyBox's mount even though bin/mount -> rootbox. Call rootbox's tools by
# path (`/bin/mount`) or as `rootbox mount`; programs exec'd by path or through execvp(3)
# (env, chroot, unshare COMMAND) get the bin/ links, i.e. rootbox.
#
# Environment:
#   ROOTBOX   path of the rootbox binary to install (default: see above)
#   BUSYBOX   path of a static busybox to install (default: see above)
#   MKROOTFS_NO_BUSYBOX=1   skip busybox, use host binaries (tests the fallback)
set -euo pipefail

prog=mkrootfs
die() {
    echo "$prog: $*" >&2
    exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Safety first: this script replaces DIR/etc/passwd, DIR/bin/* and DIR/lib*. It works only
# in a new or empty directory, or in one an earlier run made (it holds the .mkrootfs stamp),
# and never in the running system's root, whatever the spelling (`//`, `/tmp/..`).
stamp=.mkrootfs
if [ -e "$dir" ] && [ ! -d "$dir" ]; then
    die "cannot use '$dir': not a directory"
fi
if [ -d "$dir" ]; then
    [ ! "$dir" -ef / ] || die "cannot use '$dir': refusing to build a rootfs in '/'"
    if [ ! -e "$dir/$stamp" ] && [ -n "$(ls -A -- "$dir" 2>/dev/null)" ]; then
        die "cannot use '$dir': not empty and not made by mkrootfs.sh"
    fi
fi
mkdir -p -- "$dir" 2>/dev/null || die "cannot use '$dir': cannot create the directory"
{ [ -w "$dir" ] && [ -x "$dir" ]; } || die "cannot use '$dir': not writable"
dir=$(cd -- "$dir" && pwd -P)
[ ! "$dir" -ef / ] || die "cannot use '$1': refusing to build a rootfs in '/'"
echo "made by rootbox scripts/mkrootfs.sh; re-runs refresh this directory" > "$dir/$stamp"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

is_static() { ! ldd "$1" >/dev/null 2>&1; }

# install SRC DEST: copy a file, replacing DEST atomically (it may be running).
install_file() {
    mkdir -p "$(dirname "$2")"
    cp -L "$1" "$2.mkrootfs.$$"
    mv -f "$2.mkrootfs.$$" "$2"
}

# libs BINARY: copy the shared libraries (and the loader) BINARY needs under DIR, at the
# same paths as on the host.
libs() {
    is_static "$1" && return 0
    local lib
    for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
        [ -e "$lib" ] && install_file "$lib" "$dir$lib"
    done
}

bindir=$dir/bin usrbin=$dir/usr/bin

# put SRC NAME: install the file SRC as bin/NAME, and the same file as usr/bin/NAME.
put() {
    install_file "$1" "$bindir/$2"
    rm -f "$usrbin/$2"
    ln "$bindir/$2" "$usrbin/$2" 2>/dev/null || install_file "$bindir/$2" "$usrbin/$2"
}

# link NAME TARGET: bin/NAME and usr/bin/NAME -> TARGET (a sibling), replacing whatever was
# there.
link() {
    ln -sfn "$2" "$bindir/$1"
    ln -sfn "$2" "$usrbin/$1"
}

# A layout of an earlier version of this script had bin or usr/bin as a link.
for d in "$bindir" "$usrbin"; do
    if [ -L "$d" ]; then rm -f "$d"; fi
done
mkdir -p "$bindir" "$usrbin" "$dir/etc"
for d in proc sys dev old host_dir root home/user; do
    mkdir -p "$dir/$d"
done
mkdir -p "$dir/tmp"
chmod 1777 "$dir/tmp"
ln -sfn bin "$dir/sbin"
ln -sfn bin "$dir/usr/sbin"

# BusyBox.
busybox=
if [ "${MKROOTFS_NO_BUSYBOX:-}" != 1 ]; then
    if [ -n "${BUSYBOX:-}" ]; then
        [ -x "$BUSYBOX" ] || die "BUSYBOX=$BUSYBOX is not an executable file"
        busybox=$BUSYBOX
    elif [ -x /bin/busybox ] && is_static /bin/busybox; then
        busybox=/bin/busybox
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
        if (cd "$tmp" && apt-get download -qq busybox-static >/dev/null 2>&1); then
            dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/deb"
            [ -x "$tmp/deb/bin/busybox" ] && busybox=$tmp/deb/bin/busybox
        fi
    fi
fi
if [ -n "$busybox" ]; then
    put "$busybox" busybox
    libs "$busybox"
    for applet in $("$bindir/busybox" --list); do
        case $applet in */* | busybox) continue ;; esac
        link "$applet" busybox
    done
else
    found=0
    for tool in sh ls cat id echo env mkdir rm ln cp mv stat grep sed awk pwd true false \
        readlink sleep ps kill head tail wc sort uname hostname touch chmod cut tr cmp find \
        mount umount; do
        path=$(command -v "$tool" 2>/dev/null) || continue
        case $path in /*) ;; *) continue ;; esac
        put "$path" "$tool"
        libs "$path"
        found=1
    done
    [ -x "$bindir/sh" ] || [ "$found" = 1 ] || die "no busybox and no host shell to install"
fi

# rootbox.
rootbox=
if [ -n "${ROOTBOX:-}" ]; then
    { [ -x "$ROOTBOX" ] && [ -f "$ROOTBOX" ]; } || die "ROOTBOX=$ROOTBOX is not an executable file"
    rootbox=$ROOTBOX
else
    for candidate in "$repo/target/release/rootbox" "$repo/target/debug/rootbox"; do
        if [ -x "$candidate" ] && { [ -z "$rootbox" ] || [ "$candidate" -nt "$rootbox" ]; }; then
            rootbox=$candidate
        fi
    done
    [ -n "$rootbox" ] || echo "$prog: warning: no rootbox binary found (set ROOTBOX or run cargo build)" >&2
fi
if [ -n "$rootbox" ]; then
    put "$rootbox" rootbox
    libs "$rootbox"
    for applet in $("$rootbox" --list); do
        link "$applet" rootbox
    done
fi

cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:100:user:/home/user:/bin/sh
EOF
cat >"$dir/etc/group" <<'EOF'
root:x:0:
users:x:100:user
nogroup:x:65534:
EOF
