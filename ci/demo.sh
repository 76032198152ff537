#!/usr/bin/env bash
# make demo: what filesystem/shared prepares for a container with a private /tmp and a
# read-only data volume, on this machine's real filesystem. It creates the sandbox and the
# volume directories under a temporary work dir, prints the mount plan the launcher will
# carry out inside the container's mount namespace, shows the resulting sandbox, and removes
# the work dir again. (Running the container itself arrives with `mcz run`.)
set -euo pipefail
MCZ=${MCZ:-build/mcz}
work=$(mktemp -d /var/tmp/mcz-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data" && echo "hello from the host" > "$work/data/greeting"

run() { printf '\n$ %s\n' "$*"; "$@"; }

run "$MCZ" --version
run "$MCZ" prepare --work_dir="$work" --container_id=demo \
	--volume=tmp:/tmp --volume="$work/data:/mnt:ro"
echo
echo "# the sandbox now holds tmp/ with the host /tmp's mode, owner and group:"
run stat -c '%A %U:%G %n' /tmp "$work/sandboxes/demo" "$work/sandboxes/demo/tmp"
echo
echo "# bad input is refused before anything is created (exit status 125):"
printf '\n$ %s\n' "$MCZ prepare --work_dir=$work --container_id=demo2 --volume=tmp:/no/such/dir"
"$MCZ" prepare --work_dir="$work" --container_id=demo2 --volume=tmp:/no/such/dir 2>&1 || echo "(exit $?; sandboxes/: $(ls "$work/sandboxes"))"
