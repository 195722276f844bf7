/* XenStore client: the guest's side of the store ring (see include/xenbus.h).
 *
 * Output: a request (header + payload) is copied into req[] as room allows, advancing req_prod
 * and notifying after each piece. Input: rsp[] is read into one message buffer; a complete
 * message is either the reply being waited for (matched by req_id) or a watch event, which is
 * copied to a queue so its callback can run outside the wait. Indexes are free-running and
 * re-read from the page each time; a store that claims more than a ring's worth, or marks the
 * page's error field, breaks the connection (-EIO). */
#include <lib.h>
#include <events.h>
#include <time.h>
#include <xenbus.h>

static volatile struct xenstore_domain_interface *ring;
static evtchn_port_t port;
static uint32_t next_req_id = 1;
static int broken;
unsigned long xenbus_events;
unsigned long xenbus_retries;

/* The message being received. */
static union {
	struct xsd_sockmsg hdr;
	char bytes[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 1];
} rx;
static uint32_t rx_have;

/* Watch events waiting for their callbacks, in a byte ring: a u32 length, then the payload
 * ("path\0token\0"). An event that does not fit is dropped (counted). */
#define EVBUF 8192
static char evbuf[EVBUF];
static uint32_t ev_w, ev_r, evq_count;
unsigned long xenbus_events_dropped;

static void ev_put(const void *src, uint32_t n)
{
	const char *s = src;
	for (uint32_t i = 0; i < n; i++)
		evbuf[(ev_w + i) % EVBUF] = s[i];
	ev_w += n;
}

static void ev_get(void *dst, uint32_t n)
{
	char *d = dst;
	for (uint32_t i = 0; i < n; i++)
		d[i] = evbuf[(ev_r + i) % EVBUF];
	ev_r += n;
}

static struct {
	char path[256];
	char token[64];
	xenbus_watch_cb cb;
	void *data;
	int used;
} watches[XENBUS_MAX_WATCHES];

static const char *const errnames[] = {
	"EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO",
	"ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM",
};
/* Linux numbers (Xen's errno.h lacks a few of them). */
static const int errvals[] = {
	EINVAL, EACCES, EEXIST, 21 /* EISDIR */, ENOENT, ENOMEM, ENOSPC, EIO,
	39 /* ENOTEMPTY */, ENOSYS, 30 /* EROFS */, EBUSY, EAGAIN, XEN_EISCONN, E2BIG, EPERM,
};

int xenbus_errno(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(errnames); i++)
		if (!strcmp(name, errnames[i]))
			return errvals[i];
	return EINVAL;
}

static void on_store_event(evtchn_port_t p, void *data)
{
	(void)p;
	(void)data;
	/* Nothing here: waiters re-read the ring after every wake-up. */
}

void xenbus_init(void)
{
	unsigned long mfn = start_info_ptr->store_mfn;
	unsigned long pfn = machine_to_phys_mapping[mfn];
	ring = (volatile struct xenstore_domain_interface *)(VIRT_BASE + pfn * 4096UL);
	port = start_info_ptr->store_evtchn;
	evtchn_set_handler(port, 0, on_store_event, NULL);
}

static inline void barrier(void)
{
	asm volatile("" ::: "memory");
}

/* Sleep until an event arrives, unless `ready` already holds (checked with events masked so a
 * notification between the check and the block is not lost: SCHEDOP_block returns at once). */
static void sleep_unless(int (*ready)(void))
{
	local_irq_disable();
	if (!ready())
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	local_irq_enable();
}

static int ring_failed(void)
{
	if (ring->error != 0)
		broken = 1;
	return broken;
}

static int input_ready(void)
{
	return ring_failed() || ring->rsp_prod != ring->rsp_cons;
}

static int output_room(void)
{
	return ring_failed() || ring->req_prod - ring->req_cons < XENSTORE_RING_SIZE;
}

/* Copy len bytes into req[], sleeping while the ring is full. */
static int put(const void *buf, size_t len)
{
	const char *s = buf;
	while (len > 0) {
		if (ring_failed())
			return -EIO;
		uint32_t cons = ring->req_cons, prod = ring->req_prod;
		barrier();
		uint32_t used = prod - cons;
		if (used > XENSTORE_RING_SIZE) {
			broken = 1;
			return -EIO;
		}
		uint32_t room = XENSTORE_RING_SIZE - used;
		if (room == 0) {
			evtchn_notify(port);
			sleep_unless(output_room);
			continue;
		}
		uint32_t off = MASK_XENSTORE_IDX(prod);
		uint32_t n = room;
		if (n > XENSTORE_RING_SIZE - off)
			n = XENSTORE_RING_SIZE - off;
		if (n > len)
			n = (uint32_t)len;
		memcpy((char *)ring->req + off, s, n);
		barrier(); /* bytes before the index (x86 stores are ordered) */
		ring->req_prod = prod + n;
		s += n;
		len -= n;
	}
	return 0;
}

/* Take available bytes into rx; returns 1 when a whole message is there, 0 if not yet, -EIO. */
static int pull_some(int *consumed);

static int pull(void)
{
	int consumed = 0;
	int r = pull_some(&consumed);
	if (consumed)
		evtchn_notify(port); /* the store may have output waiting for room */
	return r;
}

static int pull_some(int *consumed)
{
	for (;;) {
		if (ring_failed())
			return -EIO;
		uint32_t want = rx_have < sizeof(rx.hdr) ? (uint32_t)sizeof(rx.hdr) - rx_have
							 : (uint32_t)sizeof(rx.hdr) + rx.hdr.len - rx_have;
		if (want == 0)
			return 1;
		uint32_t cons = ring->rsp_cons, prod = ring->rsp_prod;
		barrier();
		uint32_t avail = prod - cons;
		if (avail > XENSTORE_RING_SIZE) {
			broken = 1;
			return -EIO;
		}
		if (avail == 0)
			return 0;
		uint32_t off = MASK_XENSTORE_IDX(cons);
		uint32_t n = avail;
		if (n > XENSTORE_RING_SIZE - off)
			n = XENSTORE_RING_SIZE - off;
		if (n > want)
			n = want;
		memcpy(rx.bytes + rx_have, (const char *)ring->rsp + off, n);
		barrier(); /* bytes read before the slot is given back */
		ring->rsp_cons = cons + n;
		*consumed = 1;
		rx_have += n;
		if (rx_have == sizeof(rx.hdr) && rx.hdr.len > XENSTORE_PAYLOAD_MAX) {
			broken = 1;
			return -EIO;
		}
	}
}

static void queue_event(void)
{
	xenbus_events++;
	uint32_t len = rx.hdr.len;
	if (EVBUF - (ev_w - ev_r) < len + 4) {
		xenbus_events_dropped++;
		return;
	}
	ev_put(&len, 4);
	ev_put(rx.bytes + sizeof(rx.hdr), len);
	evq_count++;
}

/* Process complete messages until the reply to req_id is in rx (returns 1), nothing more is
 * there (0), or the ring broke (-EIO). Watch events are queued on the way. */
static int receive(uint32_t req_id)
{
	for (;;) {
		int r = pull();
		if (r <= 0)
			return r;
		if (rx.hdr.type == XS_WATCH_EVENT) {
			queue_event();
			rx_have = 0;
			continue;
		}
		if (rx.hdr.req_id == req_id)
			return 1;
		rx_have = 0; /* a stale reply nobody waits for */
	}
}

int xenbus_raw(uint32_t type, xenbus_transaction_t t, const void *payload, size_t len,
	       uint32_t *reply_type, char *reply, size_t cap)
{
	if (broken || ring_failed())
		return -EIO;
	if (next_req_id == 0)
		next_req_id = 1; /* 0 is never waited for (see xenbus_dispatch) */
	struct xsd_sockmsg h = { .type = type, .req_id = next_req_id++, .tx_id = t, .len = (uint32_t)len };
	if (put(&h, sizeof(h)) || put(payload, len))
		return -EIO;
	evtchn_notify(port);
	for (;;) {
		int r = receive(h.req_id);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		sleep_unless(input_ready);
	}
	uint32_t n = rx.hdr.len;
	if (reply_type)
		*reply_type = rx.hdr.type;
	if (reply && cap > 0) {
		size_t c = n < cap ? n : cap;
		memcpy(reply, rx.bytes + sizeof(rx.hdr), c);
		if (c < cap)
			reply[c] = 0;
	}
	rx_have = 0;
	return (int)n;
}

/* A request whose payload is the given NUL-terminated strings (the last may omit its NUL:
 * nul_last = 0, for WRITE's value). Error replies become -errno. */
static char scratch[XENSTORE_PAYLOAD_MAX + 1];
static char payload_buf[XENSTORE_PAYLOAD_MAX + 1];

static int request(uint32_t type, xenbus_transaction_t t, const char *const *parts, int n, int nul_last,
		   char *reply, size_t cap)
{
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(parts[i]) + (i < n - 1 || nul_last ? 1 : 0);
		if (len + l > XENSTORE_PAYLOAD_MAX)
			return -E2BIG;
		memcpy(payload_buf + len, parts[i], l);
		len += l;
	}
	uint32_t rtype;
	char *out = reply ? reply : scratch;
	size_t ocap = reply ? cap : sizeof(scratch);
	int r = xenbus_raw(type, t, payload_buf, len, &rtype, out, ocap);
	if (r < 0)
		return r;
	if (rtype == XS_ERROR) {
		char name[16];
		size_t c = (size_t)r < ocap ? (size_t)r : ocap;
		size_t k = c < sizeof(name) - 1 ? c : sizeof(name) - 1;
		memcpy(name, out, k);
		name[k] = 0;
		return -xenbus_errno(name);
	}
	xenbus_dispatch();
	return r;
}

int xenbus_read(xenbus_transaction_t t, const char *path, char *buf, size_t cap)
{
	const char *p[] = { path };
	int r = request(XS_READ, t, p, 1, 1, buf, cap);
	if (r >= 0 && (size_t)r >= cap)
		return -E2BIG;
	return r;
}

int xenbus_read_ulong(xenbus_transaction_t t, const char *path, unsigned long *v)
{
	char buf[32];
	int r = xenbus_read(t, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (r == 0)
		return -EINVAL;
	unsigned long x = 0;
	for (int i = 0; i < r; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned long)(buf[i] - '0');
	}
	*v = x;
	return 0;
}

int xenbus_write(xenbus_transaction_t t, const char *path, const char *value)
{
	const char *p[] = { path, value };
	int r = request(XS_WRITE, t, p, 2, 0, NULL, 0);
	return r < 0 ? r : 0;
}

int xenbus_mkdir(xenbus_transaction_t t, const char *path)
{
	const char *p[] = { path };
	int r = request(XS_MKDIR, t, p, 1, 1, NULL, 0);
	return r < 0 ? r : 0;
}

int xenbus_rm(xenbus_transaction_t t, const char *path)
{
	const char *p[] = { path };
	int r = request(XS_RM, t, p, 1, 1, NULL, 0);
	return r < 0 ? r : 0;
}

/* Count NUL-terminated strings in a reply. */
static int count_strings(const char *buf, int len)
{
	int n = 0;
	for (int i = 0; i < len; i++)
		if (buf[i] == 0)
			n++;
	return n;
}

static int list_request(uint32_t type, xenbus_transaction_t t, const char *path, char *buf, size_t cap,
			size_t *used)
{
	const char *p[] = { path };
	int r = request(type, t, p, 1, 1, buf, cap);
	if (r < 0)
		return r;
	if ((size_t)r > cap)
		return -E2BIG;
	if (used)
		*used = (size_t)r;
	return count_strings(buf, r);
}

int xenbus_directory(xenbus_transaction_t t, const char *path, char *buf, size_t cap, size_t *used)
{
	return list_request(XS_DIRECTORY, t, path, buf, cap, used);
}

int xenbus_get_perms(xenbus_transaction_t t, const char *path, char *buf, size_t cap, size_t *used)
{
	return list_request(XS_GET_PERMS, t, path, buf, cap, used);
}

int xenbus_set_perms(xenbus_transaction_t t, const char *path, const char *const *perms, int n)
{
	const char *p[8];
	if (n < 1 || n > 7)
		return -EINVAL;
	p[0] = path;
	for (int i = 0; i < n; i++)
		p[i + 1] = perms[i];
	int r = request(XS_SET_PERMS, t, p, n + 1, 1, NULL, 0);
	return r < 0 ? r : 0;
}

int xenbus_watch(const char *path, const char *token, xenbus_watch_cb cb, void *data)
{
	int slot = -1;
	for (int i = 0; i < XENBUS_MAX_WATCHES; i++)
		if (!watches[i].used) {
			slot = i;
			break;
		}
	if (slot < 0 || strlen(path) >= sizeof(watches[0].path) || strlen(token) >= sizeof(watches[0].token))
		return -ENOSPC;
	/* Registered before the request: its first event may arrive with the reply. */
	strcpy(watches[slot].path, path);
	strcpy(watches[slot].token, token);
	watches[slot].cb = cb;
	watches[slot].data = data;
	watches[slot].used = 1;
	const char *p[] = { path, token };
	int r = request(XS_WATCH, XBT_NIL, p, 2, 1, NULL, 0);
	if (r < 0) {
		watches[slot].used = 0;
		return r;
	}
	return 0;
}

int xenbus_unwatch(const char *path, const char *token)
{
	const char *p[] = { path, token };
	int r = request(XS_UNWATCH, XBT_NIL, p, 2, 1, NULL, 0);
	for (int i = 0; i < XENBUS_MAX_WATCHES; i++)
		if (watches[i].used && !strcmp(watches[i].token, token) && !strcmp(watches[i].path, path))
			watches[i].used = 0;
	return r < 0 ? r : 0;
}

int xenbus_transaction_start(xenbus_transaction_t *t)
{
	const char *p[] = { "" };
	char buf[32];
	int r = request(XS_TRANSACTION_START, XBT_NIL, p, 1, 1, buf, sizeof(buf));
	if (r < 0)
		return r;
	uint32_t id = 0;
	for (int i = 0; i < r && buf[i]; i++)
		id = id * 10 + (uint32_t)(buf[i] - '0');
	*t = id;
	return 0;
}

int xenbus_transaction_end(xenbus_transaction_t t, int abort)
{
	const char *p[] = { abort ? "F" : "T" };
	int r = request(XS_TRANSACTION_END, t, p, 1, 1, NULL, 0);
	return r < 0 ? r : 0;
}

int xenbus_transaction(int (*fn)(xenbus_transaction_t t, void *data), void *data, int tries)
{
	for (int i = 1;; i++) {
		xenbus_transaction_t t;
		int r = xenbus_transaction_start(&t);
		if (r < 0)
			return r;
		r = fn(t, data);
		if (r < 0) {
			xenbus_transaction_end(t, 1);
			return r;
		}
		r = xenbus_transaction_end(t, 0);
		if (r != -EAGAIN || i >= tries)
			return r;
		xenbus_retries++;
	}
}

static int dispatching;

void xenbus_dispatch(void)
{
	static char path[XENSTORE_PAYLOAD_MAX + 2];
	if (dispatching)
		return;
	dispatching = 1;
	/* Take in events that already arrived, without waiting. */
	if (!broken) {
		int r = receive(0);
		if (r < 0)
			broken = 1;
		else if (r > 0)
			rx_have = 0;
	}
	while (evq_count > 0) {
		uint32_t len;
		ev_get(&len, 4);
		ev_get(path, len);
		path[len] = 0;
		if (len < XENSTORE_PAYLOAD_MAX)
			path[len + 1] = 0;
		evq_count--;
		size_t pl = strnlen(path, len);
		const char *token = pl < len ? path + pl + 1 : "";
		for (int w = 0; w < XENBUS_MAX_WATCHES; w++)
			if (watches[w].used && !strcmp(watches[w].token, token))
				watches[w].cb(path, token, watches[w].data);
	}
	dispatching = 0;
}

static int events_ready(void)
{
	return evq_count > 0 || input_ready();
}

void xenbus_wait(void)
{
	sleep_unless(events_ready);
	xenbus_dispatch();
}

static int reconnected(void)
{
	return ring->connection == XENSTORE_CONNECTED;
}

int xenbus_reconnect(void)
{
	ring->connection = XENSTORE_RECONNECT;
	barrier();
	evtchn_notify(port);
	for (int i = 0; i < 100 && !reconnected(); i++) {
		local_irq_disable();
		if (!reconnected())
			block_once(monotonic_ns() + 10 * NSEC_PER_MSEC);
		local_irq_enable();
	}
	if (!reconnected())
		return -ETIME;
	/* The store dropped our watches, transactions and queued output, and restarted the ring. */
	broken = 0;
	rx_have = 0;
	ev_r = ev_w;
	evq_count = 0;
	for (int i = 0; i < XENBUS_MAX_WATCHES; i++)
		watches[i].used = 0;
	return 0;
}

/* ---- the shutdown watcher ---- */

static unsigned int shutdown_reason;

static int ack_shutdown(xenbus_transaction_t t, void *data)
{
	char v[16];
	(void)data;
	int r = xenbus_read(t, "control/shutdown", v, sizeof(v));
	if (r < 0)
		return r;
	shutdown_reason = 0;
	if (!strcmp(v, "poweroff") || !strcmp(v, "halt"))
		shutdown_reason = SHUTDOWN_poweroff + 1;
	else if (!strcmp(v, "reboot"))
		shutdown_reason = SHUTDOWN_reboot + 1;
	else
		return -ENOENT; /* empty (already acknowledged) or a request we do not serve */
	return xenbus_write(t, "control/shutdown", "");
}

static void on_shutdown(const char *path, const char *token, void *data)
{
	(void)path;
	(void)token;
	(void)data;
	if (xenbus_transaction(ack_shutdown, NULL, 16) == 0 && shutdown_reason) {
		printk("xenbus: shutdown requested (%s)\n", shutdown_reason == SHUTDOWN_reboot + 1 ? "reboot" : "poweroff");
		xen_shutdown(shutdown_reason - 1);
	}
}

int xenbus_shutdown_watcher_init(void)
{
	int r = xenbus_write(XBT_NIL, "control/feature-poweroff", "1");
	if (r == 0)
		r = xenbus_write(XBT_NIL, "control/feature-reboot", "1");
	if (r == 0)
		r = xenbus_watch("control/shutdown", "shutdown", on_shutdown, NULL);
	return r;
}

void xenbus_idle_until_shutdown(void)
{
	for (;;) {
		/* A timer keeps virtual time moving, so the host's clock-driven requests arrive. */
		local_irq_disable();
		if (!events_ready())
			block_once(monotonic_ns() + NSEC_PER_SEC);
		local_irq_enable();
		xenbus_dispatch();
	}
}
