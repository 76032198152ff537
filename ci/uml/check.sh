#!/bin/bash
# ci/uml/check.sh REALTESTS [GLOB] — `make check-uml`: real cgroup v2 under user-mode Linux.
#   1. REALTESTS --run GLOB (default 'sys_*') inside UML, as root of the UML kernel;
#   2. ci/uml/probe-v2.sh inside UML: a cgroup with memory.max, cpu.max, pids.max, a process
#      moved in, an OOM kill, cgroup.kill, rmdir.
# Each step is its own boot of ci/uml/run.sh (reproduce one with the command it prints).
# Exits 77 with a SKIP line when UML cannot start, 1 when a step failed, else 0.
set -euo pipefail

realtests=${1:?usage: ci/uml/check.sh REALTESTS [GLOB]}
glob=${2:-sys_*}
here=$(dirname "$0")
t0=$SECONDS
failed=
skipped=

step() {
	local rc=0
	printf '\n==> ci/uml/run.sh %s\n' "$*"
	"$here/run.sh" "$@" || rc=$?
	case $rc in
	0) ;;
	77) skipped="$skipped $1" ;;
	*) failed="$failed $1" ;;
	esac
	return 0
}

kver=$("${UML_BIN:-linux.uml}" --version 2>/dev/null | head -n1) || kver=
echo "check-uml: layout: cgroup v2 (user-mode Linux ${kver:-not available})"
step "$realtests" --run "$glob"
# UML could not start at all: the probe would skip the same way.
if [ -n "$skipped" ] && [ -z "$failed" ]; then
	echo "check-uml: SKIP (user-mode Linux unavailable; see above)"
	exit 77
fi
step "$here/probe-v2.sh"

echo
if [ -n "$failed" ]; then
	echo "check-uml: FAILED:$failed ($((SECONDS - t0)) s)"
	exit 1
fi
if [ -n "$skipped" ]; then
	echo "check-uml: SKIP:$skipped ($((SECONDS - t0)) s)"
	exit 77
fi
echo "check-uml: OK (cgroup v2, user-mode Linux: realtests '$glob' + cgroup v2 probe; $((SECONDS - t0)) s)"
