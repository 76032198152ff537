#!/bin/bash
# bench/runc.sh — the scale benchmark of bench/scale.sh, done by `runc run -d` (the last part
# of `make bench`): SCALE_N (default 200) detached containers running `sleep`, launched one
# after the other, then `runc list`, `runc events --stats` of each (the `mcz usage` analogue),
# the supervisor question (runc leaves none: it exits after `run -d` and the container's init
# is reparented), and `runc kill KILL` + `runc delete -f` of each. Prints the figures in
# scale.sh's format and checks that nothing is left: no runc state entry, cgroup below the
# unique parent in any hierarchy, mount of the work dir, or container process.
#
# The bundle: a rootfs holding only a static busybox (Debian's busybox-static) as /bin/sleep,
# and a config.json from `runc spec` with process.terminal false, args `sleep <marker>`, a
# read-only root, the namespaces of RUNC_NAMESPACES (default "pid mount": what mcz's
# namespaces/pid does; "spec" keeps runc's five) and linux.cgroupsPath `<unique>/<id>`. The
# path is relative, so runc puts it below its own cgroup in every hierarchy, as mcz does with
# --cgroups_root; the script never writes at a hierarchy root and removes the unique parents
# itself (runc removes only each container's own cgroup). One bundle directory per container
# (the cgroupsPath differs), made before the clock starts. runc's state goes to a private
# --root under the work dir; the system's runc state (/run/runc) is never touched.
#
# When conmon is installed, a second round does the same through conmon as podman does
# (conmon runs `runc create`, then `runc start`), and reports each conmon's PSS: the
# per-container supervisor that runc alone does not have. bench/README.md has the figures.
#
# Root only. Environment: RUNC (binary, default runc), BUSYBOX (a static busybox, default
# /bin/busybox), CONMON (default conmon), SCALE_N, RUNC_NAMESPACES, RUNC_CONMON=0 (no conmon
# round). Needs jq or python3 to edit config.json.
set -euo pipefail

RUNC=${RUNC:-runc}
BUSYBOX=${BUSYBOX:-/bin/busybox}
N=${SCALE_N:-200}
NAMESPACES=${RUNC_NAMESPACES:-pid mount}
[ "$(id -u)" = 0 ] || { echo "runc: SKIP: needs root"; exit 0; }
command -v "$RUNC" >/dev/null 2>&1 ||
	{ echo "runc: SKIP: $RUNC not installed (apt-get install runc, or make bench-deps)"; exit 0; }
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then # ldd fails on a static binary
	echo "runc: SKIP: no static busybox at $BUSYBOX (apt-get install busybox-static)"
	exit 0
fi
if command -v jq >/dev/null 2>&1; then
	edit=jq
elif command -v python3 >/dev/null 2>&1; then
	edit=python3
else
	echo "runc: SKIP: neither jq nor python3 to edit config.json"
	exit 0
fi

mounts_before=$(wc -l </proc/self/mountinfo)
work=$(mktemp -d /var/lib/mcz-runc.XXXXXX)
root=$(basename "$work")
state="$work/state"
marker="601.$$"
runc=("$RUNC" --root "$state")
leaks=

now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
# the unique parent and everything below it, in every hierarchy (v1 and the unified one)
our_cgroups() { find /sys/fs/cgroup -depth -type d \( -name "$root" -o -path "*/$root/*" \) 2>/dev/null; }

delete_all() { # every container in our --root: SIGKILL, then delete -f
	local id
	[ -d "$state" ] || return 0
	for id in $("${runc[@]}" list -q 2>/dev/null); do
		"${runc[@]}" kill "$id" KILL >/dev/null 2>&1 || true
		"${runc[@]}" delete -f "$id" >/dev/null 2>&1 || true
	done
}

cleanup() {
	local pids
	delete_all
	pkill -KILL -f "sleep $marker" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do # conmons exit once their container is gone
		pgrep -f "conmon .*$work/" >/dev/null || break
		sleep 0.2
	done
	pkill -KILL -f "conmon .*$work/" 2>/dev/null || true
	# whatever is still in our cgroups (e.g. a `runc init` of a container interrupted while
	# being created, which no `sleep` pattern matches) is ours: kill it, then delete again
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(our_cgroups | sed 's|$|/cgroup.procs|' | xargs -r cat 2>/dev/null | sort -u)
		[ -z "$pids" ] && break
		echo "$pids" | xargs -r kill -KILL 2>/dev/null || true
		sleep 0.2
	done
	delete_all
	for _ in 1 2 3 4 5 6 7 8 9 10; do # a killed task may take a moment to leave its cgroup
		our_cgroups | xargs -r rmdir 2>/dev/null || true
		[ -z "$(our_cgroups)" ] && break
		sleep 0.2
	done
	awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the bundles (not timed) ----------------------------------------------------------------
mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/dev" "$work/rootfs/sys" "$state" "$work/b"
cp "$BUSYBOX" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sleep"
(cd "$work" && "$RUNC" spec) # writes $work/config.json
if [ "$edit" = jq ]; then
	jq --arg m "$marker" --arg rootfs "$work/rootfs" --arg ns "$NAMESPACES" '
		.process.terminal = false | .process.args = ["sleep", $m]
		| .root = { path: $rootfs, readonly: true }
		| .linux.cgroupsPath = "@CGROUP@"
		| if $ns == "spec" then . else
			.linux.namespaces |= map(select(.type as $t | $ns | split(" ") | index($t)))
			| if ($ns | split(" ") | index("uts")) then . else del(.hostname) end
		  end' "$work/config.json" >"$work/template.json"
else
	python3 - "$work/config.json" "$work/template.json" "$marker" "$work/rootfs" "$NAMESPACES" <<-'EOF'
	import json, sys
	src, dst, marker, rootfs, ns = sys.argv[1:]
	c = json.load(open(src))
	c["process"]["terminal"] = False
	c["process"]["args"] = ["sleep", marker]
	c["root"] = {"path": rootfs, "readonly": True}
	c["linux"]["cgroupsPath"] = "@CGROUP@"
	if ns != "spec":
	    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] in ns.split()]
	    if "uts" not in ns.split():
	        c.pop("hostname", None)
	json.dump(c, open(dst, "w"), indent=2)
	EOF
fi
bundle() { # bundle DIR ID: DIR/config.json with the cgroup <unique>/ID (made before the clock starts)
	mkdir -p "$1"
	sed "s|@CGROUP@|$root/$2|" "$work/template.json" >"$1/config.json"
}
for i in $(seq "$N"); do bundle "$work/b/r$i" "r$i"; done
nslist=$(if [ "$NAMESPACES" = spec ]; then echo "runc spec's five"; else echo "$NAMESPACES" | tr ' ' ,; fi)
reaped() { # pids on stdin: how many of them are zombies (killed, waiting for PID 1 to reap them)
	local p z=0
	while read -r p; do
		[ -n "$p" ] && [ "$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = Z ] && z=$((z + 1))
	done
	echo "$z"
}
left() { # left TAG: the checks after a round; appends to $leaks
	[ -z "$(ls -A "$state" 2>/dev/null)" ] || leaks="$leaks $1-state-entries"
	[ "$(our_cgroups | grep -cF "/$root/")" = 0 ] || leaks="$leaks $1-container-cgroups"
	! pgrep -f "sleep $marker" >/dev/null || leaks="$leaks $1-processes"
}
rate() { # rate WHAT T0 T1 [NOTE]: scale.sh's launch/destroy line
	awk -v w="$1" -v n="$N" -v a="$2" -v b="$3" -v note="${4:+ ($4)}" \
		'BEGIN { printf "  %-8s %7.2f s total, %6.1f %s/s, %.2f ms each%s\n", w, b - a, n / (b - a), (w == "launch" ? "launches" : w "s"), (b - a) * 1000 / n, note }'
}

# ---- runc run -d ----------------------------------------------------------------------------
t0=$(now)
for i in $(seq "$N"); do
	"${runc[@]}" run -d --bundle "$work/b/r$i" "r$i" </dev/null >/dev/null
done
t1=$(now)
listed=$("${runc[@]}" list | grep -c ' running ' || true)
t2=$(now)
for i in $(seq "$N"); do
	"${runc[@]}" events --stats "r$i" >/dev/null
done
t3=$(now)
pids=$("${runc[@]}" list | awk '$3 == "running" { print $2 }')
parents=$(for p in $pids; do awk '/^PPid:/ { print $2 }' "/proc/$p/status"; done | sort -n | uniq -c |
	while read -r count ppid; do printf '%s of PID %s (%s); ' "$count" "$ppid" "$(cat "/proc/$ppid/comm")"; done)
runc_procs=$(pgrep -x runc | wc -l || true)
state_kib=$(du -sk "$state" | awk '{ print $1 }')
cg_dirs=$(our_cgroups | grep -cF "/$root/" || true)
t4=$(now)
for i in $(seq "$N"); do
	"${runc[@]}" kill "r$i" KILL
	"${runc[@]}" delete -f "r$i"
done
t5=$(now)
[ "$listed" = "$N" ] || leaks="$leaks list-showed-$listed"
left runc
zombies=$(echo "$pids" | reaped)

echo "runc: $N detached containers ($("$RUNC" --version | head -n1), run -d; namespaces $nslist; a cgroup each in every hierarchy)"
rate launch "$t0" "$t1"
echo "  list     $(ms "$t1" "$t2") ms for $N containers (showed $listed running)"
awk -v n="$N" -v a="$t2" -v b="$t3" 'BEGIN { printf "  usage    %.2f ms each (runc events --stats)\n", (b - a) * 1000 / n }'
rate destroy "$t4" "$t5" "runc kill KILL + runc delete -f"
echo "  supervisor: none: $runc_procs runc processes while the $N ran; their inits are children of ${parents%; }: 0 KiB per container"
echo "  state: $state_kib KiB on disk in --root for all $N; $cg_dirs container cgroup directories"
[ "$zombies" = 0 ] || echo "  note: right after the destroys $zombies killed inits were zombies waiting for PID 1 (dead; PID 1 reaps them)"

# ---- conmon + runc (what podman does), when conmon is installed -----------------------------
# conmon forks a daemon that runs `runc create` and reports the container's pid on the sync
# pipe (_OCI_SYNCPIPE, as podman reads it); then `runc start`. Destroy: `runc kill KILL`,
# conmon's exit file (it reaped the container), `runc delete -f`; conmon then exits itself.
conmon_bin=$(command -v "${CONMON:-conmon}" 2>/dev/null || true)
if [ "${RUNC_CONMON:-auto}" = 0 ]; then
	echo "runc+conmon: SKIP: RUNC_CONMON=0"
elif [ -z "$conmon_bin" ]; then
	echo "runc+conmon: SKIP: conmon not installed (apt-get install conmon)"
else
	mkdir -p "$work/exits" "$work/socks"
	for i in $(seq "$N"); do bundle "$work/c/c$i" "c$i"; done
	runc_abs=$(command -v "$RUNC")
	exec {sync}<> <(:) # a pipe, open for reading and writing: conmon gets it as fd 3
	nap() { read -r -t 0.001 -u "$sync" _ || true; } # a 1 ms sleep without a fork
	t0=$(now)
	for i in $(seq "$N"); do
		_OCI_SYNCPIPE=3 "$conmon_bin" --api-version 1 -c "c$i" -u "c$i" -n "c$i" -r "$runc_abs" \
			-b "$work/c/c$i" -p "$work/c/c$i/pid" -P "$work/c/c$i/conmon.pid" -l "k8s-file:$work/c/c$i/log" \
			--exit-dir "$work/exits" --socket-dir-path "$work/socks" --runtime-arg "--root=$state" \
			3>&"$sync" </dev/null >/dev/null
		read -r -t 10 -u "$sync" reply || { echo "runc+conmon: c$i: no answer on the sync pipe" >&2; exit 1; }
		case $reply in
		*'"data": '[1-9]*) ;;
		*) echo "runc+conmon: c$i: conmon: $reply" >&2; exit 1 ;;
		esac
		"${runc[@]}" start "c$i"
	done
	t1=$(now)
	clisted=$("${runc[@]}" list | grep -c ' running ' || true)
	cpids=$("${runc[@]}" list | awk '$3 == "running" { print $2 }')
	mons=$(for i in $(seq "$N"); do cat "$work/c/c$i/conmon.pid"; echo; done)
	cpss=$(for p in $mons; do awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup"; done | sort -n)
	t4=$(now)
	for i in $(seq "$N"); do
		"${runc[@]}" kill "c$i" KILL
		until [ -e "$work/exits/c$i" ]; do nap; done
		"${runc[@]}" delete -f "c$i"
	done
	t5=$(now)
	[ "$clisted" = "$N" ] || leaks="$leaks conmon-list-showed-$clisted"
	for _ in $(seq 50); do # each conmon exits after writing its exit file
		pgrep -f "conmon .*$work/" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "conmon .*$work/" >/dev/null || leaks="$leaks conmon-processes"
	left conmon
	czombies=$(printf "%s\n%s\n" "$cpids" "$mons" | reaped)
	exec {sync}>&-

	med=$(echo "$cpss" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	max=$(echo "$cpss" | tail -n1)
	sum=$(echo "$cpss" | awk '{ s += $1 } END { printf "%.1f", s / 1024 }')
	echo "runc+conmon: $N detached containers ($("$conmon_bin" --version | head -n1) running runc create, then runc start)"
	rate launch "$t0" "$t1" "conmon until the sync pipe has the pid, + runc start"
	rate destroy "$t4" "$t5" "runc kill KILL, conmon's exit file, runc delete -f"
	echo "  supervisor PSS (conmon): median ${med} KiB, max ${max} KiB, all $N: ${sum} MiB"
	[ "$czombies" = 0 ] || echo "  note: right after the destroys $czombies killed inits and conmons were zombies waiting for PID 1"
fi

# ---- what is left ---------------------------------------------------------------------------
# the unique parents are the script's to remove (runc removes only each container's cgroup)
for _ in 1 2 3 4 5 6 7 8 9 10; do
	our_cgroups | xargs -r rmdir 2>/dev/null || true
	[ -z "$(our_cgroups)" ] && break
	sleep 0.2
done
[ -z "$(our_cgroups)" ] || leaks="$leaks cgroups"
! grep -qF " $work" /proc/self/mountinfo || leaks="$leaks mounts"
mounts_after=$(wc -l </proc/self/mountinfo)
[ "$mounts_after" = "$mounts_before" ] ||
	echo "runc: note: /proc/self/mountinfo has $mounts_after lines, had $mounts_before (none under $work: someone else's)"
if [ -n "$leaks" ]; then
	echo "runc: leaks:$leaks"
	exit 1
fi
echo "runc: leaks: none (no state entries, cgroups, mounts or processes left)"
