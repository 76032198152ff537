#!/bin/bash
# ci/uml/check.sh REALTESTS [GLOB...] — `make check-uml`: real cgroup v2 under user-mode Linux.
#   1. REALTESTS --run GLOB... inside UML, as root of the UML kernel, in one boot: by default
#      the sys_* tests, `mcz run` end to end (run__*), the detached life cycle (lifecycle__*)
#      and the cgroups isolators with `mcz usage`/`mcz update` (cgroups_*, usage__*,
#      update__*), each printing the layout it ran on; the same PASS/FAIL/SKIP lines and
#      summary as on the host;
#   2. ci/uml/probe-v2.sh inside UML: a cgroup with memory.max, cpu.max, pids.max, a process
#      moved in, an OOM kill, cgroup.kill, rmdir.
# Each step is its own boot of ci/uml/run.sh (reproduce one with the command it prints).
# UML_TIMEOUT (seconds the command may run inside UML) defaults to 120 here; the real tests
# take about 20 s in UML (one CPU), the whole check-uml about 35 s.
# Exits 77 with a SKIP line when UML cannot start, 1 when a step failed, else 0.
set -euo pipefail

realtests=${1:?usage: ci/uml/check.sh REALTESTS [GLOB...]}
shift
[ $# -gt 0 ] || set -- 'sys_*' 'run__*' 'lifecycle__*' 'recover__*' 'cgroups_*' 'usage__*' 'update__*'
globs="$*"
runs=()
for g in "$@"; do runs+=(--run "$g"); done
here=$(dirname "$0")
export UML_TIMEOUT=${UML_TIMEOUT:-120}
t0=$SECONDS
failed=
skipped=
out=$(mktemp /var/tmp/mcz-uml-check.XXXXXX)
trap 'rm -f -- "$out"' EXIT

# One step; its output is also kept in $out (the last step's only).
step() {
	local rc
	printf '\n==> ci/uml/run.sh %s\n' "$*"
	set +e
	"$here/run.sh" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	case $rc in
	0) ;;
	77) skipped="$skipped $1" ;;
	*) failed="$failed $1" ;;
	esac
	return 0
}

kver=$("${UML_BIN:-linux.uml}" --version 2>/dev/null | head -n1) || kver=
echo "check-uml: layout: cgroup v2 (user-mode Linux ${kver:-not available})"
t_real=$SECONDS
step "$realtests" "${runs[@]}"
real_s=$((SECONDS - t_real))
# "N passed, N failed, N skipped" and the failed tests, from the realtests step.
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n1) || summary=
fails=$(sed -n 's/^FAIL: //p' "$out" | tr '\n' ' ') || fails=
# UML could not start at all: the probe would skip the same way.
if [ -n "$skipped" ] && [ -z "$failed" ] && [ -z "$summary" ]; then
	echo "check-uml: SKIP (user-mode Linux unavailable; see above)"
	exit 77
fi
step "$here/probe-v2.sh"

echo
echo "check-uml: realtests '$globs' under cgroup v2: ${summary:-no summary (see above)} (${real_s} s)"
[ -z "$fails" ] || echo "check-uml: failed tests: $fails"
if [ -n "$failed" ]; then
	echo "check-uml: FAILED:$failed ($((SECONDS - t0)) s)"
	exit 1
fi
if [ -n "$skipped" ]; then
	echo "check-uml: SKIP:$skipped ($((SECONDS - t0)) s)"
	exit 77
fi
echo "check-uml: OK (cgroup v2, user-mode Linux: realtests '$globs' + cgroup v2 probe; $((SECONDS - t0)) s)"
