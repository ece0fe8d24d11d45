#!/usr/bin/env bash
# Lab 07: share a host directory with a container.
set -euo pipefail
# shellcheck source=scripts/labs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_begin "07 a host directory in the container" \
    "container.sh --volume HOST:/host_dir: writes are seen both ways, the host has no such mount" "$@"
lab_rootfs

mkdir share
echo from-host > share/note
# The container reads the host's note, answers, then waits for the host's second note.
# shellcheck disable=SC2016 # expanded in the container
script='cat /host_dir/note; echo from-container > /host_dir/reply
n=0; while [ ! -s /host_dir/done ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done
cat /host_dir/done'
rb_quote container.sh --volume "$PWD/share:/host_dir" "$ROOTFS" sh -c "$script"
printf '  $ %s &\n' "${REPLY//$'\n'/$'\n'      }"
container.sh --volume "$PWD/share:/host_dir" "$ROOTFS" sh -c "$script" >run.out 2>run.err &
pid=$!
n=0
while [ ! -s share/reply ] && [ $n -lt 300 ]; do sleep 0.1 && n=$((n + 1)); done
lab_note "while the container runs, on the host:"
lab_run cat share/reply
reply=$LAB_OUT
lab_run sh -c "findmnt -rn -o TARGET | grep -c host_dir" || true
host_count=$LAB_OUT
lab_run sh -c 'echo from-host-again > share/done'
rc=0
wait "$pid" || rc=$?
lab_note "what the container printed:"
sed 's/^/    /' run.err run.out
lab_look "the container read the host's note, the host read the container's reply, and the"
lab_look "container saw the host's later write; meanwhile the host's table had no host_dir"

lab_expect "container's exit status" 0 "$rc"
lab_expect "the reply, read on the host" from-container "$reply"
lab_expect "host_dir mounts in the host's table" 0 "$host_count"
lab_expect "what the container read" "$(printf 'from-host\nfrom-host-again')" "$(cat run.out)"
lab_pass "the bound host directory carried writes both ways and never showed on the host"
