#!/usr/bin/env bash
# Install rootbox: the binary, its applet links, man pages and bash completions.
#   scripts/install.sh [--prefix DIR] [--symlinks] [--binary PATH]
#   scripts/install.sh [--prefix DIR] --uninstall
# DESTDIR is honoured (packaging). Every file written is recorded in
# PREFIX/share/rootbox/installed-files; --uninstall removes exactly those, and nothing that
# was already there before (an existing file is never overwritten).
# Never install rootbox setuid or with file capabilities: the tools refuse to run so.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local symlinks=0 uninstall=0 binary=
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) prefix=${2:?--prefix needs a directory}; shift ;;
        --prefix=*) prefix=${1#*=} ;;
        --symlinks) symlinks=1 ;;
        --binary) binary=${2:?--binary needs a path}; shift ;;
        --uninstall) uninstall=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument '$1'" >&2; exit 1 ;;
    esac
    shift
done
root="${DESTDIR:-}$prefix"
manifest="$root/share/rootbox/installed-files"

if [ $uninstall = 1 ]; then
    [ -f "$manifest" ] || { echo "install.sh: nothing installed under '$root' (no $manifest)" >&2; exit 1; }
    # Files first, then the directories the install created, deepest first.
    dirs=$(sort -r "$manifest.dirs" 2>/dev/null || true)
    while IFS= read -r f; do rm -f -- "$f"; done < "$manifest"
    rm -f -- "$manifest" "$manifest.dirs"
    rmdir -- "$root/share/rootbox" 2>/dev/null || true
    while IFS= read -r d; do
        [ -z "$d" ] || rmdir -- "$d" 2>/dev/null || true
    done <<< "$dirs"
    exit 0
fi

if [ -z "$binary" ]; then
    cargo build --release --quiet --bin rootbox
    binary=target/release/rootbox
fi
[ -x "$binary" ] || { echo "install.sh: '$binary' is not an executable" >&2; exit 1; }
made_dirs=()
# The missing ancestors of the prefix too, outermost first, so --uninstall removes them.
ancestors=() d=$root
while [ ! -d "$d" ]; do
    ancestors=("$d" ${ancestors[@]+"${ancestors[@]}"})
    d=$(dirname -- "$d")
done
for d in ${ancestors[@]+"${ancestors[@]}"} "$root/bin" "$root/share" "$root/share/man" "$root/share/man/man1" \
    "$root/share/man/man8" "$root/share/bash-completion" \
    "$root/share/bash-completion/completions" "$root/share/rootbox"; do
    [ -d "$d" ] || { mkdir -p "$d"; made_dirs+=("$d/"); }
done
[ ${#made_dirs[@]} -eq 0 ] || printf '%s\n' "${made_dirs[@]}" >> "$manifest.dirs"
: > "$manifest.new"
ours() { grep -qxF -- "$1" "$manifest" 2>/dev/null; }
put() { # put SRC DEST MODE: copy unless DEST exists; record it
    if [ -e "$2" ] || [ -L "$2" ]; then
        ours "$2" || echo "install.sh: '$2' exists, left alone" >&2
        return
    fi
    install -m "$3" "$1" "$2"
    echo "$2" >> "$manifest.new"
}
put "$binary" "$root/bin/rootbox" 0755
for applet in $("$root/bin/rootbox" --list); do
    link="$root/bin/$applet"
    if [ -e "$link" ] || [ -L "$link" ]; then
        ours "$link" || echo "install.sh: '$link' exists, left alone" >&2
        continue
    fi
    if [ $symlinks = 1 ]; then ln -s rootbox "$link"; else ln "$root/bin/rootbox" "$link"; fi
    echo "$link" >> "$manifest.new"
done
for page in man/*.[18] *-rs/man/*.[18]; do
    [ -f "$page" ] || continue
    section=${page##*.}
    put "$page" "$root/share/man/man$section/$(basename "$page")" 0644
done
for completion in completions/*; do
    [ -f "$completion" ] || continue
    put "$completion" "$root/share/bash-completion/completions/$(basename "$completion")" 0644
done
# Keep what an earlier run recorded, so a re-run never forgets a file it wrote.
cat "$manifest" "$manifest.new" 2>/dev/null | sort -u > "$manifest.tmp" || true
mv "$manifest.tmp" "$manifest"
rm -f "$manifest.new"
