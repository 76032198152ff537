#!/bin/bash
# ci/uml/probe-v2.sh — proves a real cgroup v2 hierarchy with working memory, cpu and pids
# controllers is available below this process's cgroup parent (as ci/uml/run.sh sets it up):
# creates a cgroup, writes memory.max, cpu.max and pids.max, moves a process in, gets an OOM
# kill counted in memory.events, kills the rest with cgroup.kill, and removes the cgroup.
# Exits 0 when all of that works, 77 (SKIP) when there is no cgroup v2 with those controllers
# here (e.g. on the v1 host: run it through ci/uml/run.sh), 1 on a failure.
set -euo pipefail

skip() { echo "SKIP: cgroup v2 probe: $*"; exit 77; }
fail() { echo "FAIL: cgroup v2 probe: $*"; exit 1; }
step() { printf '  %-44s %s\n' "$1" "$2"; }

root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$root" ] || skip "no cgroup2 mount"
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
[ -n "$own" ] || skip "no cgroup v2 entry in /proc/self/cgroup"
# A v2 cgroup with processes cannot enable controllers for its children (no internal
# processes), so the probe's cgroup is a sibling: below the parent of our own (the root when
# we are in the root).
parent=${MCZ_UML_CGROUP_PARENT:-$root${own%/*}}
[ "$own" = / ] && parent=$root
for c in cpu memory pids; do
	grep -qw "$c" "$parent/cgroup.subtree_control" 2>/dev/null \
		|| skip "$c not enabled in $parent/cgroup.subtree_control (hybrid/v1 host? run via ci/uml/run.sh)"
done

cg=$(mktemp -d "$parent/mcz-probe.XXXXXX")
pids=()
cleanup() {
	local rc=$?
	[ -d "$cg" ] || exit "$rc"
	echo 1 > "$cg/cgroup.kill" 2>/dev/null || true
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rmdir "$cg" 2>/dev/null || true
	exit "$rc"
}
trap cleanup EXIT

echo "cgroup v2 probe in $cg (own cgroup $own)"
grep -qw memory "$cg/cgroup.controllers" || fail "memory controller not available in $cg"
step "controllers" "$(cat "$cg/cgroup.controllers")"

echo 16M > "$cg/memory.max"
[ "$(cat "$cg/memory.max")" = $((16 << 20)) ] || fail "memory.max reads $(cat "$cg/memory.max")"
echo 0 > "$cg/memory.swap.max" 2>/dev/null || true
step "memory.max = 16M" "$(cat "$cg/memory.max")"
echo "50000 100000" > "$cg/cpu.max"
[ "$(cat "$cg/cpu.max")" = "50000 100000" ] || fail "cpu.max reads $(cat "$cg/cpu.max")"
step "cpu.max = 50000 100000" "$(cat "$cg/cpu.max")"
echo 64 > "$cg/pids.max"
[ "$(cat "$cg/pids.max")" = 64 ] || fail "pids.max reads $(cat "$cg/pids.max")"
step "pids.max = 64" "$(cat "$cg/pids.max")"

sleep 1000 &
sleeper=$!
pids+=("$sleeper")
echo "$sleeper" > "$cg/cgroup.procs"
grep -qx "$sleeper" "$cg/cgroup.procs" || fail "pid $sleeper not in $cg/cgroup.procs"
grep -q '^populated 1' "$cg/cgroup.events" || fail "cgroup.events not populated"
step "moved pid $sleeper in" "populated 1"

# memory.max is enforced: tail -n 1 holds a line without a newline in memory until OOM-killed.
( echo "$BASHPID" > "$cg/cgroup.procs" && head -c 64M /dev/zero | tail -n 1 ) >/dev/null 2>&1 &
hog=$!
hog_status=0
wait "$hog" || hog_status=$?
oom=$(awk '$1 == "oom_kill" { print $2 }' "$cg/memory.events")
[ "${oom:-0}" -ge 1 ] || fail "no oom_kill in memory.events after 64M against memory.max=16M (status $hog_status): $(tr '\n' ' ' < "$cg/memory.events")"
step "64M held against memory.max" "OOM-killed (status $hog_status), memory.events oom_kill $oom"
grep -qx "$sleeper" "$cg/cgroup.procs" || fail "the sleeper died with the OOM kill"

# cgroup.kill takes the rest.
[ -e "$cg/cgroup.kill" ] || fail "no cgroup.kill (kernel < 5.14?)"
sleeper_status=0
# (stderr off: bash would report "Killed" for its job)
{ echo 1 > "$cg/cgroup.kill" && wait "$sleeper" || sleeper_status=$?; } 2>/dev/null
[ "$sleeper_status" = $((128 + 9)) ] || fail "sleeper exit status $sleeper_status after cgroup.kill, want 137"
for _ in $(seq 100); do grep -q '^populated 0' "$cg/cgroup.events" && break; sleep 0.05; done
grep -q '^populated 0' "$cg/cgroup.events" || fail "still populated after cgroup.kill"
step "cgroup.kill" "SIGKILL (status $sleeper_status), populated 0"

rmdir "$cg" || fail "rmdir $cg"
step "rmdir" "gone"
echo "cgroup v2 probe: OK"
