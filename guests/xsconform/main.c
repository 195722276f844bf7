/* XenStore protocol conformance, driven through this guest's own store ring: every message type,
 * the error strings the store answers with, transactions (conflicts, racing commits with retry),
 * watches (one event per change, relative paths, commit-only events, unwatch) and permissions
 * across two guests. Prints "PASS name" or "FAIL name: why" per check, then a summary line.
 *
 * Command line: "a peer=D" or "b peer=D" (two domains run together; D is the other's domid).
 * Role a owns the shared nodes; role b checks what it may and may not do with them. */
#include <lib.h>
#include <events.h>
#include <time.h>
#include <xenbus.h>
#include <check.h>

static unsigned int passed, failed;
static char rbuf[XENSTORE_PAYLOAD_MAX + 1];
static uint32_t rtype;
static int rlen;
static unsigned long self, peer;
static char role;

/* A raw request; the payload may hold NULs (len given). */
static int raw(uint32_t type, uint32_t tx, const char *payload, size_t len)
{
	rlen = xenbus_raw(type, tx, payload, len, &rtype, rbuf, sizeof(rbuf));
	xenbus_dispatch();
	return rlen;
}

/* Expect an error reply with this name. */
static void expect_err(const char *name, uint32_t type, uint32_t tx, const char *payload, size_t len, const char *err)
{
	raw(type, tx, payload, len);
	size_t el = strlen(err) + 1;
	check(rlen == (int)el && rtype == XS_ERROR && !memcmp(rbuf, err, el), name,
	      "type %u len %d reply \"%s\", expected error %s", rtype, rlen, rlen > 0 ? rbuf : "", err);
}

/* Expect a reply of the request's type with exactly these bytes. */
static void expect_reply(const char *name, uint32_t type, uint32_t tx, const char *payload, size_t len, const char *want, size_t wlen)
{
	raw(type, tx, payload, len);
	check(rlen == (int)wlen && rtype == type && !memcmp(rbuf, want, wlen), name,
	      "type %u len %d reply \"%s\"", rtype, rlen, rlen > 0 ? rbuf : "");
}

#define S(lit) lit, sizeof(lit) - 1   /* a literal with its embedded NULs, without the C terminator */
#define OK S("OK\0")

/* ---- watches ---- */
static unsigned long wcount;
static char wlast[256];
static void on_watch(const char *path, const char *token, void *data)
{
	(void)token;
	(void)data;
	wcount++;
	strncpy(wlast, path, sizeof(wlast) - 1);
}

/* ---- the racing counter ---- */
static char counter_path[64];
static int bump(xenbus_transaction_t t, void *data)
{
	(void)data;
	unsigned long v = 0;
	int r = xenbus_read_ulong(t, counter_path, &v);
	if (r < 0)
		return r;
	/* Let the other guest run between the read and the write, so commits race. */
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	char s[24];
	snprintf(s, sizeof(s), "%lu", v + 1);
	return xenbus_write(t, counter_path, s);
}

static void message_types(void)
{
	char p[128];
	int n;

	expect_reply("WRITE", XS_WRITE, 0, S("data/t/a\0hello"), OK);
	expect_reply("READ (no trailing NUL)", XS_READ, 0, S("data/t/a\0"), "hello", 5);
	expect_reply("MKDIR", XS_MKDIR, 0, S("data/t/dir\0"), OK);
	expect_reply("MKDIR existing", XS_MKDIR, 0, S("data/t/dir\0"), OK);
	expect_reply("DIRECTORY", XS_DIRECTORY, 0, S("data/t\0"), S("a\0dir\0"));
	n = snprintf(p, sizeof(p), "/local/domain/%lu/data/t/a", self);
	expect_reply("READ absolute", XS_READ, 0, p, (size_t)n + 1, "hello", 5);
	n = snprintf(p, sizeof(p), "n%lu", self);
	raw(XS_GET_PERMS, 0, S("data/t/a\0"));
	check(rtype == XS_GET_PERMS && rlen == n + 1 && !strcmp(rbuf, p), "GET_PERMS", "reply %s", rbuf);
	n = snprintf(p, sizeof(p), "data/t/a%cn%lu%cr0%c", 0, self, 0, 0);
	expect_reply("SET_PERMS", XS_SET_PERMS, 0, p, (size_t)n, OK);
	raw(XS_GET_PERMS, 0, S("data/t/a\0"));
	check(rtype == XS_GET_PERMS && rlen == n - 9 && !memcmp(rbuf, p + 9, (size_t)(n - 9)), "GET_PERMS after SET_PERMS", "len %d", rlen);
	n = snprintf(p, sizeof(p), "%lu", self);
	raw(XS_GET_DOMAIN_PATH, 0, p, (size_t)n + 1);
	char want[64];
	int wn = snprintf(want, sizeof(want), "/local/domain/%lu", self);
	check(rtype == XS_GET_DOMAIN_PATH && rlen == wn + 1 && !strcmp(rbuf, want), "GET_DOMAIN_PATH", "reply %s", rbuf);
	raw(XS_DIRECTORY_PART, 0, S("data/t\0" "0\0"));
	{
		size_t gl = strnlen(rbuf, (size_t)rlen);
		check(rtype == XS_DIRECTORY_PART && gl > 0 && rlen == (int)gl + 1 + 7 && !memcmp(rbuf + gl + 1, "a\0dir\0\0", 7),
		      "DIRECTORY_PART", "type %u len %d", rtype, rlen);
	}
	expect_reply("RM", XS_RM, 0, S("data/t/dir\0"), OK);
	expect_reply("RM missing node, parent exists", XS_RM, 0, S("data/t/dir\0"), OK);
	expect_err("RM missing parent: ENOENT", XS_RM, 0, S("data/nope/x\0"), "ENOENT");
	expect_reply("WATCH", XS_WATCH, 0, S("data/t\0tok\0"), OK);
	expect_err("WATCH twice: EEXIST", XS_WATCH, 0, S("data/t\0tok\0"), "EEXIST");
	expect_reply("UNWATCH", XS_UNWATCH, 0, S("data/t\0tok\0"), OK);
	expect_err("UNWATCH unknown: ENOENT", XS_UNWATCH, 0, S("data/t\0tok\0"), "ENOENT");
	expect_reply("RESET_WATCHES", XS_RESET_WATCHES, 0, S("\0"), OK);
	raw(XS_TRANSACTION_START, 0, S("\0"));
	uint32_t tx = 0;
	for (int i = 0; i < rlen && rbuf[i]; i++)
		tx = tx * 10 + (uint32_t)(rbuf[i] - '0');
	check(rtype == XS_TRANSACTION_START && tx != 0, "TRANSACTION_START", "reply %s", rbuf);
	expect_err("TRANSACTION_START nested: EBUSY", XS_TRANSACTION_START, tx, S("\0"), "EBUSY");
	expect_reply("TRANSACTION_END abort", XS_TRANSACTION_END, tx, S("F\0"), OK);
	expect_err("TRANSACTION_END unknown tx: ENOENT", XS_TRANSACTION_END, tx, S("T\0"), "ENOENT");
	/* Requests only dom0 may make. */
	expect_err("CONTROL unprivileged: EACCES", XS_CONTROL, 0, S("print\0x\0"), "EACCES");
	expect_err("INTRODUCE unprivileged: EACCES", XS_INTRODUCE, 0, S("5\0" "1234\0" "3\0"), "EACCES");
	expect_err("RELEASE unprivileged: EACCES", XS_RELEASE, 0, S("5\0"), "EACCES");
	expect_err("IS_DOMAIN_INTRODUCED unprivileged: EACCES", XS_IS_DOMAIN_INTRODUCED, 0, S("0\0"), "EACCES");
	expect_err("RESUME unprivileged: EACCES", XS_RESUME, 0, S("5\0"), "EACCES");
	expect_err("SET_TARGET unprivileged: EACCES", XS_SET_TARGET, 0, S("5\0" "6\0"), "EACCES");
	/* Types the server never takes. */
	expect_err("WATCH_EVENT as a request: ENOSYS", XS_WATCH_EVENT, 0, S("x\0y\0"), "ENOSYS");
	expect_err("ERROR as a request: ENOSYS", XS_ERROR, 0, S("EINVAL\0"), "ENOSYS");
	expect_err("type 20 (removed RESTRICT): ENOSYS", 20, 0, S("0\0"), "ENOSYS");
	expect_err("XS_INVALID: ENOSYS", XS_INVALID, 0, S("\0"), "ENOSYS");
	/* Feature and quota requests (23..26): this store does not offer them. */
	expect_err("GET_FEATURE: ENOSYS", XS_GET_FEATURE, 0, S("\0"), "ENOSYS");
	expect_err("SET_FEATURE: ENOSYS", XS_SET_FEATURE, 0, S("1\0" "0\0"), "ENOSYS");
	expect_err("GET_QUOTA: ENOSYS", XS_GET_QUOTA, 0, S("\0"), "ENOSYS");
	expect_err("SET_QUOTA: ENOSYS", XS_SET_QUOTA, 0, S("nodes\0" "5\0"), "ENOSYS");
}

static void error_strings(void)
{
	char big[3200];
	expect_err("READ missing: ENOENT", XS_READ, 0, S("data/none\0"), "ENOENT");
	expect_err("READ bad path (//): EINVAL", XS_READ, 0, S("data//x\0"), "EINVAL");
	expect_err("READ bad char: EINVAL", XS_READ, 0, S("data/a b\0"), "EINVAL");
	expect_err("READ trailing slash: EINVAL", XS_READ, 0, S("data/\0"), "EINVAL");
	expect_err("WRITE without value separator: EINVAL", XS_WRITE, 0, S("data/x"), "EINVAL");
	memset(big, 'a', sizeof(big));
	memcpy(big, "data/", 5);
	big[sizeof(big) - 1] = 0;
	expect_err("path too long: EINVAL", XS_READ, 0, big, sizeof(big), "EINVAL");
	expect_err("READ dom0's node: EACCES", XS_READ, 0, S("/local/domain/0/name\0"), "EACCES");
	expect_err("WRITE read-only node (name): EACCES", XS_WRITE, 0, S("name\0x"), "EACCES");
	expect_err("WRITE under /: EACCES", XS_WRITE, 0, S("/evil\0x"), "EACCES");
	expect_err("SET_PERMS changing the owner: EPERM", XS_SET_PERMS, 0, S("data/t/a\0n0\0"), "EPERM");
	expect_err("SET_PERMS bad entry: EINVAL", XS_SET_PERMS, 0, S("data/t/a\0x5\0"), "EINVAL");
	expect_err("request with unknown tx: ENOENT", XS_READ, 4242, S("data/t/a\0"), "ENOENT");
	/* A node of more than 2048 bytes (the node-size quota for guests). */
	int n = snprintf(big, sizeof(big), "data/big");
	memset(big + n + 1, 'v', 2100);
	expect_err("node over the size quota: ENOSPC", XS_WRITE, 0, big, (size_t)n + 1 + 2100, "ENOSPC");
	/* A reply over 4096 bytes: a directory too wide for one reply. A guest cannot make one (its
	 * node-size quota counts the children's names), so the host prepares data/wide. */
	if (xenbus_read(XBT_NIL, "data/wide", big, sizeof(big)) >= 0)
		expect_err("reply over 4096 bytes: E2BIG", XS_DIRECTORY, 0, S("data/wide\0"), "E2BIG");
	else
		printk("SKIP reply over 4096 bytes: the host did not prepare data/wide\n");
	/* More watches than the quota (128). */
	int r = 0, i;
	for (i = 0; i < 200; i++) {
		char w[48];
		int wn = snprintf(w, sizeof(w), "data/w%d%ctok%c", i, 0, 0);
		raw(XS_WATCH, 0, w, (size_t)wn);
		if (rtype == XS_ERROR)
			break;
	}
	r = rtype == XS_ERROR && !strcmp(rbuf, "E2BIG");
	check(r && i >= 128 && i < 200, "watch quota (128): E2BIG", "stopped at %d with %s", i, rbuf);
	raw(XS_RESET_WATCHES, 0, S("\0"));
	/* Transaction conflict. */
	xenbus_transaction_t t1, t2;
	xenbus_write(XBT_NIL, "data/c", "0");
	xenbus_transaction_start(&t1);
	xenbus_transaction_start(&t2);
	char v[8];
	xenbus_read(t1, "data/c", v, sizeof(v));
	xenbus_read(t2, "data/c", v, sizeof(v));
	xenbus_write(t1, "data/c", "1");
	xenbus_write(t2, "data/c", "2");
	int e1 = xenbus_transaction_end(t1, 0);
	raw(XS_TRANSACTION_END, t2, S("T\0"));
	check(e1 == 0 && rtype == XS_ERROR && !strcmp(rbuf, "EAGAIN"), "racing commits: the second gets EAGAIN", "first %d, second %s", e1, rbuf);
	xenbus_read(XBT_NIL, "data/c", v, sizeof(v));
	check(!strcmp(v, "1"), "the first commit's value stays", "value %s", v);
	/* Too many open transactions (quota 10). */
	xenbus_transaction_t ts[12];
	for (i = 0; i < 12; i++) {
		raw(XS_TRANSACTION_START, 0, S("\0"));
		if (rtype == XS_ERROR)
			break;
		ts[i] = 0;
		for (int k = 0; k < rlen && rbuf[k]; k++)
			ts[i] = ts[i] * 10 + (uint32_t)(rbuf[k] - '0');
	}
	check(i >= 10 && i < 12 && !strcmp(rbuf, "ENOSPC"), "transaction quota (10): ENOSPC", "stopped at %d with %s", i, rbuf);
	for (int k = 0; k < i; k++)
		xenbus_transaction_end(ts[k], 1);
}

static void watches(void)
{
	xenbus_write(XBT_NIL, "data/w/k", "0");
	wcount = 0;
	check(xenbus_watch("data/w", "w1", on_watch, NULL) == 0, "watch set", "failed");
	check(wcount == 1 && !strcmp(wlast, "data/w"), "watch fires once when set, with the relative path", "%lu events, last %s", wcount, wlast);
	for (int i = 0; i < 5; i++) {
		char v[8];
		snprintf(v, sizeof(v), "%d", i + 1);
		xenbus_write(XBT_NIL, "data/w/k", v);
	}
	check(wcount == 6 && !strcmp(wlast, "data/w/k"), "one event per change (5 writes)", "%lu events, last %s", wcount, wlast);
	xenbus_write(XBT_NIL, "data/other", "x");
	check(wcount == 6, "no event for a node outside the watch", "%lu events", wcount);
	xenbus_transaction_t t;
	xenbus_transaction_start(&t);
	xenbus_write(t, "data/w/k", "tx");
	xenbus_write(t, "data/w/k2", "tx");
	char v[8];
	xenbus_read(XBT_NIL, "data/w/k", v, sizeof(v));
	check(wcount == 6, "no event before the commit", "%lu events", wcount);
	xenbus_transaction_end(t, 0);
	xenbus_read(XBT_NIL, "data/w/k", v, sizeof(v));
	check(wcount == 8, "events on commit, one per changed node", "%lu events", wcount);
	xenbus_rm(XBT_NIL, "data/w/k2");
	check(wcount == 9 && !strcmp(wlast, "data/w/k2"), "event on removal", "%lu events, last %s", wcount, wlast);
	xenbus_unwatch("data/w", "w1");
	xenbus_write(XBT_NIL, "data/w/k", "after");
	check(wcount == 9, "no event after unwatch", "%lu events", wcount);
	/* Depth: only the node itself. */
	wcount = 0;
	raw(XS_WATCH, 0, S("data/w\0" "wd\0" "0\0"));
	check(rtype == XS_WATCH, "watch with depth 0", "type %u %s", rtype, rbuf);
	raw(XS_RESET_WATCHES, 0, S("\0"));
}

static volatile int peer_ready;
static void on_peer(const char *path, const char *token, void *data)
{
	(void)path;
	(void)token;
	(void)data;
	peer_ready = 1;
}

/* Wait until path reads as value (watching it). */
static void wait_for(const char *path, const char *value)
{
	char v[32];
	peer_ready = 0;
	xenbus_watch(path, "wait", on_peer, NULL);
	for (;;) {
		int r = xenbus_read(XBT_NIL, path, v, sizeof(v));
		if (r >= 0 && !strcmp(v, value))
			break;
		while (!peer_ready)
			xenbus_wait();
		peer_ready = 0;
	}
	xenbus_unwatch(path, "wait");
}

static void two_guests(void)
{
	char p[96], perms_r[16], perms_b[16], own[16];
	snprintf(own, sizeof(own), "n%lu", role == 'a' ? self : peer);
	snprintf(perms_r, sizeof(perms_r), "r%lu", role == 'a' ? peer : self);
	snprintf(perms_b, sizeof(perms_b), "b%lu", role == 'a' ? peer : self);
	unsigned long owner = role == 'a' ? self : peer;
	snprintf(counter_path, sizeof(counter_path), "/local/domain/%lu/data/counter", owner);
	char ready[64], done[64];
	snprintf(ready, sizeof(ready), "/local/domain/%lu/data/ready", owner);
	snprintf(done, sizeof(done), "/local/domain/%lu/data/done-%c", owner, role);
	if (role == 'a') {
		xenbus_write(XBT_NIL, "data/shared", "from-a");
		const char *pr[] = { own, perms_r };
		check(xenbus_set_perms(XBT_NIL, "data/shared", pr, 2) == 0, "a: data/shared readable by b", "set_perms failed");
		xenbus_write(XBT_NIL, "data/private", "secret");
		xenbus_write(XBT_NIL, "data/counter", "0");
		const char *pb[] = { own, perms_b };
		check(xenbus_set_perms(XBT_NIL, "data/counter", pb, 2) == 0, "a: data/counter writable by b", "set_perms failed");
		/* b's done flags live in a's tree too. */
		snprintf(p, sizeof(p), "data/done-b");
		xenbus_write(XBT_NIL, p, "0");
		check(xenbus_set_perms(XBT_NIL, p, pb, 2) == 0, "a: data/done-b writable by b", "set_perms failed");
		xenbus_write(XBT_NIL, "data/ready", "1");
		const char *pready[] = { own, perms_r };
		xenbus_set_perms(XBT_NIL, "data/ready", pready, 2);
	} else {
		wait_for(ready, "1");
		snprintf(p, sizeof(p), "/local/domain/%lu/data/shared", peer);
		char v[32];
		int r = xenbus_read(XBT_NIL, p, v, sizeof(v));
		check(r == 6 && !strcmp(v, "from-a"), "b: reads a's node it may read", "rc %d value %s", r, r >= 0 ? v : "");
		check(xenbus_write(XBT_NIL, p, "x") == -EACCES, "b: cannot write a's read-only node (EACCES)", "wrong result");
		snprintf(p, sizeof(p), "/local/domain/%lu/data/private", peer);
		check(xenbus_read(XBT_NIL, p, v, sizeof(v)) == -EACCES, "b: cannot read a's private node (EACCES)", "wrong result");
		check(xenbus_rm(XBT_NIL, p) == -EACCES, "b: cannot remove a's private node (EACCES)", "wrong result");
		snprintf(p, sizeof(p), "/local/domain/%lu/data/newnode", peer);
		check(xenbus_write(XBT_NIL, p, "x") == -EACCES, "b: cannot create nodes in a's tree (EACCES)", "wrong result");
		snprintf(p, sizeof(p), "/local/domain/%lu/name", peer);
		check(xenbus_read(XBT_NIL, p, v, sizeof(v)) == -EACCES, "b: cannot read a's name (EACCES)", "wrong result");
	}
	/* Both bump the shared counter in transactions, racing; EAGAIN is retried. */
	int errs = 0;
	for (int i = 0; i < 40; i++)
		if (xenbus_transaction(bump, NULL, 1000) != 0)
			errs++;
	check(errs == 0, "40 transactional increments committed", "%d failed", errs);
	printk("xsconform: %c: %lu retries after EAGAIN\n", role, xenbus_retries);
	if (role == 'b') {
		xenbus_write(XBT_NIL, done, "1");
	} else {
		snprintf(p, sizeof(p), "data/done-b");
		wait_for(p, "1");
		unsigned long v = 0;
		xenbus_read_ulong(XBT_NIL, "data/counter", &v);
		check(v == 80, "a: counter is 80 after both guests' increments", "counter %lu", v);
	}
}

int main(void)
{
	const char *cmd = (const char *)start_info_ptr->cmd_line;
	role = cmd[0] == 'b' ? 'b' : 'a';
	const char *pp = strchr(cmd, '=');
	if (pp)
		for (pp++; *pp >= '0' && *pp <= '9'; pp++)
			peer = peer * 10 + (unsigned long)(*pp - '0');
	events_init();
	local_irq_enable();
	xenbus_init();
	if (xenbus_read_ulong(XBT_NIL, "domid", &self) < 0)
		panic("xsconform: no domid");
	printk("xsconform: role %c, domid %lu, peer %lu\n", role, self, peer);
	message_types();
	error_strings();
	watches();
	if (peer)
		two_guests();
	printk("xsconform: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
