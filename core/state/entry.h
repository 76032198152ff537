/*
 * entry.h — a runtime entry seen from outside its supervisor (`mcz wait`, `destroy`,
 * `status`, `list`; SPEC §8).
 *
 * The supervisor holds an flock on <entry>/lock for the container's whole life (the kernel
 * drops it with the supervisor's last fd), so the lock answers "is it alive?" and "tell me
 * when it ends" without polling. supervisor.pid names the supervisor, but a number is only a
 * number: the kernel may have given it to another process since. Only the holder's
 * /proc/PID/fdinfo, which shows the lock, proves which process it is.
 */
#ifndef MCZ_CORE_ENTRY_H
#define MCZ_CORE_ENTRY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/base/error.h"
#include "sys/sys.h"

/* Try to take the entry's lock (op: LOCK_SH or LOCK_EX) without blocking: 0 with *ret_fd
 * holding it (the caller closes it to let go), or -1 when there is no lock file; -EWOULDBLOCK
 * (no message) when someone else holds it. */
int mcz_entry_lock_try(struct sys *s, const char *runtime_dir, const char *id, int op,
		       int *ret_fd, struct mcz_error *err);

/* Whether someone (the supervisor, or a command at work on the entry) holds its lock. No
 * lock file: false. */
int mcz_entry_lock_held(struct sys *s, const char *runtime_dir, const char *id, bool *ret_held,
			struct mcz_error *err);

/* Block until the lock is free: the supervisor lets go when it exits, after writing
 * termination.json. 0 also when there is no lock file (no supervisor). */
int mcz_entry_await(struct sys *s, const char *runtime_dir, const char *id, struct mcz_error *err);

/* The live supervisor's pid, proven by its fdinfo, or 0 once the lock is free. While the lock
 * is held by a process supervisor.pid does not name (not written yet, or another `destroy` at
 * work), it looks again every 10 ms for up to 5 s, then answers 0. */
/* `mcz destroy` of a running container: its supervisor (proven as above, pinned by a pidfd and
 * proven again) gets SIGTERM with MCZ_DESTROY_REQUEST through that pidfd (SPEC §11: a pid
 * is signalled only through a pidfd that was verified). *ret_pid: the supervisor signalled,
 * 0 when there was none (the lock free, or it ended meanwhile). */
int mcz_entry_request_destroy(struct sys *s, const char *runtime_dir, const char *id,
			      pid_t *ret_pid, struct mcz_error *err);

int mcz_entry_supervisor(struct sys *s, const char *runtime_dir, const char *id, pid_t *ret_pid,
			 struct mcz_error *err);

/* `mcz status`: {"container_id", "state"; and "termination" once TERMINATED, else "pid",
 * "supervisor_pid", "supervisor_alive", "sandbox"}. */
int mcz_entry_status(struct sys *s, const char *runtime_dir, const char *id, json_t **ret,
		     struct mcz_error *err);

#endif
