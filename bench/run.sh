#!/bin/sh
# Launch latency of `mcz run` against the floor program and bwrap, side by side in ONE
# hyperfine run and once more interleaved by bench/lap; then the latency of `mcz usage` on a
# running container (bench/README.md). Run through `make bench`, which builds mcz, the floor
# and lap and installs hyperfine and bubblewrap when missing; this script installs nothing.
#
# Environment:
#   MCZ            the mcz binary                        (default build/mcz)
#   FLOOR          the floor program                     (default build/bench/floor)
#   LAP            the interleaving runner               (default build/bench/lap)
#   BENCH_RUNS     runs per command, at least 100        (default 100)
#   BENCH_WARMUP   warmup runs per command               (default 10)
#   BENCH_JSON     where hyperfine's JSON is kept        (default build/bench/hyperfine.json;
#                  lap's output goes next to it: .lap and .usage)
#
# The work dirs live under /var/lib/mcz-bench-XXXX (never /tmp: mcz and bwrap mount over
# /tmp, and /tmp is on the root filesystem here). On exit, on every path, the script stops
# the containers it started, checks that nothing is left behind (mounts, cgroups, runtime
# entries, processes), removes the work dirs and fails if something leaked.
set -eu

MCZ=${MCZ:-build/mcz}
FLOOR=${FLOOR:-build/bench/floor}
LAP=${LAP:-build/bench/lap}
RUNS=${BENCH_RUNS:-100}
WARMUP=${BENCH_WARMUP:-10}
JSON=${BENCH_JSON:-build/bench/hyperfine.json}

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (namespaces, mounts, cgroups)"
for t in hyperfine bwrap python3; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (make bench-deps)"
done
[ -x "$MCZ" ] || die "$MCZ not built (make $MCZ)"
[ -x "$FLOOR" ] || die "$FLOOR not built (make $FLOOR)"
[ -x "$LAP" ] || die "$LAP not built (make $LAP)"
case $RUNS in *[!0-9]*|'') die "BENCH_RUNS must be a number" ;; esac
[ "$RUNS" -ge 100 ] || die "BENCH_RUNS must be at least 100 (got $RUNS)"
MCZ=$(readlink -f "$MCZ")
FLOOR=$(readlink -f "$FLOOR")
LAP=$(readlink -f "$LAP")
mkdir -p "$(dirname "$JSON")"

W=$(mktemp -d /var/lib/mcz-bench-XXXX)
NAME=$(basename "$W")              # also the --cgroups_root, so our cgroups are findable
# A second runtime dir on tmpfs: /run is tmpfs on most hosts but ext4 here, and the runtime
# files' cost depends on it (bench/README.md).
S=$(mktemp -d /dev/shm/mcz-bench-XXXX) || { rmdir "$W"; exit 1; }
echo "bench: work dirs $W $S"

# The `mcz run`s started in the background for the usage part, and their containers' pids.
BG_PIDS=
SLEEP_PIDS=

# --cgroups_root is the work dir's unique name and the floor's cgroup is NAME-floor, so any
# cgroup left behind (in any hierarchy, below whatever cgroup we run in) is found by name.
our_cgroups() {
	find /sys/fs/cgroup -mindepth 1 -type d \( -name "$NAME" -o -name "$NAME-floor" \) \
		2>/dev/null
}

alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# Stop a background `mcz run`: the first SIGINT is forwarded to the container (a shell's
# background job ignores SIGINT, and so does the `sleep` it inherits that from), the second
# destroys it (SIGKILL). Then reap it; its status (137) is not an error.
stop_run() {
	n=0
	while alive "$1" && [ $n -lt 50 ]; do
		kill -INT "$1" 2>/dev/null || true
		sleep 0.1
		n=$((n + 1))
	done
	wait "$1" 2>/dev/null || true
}

stop_all() {
	for p in $BG_PIDS; do stop_run "$p"; done
	BG_PIDS=
}

leftovers() {
	rc=0
	if grep -qE " ($W|$S)[/ ]" /proc/self/mountinfo; then
		echo "bench: LEAK: mounts below $W or $S:" >&2
		grep -E " ($W|$S)[/ ]" /proc/self/mountinfo >&2
		rc=1
	fi
	for d in $(our_cgroups); do echo "bench: LEAK: cgroup $d" >&2; rc=1; done
	for d in "$W/rt/containers" "$W/rt/pidns" "$S/rt/containers" "$S/rt/pidns"; do
		[ -d "$d" ] || continue
		left=$(find "$d" -mindepth 1 -maxdepth 1 -printf '%f ')
		if [ -n "$left" ]; then
			echo "bench: LEAK: runtime entries in $d: $left" >&2
			rc=1
		fi
	done
	for p in $SLEEP_PIDS; do
		if alive "$p" && grep -qx sleep "/proc/$p/comm" 2>/dev/null; then
			echo "bench: LEAK: container process $p (sleep) still running" >&2
			rc=1
		fi
	done
	return $rc
}

cleanup() {
	status=$?
	trap - EXIT INT TERM
	stop_all
	if leftovers; then
		echo "bench: clean: no mounts, cgroups, runtime entries or processes left"
	else
		status=1
		# Best effort, so the machine is left as found even after a leak was reported.
		for p in $SLEEP_PIDS; do
			grep -qx sleep "/proc/$p/comm" 2>/dev/null && kill -KILL "$p" 2>/dev/null
		done
		sleep 0.2
		grep -E " ($W|$S)[/ ]" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m" || true; done
		for d in $(our_cgroups); do
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
		done
	fi
	rm -rf "$W" "$S"
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$W/ro" "$W/floor-tmp" "$W/bwrap-tmp"

MCZ_CMD="$MCZ run --container_id=bench --isolation=filesystem/shared,namespaces/pid \
--volume=tmp:/tmp --volume=$W/ro:/mnt:ro --work_dir=$W/w --runtime_dir=$W/rt \
--cgroups_root=$NAME -- /bin/true"
MCZ_TMPFS_CMD="$MCZ run --container_id=bench --isolation=filesystem/shared,namespaces/pid \
--volume=tmp:/tmp --volume=$W/ro:/mnt:ro --work_dir=$W/w --runtime_dir=$S/rt \
--cgroups_root=$NAME -- /bin/true"
# The mcz line plus the cpu and memory cgroups (cpu, cpuacct and memory hierarchies here).
# No quotes around the ';': the commands are split on blanks only, here and by hyperfine -N.
MCZ_CG_CMD="$MCZ run --container_id=bench \
--isolation=filesystem/shared,namespaces/pid,cgroups/cpu,cgroups/mem --resources=cpus:1;mem:128 \
--volume=tmp:/tmp --volume=$W/ro:/mnt:ro --work_dir=$W/w --runtime_dir=$W/rt \
--cgroups_root=$NAME -- /bin/true"
FLOOR_CMD="$FLOOR /bin/true"
FLOOR_B_CMD="$FLOOR -b $W/floor-tmp $W/ro /bin/true"
FLOOR_C_CMD="$FLOOR -b $W/floor-tmp $W/ro -c $NAME-floor /bin/true"
BWRAP_CMD="$(command -v bwrap) --bind / / --unshare-pid --proc /proc --bind $W/bwrap-tmp /tmp \
--ro-bind $W/ro /mnt /bin/true"

# One smoke run each, so a broken command fails here with its own message.
for c in "/bin/true" "$FLOOR_CMD" "$FLOOR_B_CMD" "$FLOOR_C_CMD" "$MCZ_CMD" "$MCZ_TMPFS_CMD" \
	"$MCZ_CG_CMD" "$BWRAP_CMD"; do
	# shellcheck disable=SC2086 # word splitting wanted: no argument contains a space
	$c || die "smoke run failed: $c"
done

hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$JSON" \
	-n true "/bin/true" \
	-n floor "$FLOOR_CMD" \
	-n floor+binds "$FLOOR_B_CMD" \
	-n floor+cgroups "$FLOOR_C_CMD" \
	-n mcz "$MCZ_CMD" \
	-n mcz-rt-tmpfs "$MCZ_TMPFS_CMD" \
	-n mcz-cgroups "$MCZ_CG_CMD" \
	-n bwrap "$BWRAP_CMD"

python3 - "$JSON" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: r["median"] * 1e3 for k, r in res.items()}
print()
print("%-13s %9s %9s %9s %9s %9s %8s" % ("launch", "median", "mean", "stddev", "min", "p95",
                                         "/floor"))
for k in ("true", "floor", "floor+binds", "floor+cgroups", "mcz", "mcz-rt-tmpfs",
          "mcz-cgroups", "bwrap"):
    r = res[k]
    t = sorted(r["times"])
    print("%-13s %7.3fms %7.3fms %7.3fms %7.3fms %7.3fms %7.2fx" % (
        k, med[k], r["mean"] * 1e3, r["stddev"] * 1e3, r["min"] * 1e3,
        t[len(t) * 95 // 100] * 1e3, med[k] / med["floor"]))
print()
# The targets (bench/README.md); the bench reports them, it does not fail on them.
for base, target, cmp in (("floor", 1.3, "<="), ("floor+binds", 1.3, "<="), ("bwrap", 1.0, "<")):
    q = med["mcz"] / med[base]
    hit = q <= target if cmp == "<=" else q < target
    q2 = med["mcz-rt-tmpfs"] / med[base]
    print("mcz/%-12s %5.2fx  (target %s %.1fx: %-6s)   runtime dir on tmpfs: %5.2fx" % (
        base, q, cmp, target, "met" if hit else "MISSED", q2))
q = med["mcz-cgroups"] / med["floor+cgroups"]
print("mcz-cgroups/floor+cgroups %5.2fx  (target <= 1.3x: %s)" % (q, "met" if q <= 1.3 else "MISSED"))
print()
print("medians of one run, side by side: compare the ratios, never the absolute times")
PY

# hyperfine runs each command's runs in one block, so a noisy stretch of this shared machine
# lands on one command. bench/lap takes the commands in turns (A B C A B C ...): the noise
# falls on all of them alike. Its ratios are the ones the targets are judged on.
echo
echo "interleaved runs (bench/lap, $RUNS rounds): median / p10 / p90"
# shellcheck disable=SC2086 # word splitting wanted: no argument contains a space
"$LAP" -n "$RUNS" -w "$WARMUP" true /bin/true :: floor $FLOOR_CMD :: floor+binds $FLOOR_B_CMD \
	:: floor+cgroups $FLOOR_C_CMD :: mcz $MCZ_CMD :: mcz-rt-tmpfs $MCZ_TMPFS_CMD \
	:: mcz-cgroups $MCZ_CG_CMD :: bwrap $BWRAP_CMD > "$JSON.lap"
python3 - "$JSON.lap" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, med, p10, p90 = line.split()
    rows[name] = (float(med), float(p10), float(p90))
for k, (med, p10, p90) in rows.items():
    print("%-13s %7.3fms %7.3fms %7.3fms %7.2fx" % (k, med, p10, p90, med / rows["floor"][0]))
print()
for base, target, cmp in (("floor", 1.3, "<="), ("floor+binds", 1.3, "<="), ("bwrap", 1.0, "<")):
    q = rows["mcz"][0] / rows[base][0]
    q2 = rows["mcz-rt-tmpfs"][0] / rows[base][0]
    hit = q <= target if cmp == "<=" else q < target
    print("mcz/%-12s %5.2fx  (target %s %.1fx: %-6s)   runtime dir on tmpfs: %5.2fx" % (
        base, q, cmp, target, "met" if hit else "MISSED", q2))
q = rows["mcz-cgroups"][0] / rows["floor+cgroups"][0]
print("mcz-cgroups/floor+cgroups %5.2fx  (target <= 1.3x: %s)" % (q, "met" if q <= 1.3 else "MISSED"))
print("cgroups' cost: mcz %+.3f ms (mcz-cgroups - mcz), floor %+.3f ms (floor+cgroups - floor+binds)"
      % (rows["mcz-cgroups"][0] - rows["mcz"][0], rows["floor+cgroups"][0] - rows["floor+binds"][0]))
PY

# `mcz usage` on a running container: one container per kind of resource isolation, both
# running `sleep` (long enough for the lap run; the second SIGINT ends it early anyway).
echo
echo "mcz usage on a running container (bench/lap, $RUNS rounds, /bin/true as the yardstick)"
SLEEP_SECS=$((30 + RUNS / 10))
for kind in posix cgroups; do
	"$MCZ" run --container_id="usage-$kind" --isolation="$kind/cpu,$kind/mem" \
		--resources='cpus:1;mem:128' --work_dir="$W/w" --runtime_dir="$W/rt" \
		--cgroups_root="$NAME" -- /bin/sleep "$SLEEP_SECS" &
	BG_PIDS="$BG_PIDS $!"
done
for kind in posix cgroups; do
	n=0
	until "$MCZ" usage --runtime_dir="$W/rt" "usage-$kind" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt 100 ] || die "container usage-$kind did not start"
		sleep 0.05
	done
	SLEEP_PIDS="$SLEEP_PIDS $(cat "$W/rt/containers/usage-$kind/pid")"
	printf '%-14s %s\n' "usage-$kind:" "$("$MCZ" usage --runtime_dir="$W/rt" "usage-$kind")"
done
"$LAP" -n "$RUNS" -w "$WARMUP" true /bin/true \
	:: usage-posix "$MCZ" usage --runtime_dir="$W/rt" usage-posix \
	:: usage-cgroups "$MCZ" usage --runtime_dir="$W/rt" usage-cgroups > "$JSON.usage"
stop_all
python3 - "$JSON.usage" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, med, p10, p90 = line.split()
    rows[name] = (float(med), float(p10), float(p90))
for k, (med, p10, p90) in rows.items():
    print("%-13s %7.3fms %7.3fms %7.3fms %7.2fx /bin/true" % (k, med, p10, p90,
                                                             med / rows["true"][0]))
PY
