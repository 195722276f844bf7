/*
 * XenStore client over the guest's store ring (lib/xenbus.c): the page at start_info.store_mfn,
 * signalled through start_info.store_evtchn (public/io/xs_wire.h, docs/misc/xenstore-ring.txt).
 *
 * Requests are synchronous: the caller sleeps (SCHEDOP_block) until the reply with its req_id
 * arrives. Watch events that arrive meanwhile are queued and their callbacks run later, from
 * xenbus_dispatch() (called after every request and by xenbus_wait), never from the event
 * handler, so a callback may make requests itself. Paths without a leading '/' are relative to
 * /local/domain/<domid>. Functions return 0 (or a length) on success and -errno on failure,
 * with the store's error string mapped to its errno (unknown strings: -EINVAL).
 */
#ifndef GUEST_XENBUS_H
#define GUEST_XENBUS_H

#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

typedef uint32_t xenbus_transaction_t;
#define XBT_NIL ((xenbus_transaction_t)0)

typedef void (*xenbus_watch_cb)(const char *path, const char *token, void *data);

/* Find the ring and bind its port (events_init must have run; events enabled by the caller). */
void xenbus_init(void);

/* One raw request: payload of len bytes; the reply's type, and its payload copied into reply
 * (at most cap bytes, NUL-terminated when room is left). Returns the reply's full length, or
 * -EIO when the ring broke. Error replies are returned as such (type XS_ERROR). */
int xenbus_raw(uint32_t type, xenbus_transaction_t t, const void *payload, size_t len,
	       uint32_t *reply_type, char *reply, size_t cap);

/* The errno for a store error string ("ENOENT" -> ENOENT), EINVAL when unknown. */
int xenbus_errno(const char *name);

/* Value into buf (NUL-terminated); returns its length or -errno (-E2BIG: does not fit). */
int xenbus_read(xenbus_transaction_t t, const char *path, char *buf, size_t cap);
/* Read a decimal value; -errno on failure or a malformed number. */
int xenbus_read_ulong(xenbus_transaction_t t, const char *path, unsigned long *v);
int xenbus_write(xenbus_transaction_t t, const char *path, const char *value);
int xenbus_mkdir(xenbus_transaction_t t, const char *path);
int xenbus_rm(xenbus_transaction_t t, const char *path);
/* Children as NUL-separated names into buf; returns how many, or -errno. */
int xenbus_directory(xenbus_transaction_t t, const char *path, char *buf, size_t cap, size_t *used);
/* Permissions as NUL-separated "<c><domid>" strings; returns how many, or -errno. */
int xenbus_get_perms(xenbus_transaction_t t, const char *path, char *buf, size_t cap, size_t *used);
/* perms: n strings such as "n5", "r0". */
int xenbus_set_perms(xenbus_transaction_t t, const char *path, const char *const *perms, int n);

/* Watch path; cb runs once for the watch being set, then for every change (from xenbus_dispatch).
 * At most XENBUS_MAX_WATCHES watches at a time; tokens must be unique. */
#define XENBUS_MAX_WATCHES 16
int xenbus_watch(const char *path, const char *token, xenbus_watch_cb cb, void *data);
int xenbus_unwatch(const char *path, const char *token);

int xenbus_transaction_start(xenbus_transaction_t *t);
/* abort: discard. Returns -EAGAIN when the commit lost a race: redo the whole transaction. */
int xenbus_transaction_end(xenbus_transaction_t t, int abort);
/* Run fn in a transaction and commit, redoing it on EAGAIN (up to `tries` times). fn returns 0
 * to commit or -errno to abort (that value is returned). */
int xenbus_transaction(int (*fn)(xenbus_transaction_t t, void *data), void *data, int tries);
/* Commits that had to be redone since boot. */
extern unsigned long xenbus_retries;

/* Ask the store to restart the connection (connection = RECONNECT; after the store broke it, or
 * to start over): watches, transactions and queued output are dropped on both sides. 0 or
 * -ETIME when the store did not answer within a second. */
int xenbus_reconnect(void);

/* Run the callbacks of queued watch events. */
void xenbus_dispatch(void);
/* Sleep until the store sends something (or any other event arrives), then dispatch. */
void xenbus_wait(void);
/* Watch events received since boot. */
extern unsigned long xenbus_events;

/* The shutdown watcher: watch control/shutdown, and on poweroff/halt/reboot acknowledge it
 * (write "" in a transaction, as Linux does) and shut the domain down with that reason. Also
 * announces control/feature-poweroff = 1. */
int xenbus_shutdown_watcher_init(void);
/* Sleep and serve watches until the store asks the domain to shut down (does not return). */
void xenbus_idle_until_shutdown(void) __attribute__((noreturn));

#endif
