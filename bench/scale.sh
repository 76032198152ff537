#!/bin/bash
# bench/scale.sh — the scale benchmark of `make bench` (issue 5): SCALE_N (default 200)
# detached containers running `sleep`, launched one after the other with `mcz launch`, then
# `mcz list`, `mcz usage` of each, every supervisor's memory (PSS from
# /proc/PID/smaps_rollup), and `mcz destroy` of each. Prints rates and times, the PSS figures
# against the target (< 1 MiB per supervisor), and checks that nothing is left: no runtime
# entry, pidns handle, cgroup of its root name in any hierarchy, or container process. Root
# only. Environment: MCZ (binary, default build/mcz), SCALE_N.
set -euo pipefail

MCZ=${MCZ:-build/mcz}
N=${SCALE_N:-200}
[ "$(id -u)" = 0 ] || { echo "scale: SKIP: needs root"; exit 0; }
work=$(mktemp -d /var/lib/mcz-scale.XXXXXX)
root=$(basename "$work")
marker="600.$$"
mcz=("$MCZ" --work_dir="$work/work" --runtime_dir="$work/rt" --cgroups_root="$root")
leaks=

now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }

cleanup() {
	local id
	for id in $("${mcz[@]}" list 2>/dev/null | awk '{ print $1 }'); do
		"${mcz[@]}" destroy "$id" >/dev/null 2>&1 || true
	done
	pkill -KILL -f "sleep $marker" 2>/dev/null || true
	find /sys/fs/cgroup -depth -type d -name "$root" -exec sh -c 'rmdir "$1"/* "$1" 2>/dev/null' _ {} \; 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

t0=$(now)
for i in $(seq "$N"); do
	"${mcz[@]}" launch --container_id="s$i" --isolation=namespaces/pid -- /bin/sleep "$marker" >/dev/null
done
t1=$(now)
listed=$("${mcz[@]}" list | grep -c ' RUNNING ')
t2=$(now)
for i in $(seq "$N"); do
	"${mcz[@]}" usage "s$i" >/dev/null
done
t3=$(now)
pss=$(for i in $(seq "$N"); do
	pid=$("${mcz[@]}" status "s$i" | sed -n 's/.*"supervisor_pid":\([0-9]*\).*/\1/p')
	awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup"
done | sort -n)
t4=$(now)
for i in $(seq "$N"); do
	"${mcz[@]}" destroy "s$i" >/dev/null
done
t5=$(now)

[ "$listed" = "$N" ] || leaks="$leaks list-showed-$listed"
[ -z "$(ls -A "$work/rt/containers" 2>/dev/null)" ] || leaks="$leaks runtime-entries"
[ -z "$(ls -A "$work/rt/pidns" 2>/dev/null)" ] || leaks="$leaks pidns-handles"
[ -z "$(find /sys/fs/cgroup -type d -name "$root" 2>/dev/null)" ] || leaks="$leaks cgroups"
! pgrep -f "sleep $marker" >/dev/null || leaks="$leaks processes"

med=$(echo "$pss" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
max=$(echo "$pss" | tail -n1)
sum=$(echo "$pss" | awk '{ s += $1 } END { printf "%.1f", s / 1024 }')
echo "scale: $N detached containers (namespaces/pid, linux launcher: a freezer cgroup each)"
awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "  launch   %7.2f s total, %6.1f launches/s, %.2f ms each\n", b - a, n / (b - a), (b - a) * 1000 / n }'
echo "  list     $(ms "$t1" "$t2") ms for $N containers (showed $listed RUNNING)"
awk -v n="$N" -v a="$t2" -v b="$t3" 'BEGIN { printf "  usage    %.2f ms each\n", (b - a) * 1000 / n }'
awk -v n="$N" -v a="$t4" -v b="$t5" 'BEGIN { printf "  destroy  %7.2f s total, %6.1f destroys/s, %.2f ms each\n", b - a, n / (b - a), (b - a) * 1000 / n }'
echo "  supervisor PSS: median ${med} KiB, max ${max} KiB, all $N: ${sum} MiB (target < 1024 KiB each: $([ "$max" -lt 1024 ] && echo met || echo MISSED))"
if [ -n "$leaks" ]; then
	echo "scale: LEAK:$leaks"
	exit 1
fi
echo "scale: clean: no runtime entries, pidns handles, cgroups or processes left"
