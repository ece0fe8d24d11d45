#!/usr/bin/env bash
# Lab 08: named volumes: a managed host directory whose data outlives the container.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "08 volumes" \
    "volume.sh create NAME; container.sh --volume NAME:/data: the data outlives the container" "$@"
lab_rootfs

export ROOTBOX_STATE=$LAB_TMP/state
lab_note "volumes live in \$ROOTBOX_STATE/volumes (here a scratch directory: ROOTBOX_STATE=$ROOTBOX_STATE)"
lab_run volume.sh create labdata
lab_run container.sh --volume labdata:/data "$ROOTFS" sh -c 'echo kept > /data/file; ls /data'
first=$LAB_OUT
lab_note "a second container, the volume read-only this time:"
rc=0
lab_run container.sh --volume labdata:/data:ro "$ROOTFS" sh -c 'cat /data/file; touch /data/new' || rc=$?
second=$LAB_OUT second_err=$LAB_ERR
lab_run volume.sh ls
list=$LAB_OUT
lab_run volume.sh inspect labdata
path=$(sed -n 's/^path: *//p' <<<"$LAB_OUT")
lab_run cat "$path/file"
on_host=$LAB_OUT
lab_run volume.sh rm labdata
lab_run volume.sh ls
after=$LAB_OUT
lab_look "the second container read what the first wrote, and could not write to the :ro"
lab_look "volume; the file is on the host until volume.sh rm"

lab_expect "ls /data in the first container" file "$first"
lab_expect "cat /data/file in the second container" kept "$second"
[[ $second_err == *"Read-only file system"* ]] || lab_fail "touch on a :ro volume did not fail as read-only: $second_err"
lab_expect "exit status of the second container (touch failed)" 1 "$rc"
lab_expect "volume.sh ls" labdata "$list"
lab_expect "the file on the host" kept "$on_host"
lab_expect "volume.sh ls after rm" "" "$after"
lab_pass "the volume's data outlived its container, and :ro refused writes"
