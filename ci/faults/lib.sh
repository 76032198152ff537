# ci/faults/lib.sh — shared by crash.sh and campaign.sh (sourced, not run): a private test
# root, a bystander container that must survive everything, and the host-clean check.
#
# The caller sets TAG (unique: it names the work dir /var/lib/$TAG, the runtime dir and the
# cgroups root, and marks the test's processes) before sourcing, and MCZ (normal build),
# MCZ_FIU (FIU=1 build).

ROOT=/var/lib/$TAG
WORK=$ROOT/work
RUN=$ROOT/run
CGROOT=$TAG
LOGDIR=$ROOT/logs
# The containers: a private /tmp, a pid namespace, cpu and memory cgroups (so the OOM watch
# ticks), the linux launcher's freezer. The command loops with the test's marker as $0.
# FAULTS_ISOLATION and FAULTS_LAUNCHER (e.g. posix, with posix/cpu,posix/mem) change them.
ISOLATION=${FAULTS_ISOLATION:-filesystem/shared,namespaces/pid,cgroups/cpu,cgroups/mem}
COMMON=(--work_dir="$WORK" --runtime_dir="$RUN" --cgroups_root="$CGROOT")
LAUNCH=("${COMMON[@]}" --isolation="$ISOLATION")
[[ $ISOLATION != *filesystem/shared* ]] || LAUNCH+=(--volume=tmp:/tmp)
[[ $ISOLATION != *cgroups* ]] || LAUNCH+=("--resources=cpus:0.5;mem:64")
[ -z "${FAULTS_LAUNCHER:-}" ] || LAUNCH+=(--launcher="$FAULTS_LAUNCHER")
LOOP=(sh -c 'while :; do sleep 1; done')

FAILURES=0
BASE=$ROOT/base     # the host as it was once the bystander ran
NOW=$ROOT/now

say() { printf '%s\n' "$*"; }
fail() {
	FAILURES=$((FAILURES + 1))
	printf 'FAIL: %s\n' "$*"
}

setup_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $0 needs root" >&2
		exit 77
	fi
	mkdir -p "$WORK" "$RUN" "$LOGDIR" "$BASE" "$NOW"
}

# ---- the host's state, as text files in a directory ----------------------------------------

# Mount points with their type and source (mount ids change, these do not), of our mount
# namespace; minus those FAULTS_MOUNT_IGNORE (an ERE) matches: other tests running at the
# same time on a developer's machine.
snap_mounts() {
	awk '{ for (i = 7; $i != "-"; i++) ; print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo |
		{ if [ -n "${FAULTS_MOUNT_IGNORE:-}" ]; then grep -Ev "$FAULTS_MOUNT_IGNORE" || true; else cat; fi } |
		sort
}

# Every cgroup of our root's name, in every hierarchy (v1 and the unified one).
snap_cgroups() {
	find /sys/fs/cgroup -mindepth 1 -type d \( -name "$CGROOT" -o -path "*/$CGROOT/*" \) 2>/dev/null | sort
}

# Processes whose command line has the tag (supervisors: their work dir; containers: the
# marker), with their state; zombies are not leaks (their parent, or init, reaps them).
snap_procs() {
	local p
	for p in $(pgrep -f -- "$TAG" || true); do
		[ "$p" = "$$" ] && continue
		st=$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		[ -z "$st" ] || [ "$st" = Z ] && continue
		printf '%s %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-160)"
	done | sort
}

snap_runtime() {
	(cd "$RUN" && find . | sort)
}

snap_all() { # DIR
	snap_mounts >"$1/mounts"
	snap_cgroups >"$1/cgroups"
	snap_procs >"$1/procs"
	snap_runtime >"$1/runtime"
}

# ---- the bystander -------------------------------------------------------------------------

BY_PID=
BY_SUP=

bystander_start() {
	"$MCZ" launch "${LAUNCH[@]}" --container_id=bystander -- "${LOOP[@]}" "$TAG-bystander" \
		>"$LOGDIR/bystander.launch" 2>&1 || {
		cat "$LOGDIR/bystander.launch"
		echo "$0: cannot launch the bystander" >&2
		exit 1
	}
	BY_PID=$(status_field bystander pid)
	BY_SUP=$(status_field bystander supervisor_pid)
	snap_all "$BASE"
}

# FIELD of `mcz status ID` (state, pid, supervisor_pid), empty when absent.
status_field() {
	"$MCZ" status --runtime_dir="$RUN" "$1" 2>/dev/null |
		sed -n "s/.*\"$2\":\\(\"\\([^\"]*\\)\"\\|\\([0-9]*\\)\\).*/\\2\\3/p"
}

bystander_ok() {
	local state pid sup
	state=$(status_field bystander state)
	pid=$(status_field bystander pid)
	sup=$(status_field bystander supervisor_pid)
	[ "$state" = RUNNING ] && [ "$pid" = "$BY_PID" ] && [ "$sup" = "$BY_SUP" ] &&
		kill -0 "$BY_PID" 2>/dev/null && kill -0 "$BY_SUP" 2>/dev/null
}

bystander_stop() {
	"$MCZ" destroy "${COMMON[@]}" bystander >"$LOGDIR/bystander.destroy" 2>&1 ||
		fail "destroy of the bystander: $(cat "$LOGDIR/bystander.destroy")"
}

# ---- the check ------------------------------------------------------------------------------

# host_clean WHAT: the host is as it was with the bystander alone (BASE), the bystander
# unchanged, nothing mounted below the test root. Processes get 3 s to finish exiting.
host_clean() {
	local what=$1 k ok=1 tries
	for tries in $(seq 30); do
		snap_all "$NOW"
		cmp -s "$BASE/procs" "$NOW/procs" && break
		sleep 0.1
	done
	for k in mounts cgroups procs runtime; do
		if ! cmp -s "$BASE/$k" "$NOW/$k"; then
			fail "$what: $k differ from before (- before, + now):"
			diff "$BASE/$k" "$NOW/$k" | grep '^[<>]' | sed 's/^</  -/; s/^>/  +/' | head -20
			[ $k = mounts ] && ! diff "$BASE/$k" "$NOW/$k" | grep '^[<>]' | grep -qF "$ROOT/" &&
				say "  (none below $ROOT: another program's? FAULTS_MOUNT_IGNORE=ERE leaves them out)"
			ok=0
		fi
	done
	if awk -v r="$ROOT/" '{ for (i = 7; $i != "-"; i++) ; if (index($5 "/", r) == 1 && $5 !~ "/run/pidns/bystander$") print }' \
		/proc/self/mountinfo | grep -q .; then
		fail "$what: mounts below $ROOT"
		ok=0
	fi
	if ! bystander_ok; then
		fail "$what: the bystander changed (wanted RUNNING pid $BY_PID supervisor $BY_SUP): $("$MCZ" status --runtime_dir="$RUN" bystander 2>&1)"
		ok=0
	fi
	[ $ok = 1 ]
}

# After a run that may have crashed anywhere: `mcz recover`, then destroy the victim (it may
# be adopted, ended or gone: destroy is idempotent), then check. Returns 1 on a leak.
recover_and_check() { # WHAT ID LOGPREFIX
	local what=$1 id=$2 log=$3 r
	timeout 60 "$MCZ" recover "${COMMON[@]}" >"$log.recover" 2>&1
	r=$?
	[ $r = 0 ] || fail "$what: mcz recover exit $r: $(tail -c 600 "$log.recover")"
	timeout "${FAULTS_DESTROY_TIMEOUT:-5}" "$MCZ" destroy "${COMMON[@]}" "$id" >"$log.destroy" 2>&1
	r=$?
	if [ $r = 124 ]; then
		# Still blocked after 5 s (a destroy takes milliseconds, or a watch tick of 500 ms):
		# the supervisor that adopted it never got the request. Kill that supervisor so that the host can be
		# checked, and the runs after this one are not spoilt.
		local sup
		sup=$(cat "$RUN/containers/$id/supervisor.pid" 2>/dev/null)
		fail "$what: mcz destroy $id hung (killed after ${FAULTS_DESTROY_TIMEOUT:-5} s; supervisor.pid $sup; $(grep -h FLOCK /proc/locks | grep -c " ${sup:-x} ") flock(s) of that pid in /proc/locks); recover had said: $(cat "$log.recover")"
		[ -n "$sup" ] && kill -KILL "$sup" 2>/dev/null
		sleep 0.1
		timeout 60 "$MCZ" destroy "${COMMON[@]}" "$id" >>"$log.destroy" 2>&1
		r=$?
	fi
	[ $r = 0 ] || fail "$what: mcz destroy $id after recover exit $r: $(tail -c 600 "$log.destroy")"
	if host_clean "$what"; then
		rm -rf "${WORK:?}/sandboxes/$id"
		return 0
	fi
	# Leave the host clean for the next run anyway, or one leak makes every later run fail.
	timeout 60 "$MCZ" recover "${COMMON[@]}" >/dev/null 2>&1
	timeout 60 "$MCZ" destroy "${COMMON[@]}" "$id" >/dev/null 2>&1
	rm -rf "${WORK:?}/sandboxes/$id"
	return 1
}

# At the end: the bystander destroyed, nothing of the tag anywhere, the test root removed.
teardown_root() {
	local left
	bystander_stop
	timeout 60 "$MCZ" recover "${COMMON[@]}" >"$LOGDIR/final.recover" 2>&1 ||
		fail "final recover: $(cat "$LOGDIR/final.recover")"
	sleep 0.2
	left=$(snap_cgroups; snap_procs; awk -v r="$ROOT/" 'index($5 "/", r) == 1' /proc/self/mountinfo)
	[ -z "$left" ] || fail "after the bystander's destroy, left: $left"
	if [ "$FAILURES" = 0 ] && [ -z "${FAULTS_KEEP:-}" ]; then
		rm -rf "$ROOT"
	else
		say "logs kept in $LOGDIR"
	fi
}
