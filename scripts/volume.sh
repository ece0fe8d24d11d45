#!/usr/bin/env bash
# volume.sh: named volumes for scripts/container.sh. A volume is a plain directory under
# $ROOTBOX_STATE/volumes/NAME that `container.sh --volume NAME:DEST` binds into a container;
# its data outlives every container that used it.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/labs/lib.sh"

usage() {
    cat <<EOF
Usage:
 volume.sh create NAME...     make the volumes (an existing one is kept as it is)
 volume.sh ls                 list the volumes, one name per line
 volume.sh inspect NAME...    show name, path, last change and size
 volume.sh rm NAME...         delete the volumes and their data
 volume.sh path NAME          print the volume's directory (whether or not it exists)

A NAME is a letter or digit followed by letters, digits, '_', '.' or '-'.

Environment:
 ROOTBOX_STATE  where volumes live: \$ROOTBOX_STATE/volumes/NAME (default:
                \$XDG_DATA_HOME/rootbox, else /var/lib/rootbox for root,
                else ~/.local/share/rootbox)
EOF
}

usage_error() {
    printf '%s: %s\nTry '\''volume.sh --help'\'' for more information.\n' "$RB_PROG" "$1" >&2
    exit 1
}

state_dir() {
    if [ -n "${ROOTBOX_STATE:-}" ]; then
        printf '%s' "$ROOTBOX_STATE"
    elif [ -n "${XDG_DATA_HOME:-}" ]; then
        printf '%s/rootbox' "$XDG_DATA_HOME"
    elif [ "$(id -u)" -eq 0 ]; then
        printf '/var/lib/rootbox'
    else
        printf '%s/.local/share/rootbox' "${HOME:?HOME is not set; set ROOTBOX_STATE}"
    fi
}

VOLUMES=$(state_dir)/volumes
[[ $VOLUMES == /* ]] || VOLUMES=$PWD/$VOLUMES

# Names are path components: no '/', no '..', nothing a shell or a mount option would split.
check_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || rb_die "invalid volume name '$1'"
}

exists() {
    check_name "$1"
    [ -d "$VOLUMES/$1" ] || rb_die "no such volume: '$1'"
}

create() {
    check_name "$1"
    mkdir -p "$VOLUMES/$1" || rb_die "cannot create volume '$1' in $VOLUMES"
}

[ $# -gt 0 ] || usage_error "no command given"
cmd=$1
shift
case $cmd in
-h | --help)
    usage
    ;;
create)
    [ $# -gt 0 ] || usage_error "create: no volume name given"
    for name in "$@"; do
        create "$name"
        printf '%s\n' "$name"
    done
    ;;
ls)
    [ $# -eq 0 ] || usage_error "ls: unexpected argument '$1'"
    [ -d "$VOLUMES" ] || exit 0
    for dir in "$VOLUMES"/*/; do
        [ -d "$dir" ] || continue
        name=${dir%/}
        printf '%s\n' "${name##*/}"
    done
    ;;
inspect)
    [ $# -gt 0 ] || usage_error "inspect: no volume name given"
    for name in "$@"; do
        exists "$name"
        dir=$VOLUMES/$name
        printf 'name:     %s\npath:     %s\nmodified: %s\nsize:     %s\n' "$name" \
            "$(cd "$dir" && pwd -P)" "$(date -u -r "$dir" '+%Y-%m-%d %H:%M:%S UTC')" \
            "$(du -sh "$dir" | cut -f1)"
    done
    ;;
rm)
    [ $# -gt 0 ] || usage_error "rm: no volume name given"
    for name in "$@"; do
        exists "$name"
        # A volume still bound into a running container cannot be seen from here (the
        # container has its own mount namespace); deleting its files is what `rm` means.
        rm -rf -- "${VOLUMES:?}/$name"
        printf '%s\n' "$name"
    done
    ;;
path)
    [ $# -eq 1 ] || usage_error "path: expects exactly one volume name"
    check_name "$1"
    printf '%s\n' "$VOLUMES/$1"
    ;;
*)
    usage_error "unknown command '$cmd'"
    ;;
esac
