/*
 * Two domains sharing pages by grant. Run twice: "role=1 peer=<mapper's domid>" grants, and
 * "role=2 peer=<granter's domid>" maps. The granter offers ref 8 (read-write), ref 9
 * (read-only) and ref 10 (read-write, the mapper copies into it). The mapper maps 8 and 9,
 * reads what the granter wrote, writes back through 8, finds 9 read-only, and (once the
 * granter has seen its grants in use) unmaps and copies through grants both ways. The two
 * talk only through the shared pages, polling with SCHEDOP_yield.
 */
#include "gntcheck.h"

#define TRIES 200000UL
#define REF_RW 8
#define REF_RO 9
#define REF_COPY 10

static int granter(domid_t peer)
{
	CHECK_RC(gnttab_init(1), 0, "granter: setup_table and map the table");
	char *a = alloc_page(), *b = alloc_page(), *c = alloc_page();
	strcpy(a, "hello from the granter");
	strcpy(b, "read-only data");
	gnttab_grant_access(REF_RW, peer, virt_to_mfn(a), 0);
	gnttab_grant_access(REF_RO, peer, virt_to_mfn(b), 1);
	gnttab_grant_access(REF_COPY, peer, virt_to_mfn(c), 0);

	int seen = WAIT_FOR(!strcmp(a + 1024, "mapper was here"), TRIES);
	check(seen, "granter: the mapper's write through its mapping is visible", "page says '%s'", a + 1024);
	check(gnttab_in_use(REF_RW) == (GTF_reading | GTF_writing), "granter: a writable mapping sets GTF_reading|GTF_writing",
	      "flags %#x", gnttab_flags(REF_RW));
	check(gnttab_in_use(REF_RO) == GTF_reading, "granter: a read-only mapping sets only GTF_reading", "flags %#x",
	      gnttab_flags(REF_RO));
	CHECK_RC(gnttab_end_access(REF_RW), -1, "granter: a mapped grant cannot be ended");
	strcpy(a + 2048, "ack");

	seen = WAIT_FOR(!strcmp(c + 1024, "unmapped"), TRIES);
	check(seen, "granter: the mapper copied into ref 10 after unmapping", "page says '%s'", c + 1024);
	check(!strcmp(c, "copied by the mapper"), "granter: grant copy wrote the granted page", "page says '%s'", c);
	check(gnttab_in_use(REF_RW) == 0 && gnttab_in_use(REF_RO) == 0 && gnttab_in_use(REF_COPY) == 0,
	      "granter: in-use flags are clear once everything is unmapped and copied", "flags %#x %#x %#x",
	      gnttab_flags(REF_RW), gnttab_flags(REF_RO), gnttab_flags(REF_COPY));
	CHECK_RC(gnttab_end_access(REF_RW), 0, "granter: end access to ref 8");
	CHECK_RC(gnttab_end_access(REF_RO), 0, "granter: end access to ref 9");
	CHECK_RC(gnttab_end_access(REF_COPY), 0, "granter: end access to ref 10");
	summary("gntshare granter");
	return 0;
}

static int mapper(domid_t peer)
{
	CHECK_RC(gnttab_init(1), 0, "mapper: setup_table and map the table");
	char *va = alloc_page(), *vb = alloc_page(), *local = alloc_page();
	grant_handle_t ha = 0, hb = 0;
	int st = GNTST_general_error;
	for (unsigned long i = 0; i < TRIES && st == GNTST_general_error; i++) {
		st = gnttab_map(peer, REF_RW, (uint64_t)va, GNTMAP_host_map, &ha, NULL);
		if (st == GNTST_general_error)
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	CHECK_RC(st, GNTST_okay, "mapper: map the peer's ref 8 read-write");
	check(!strcmp(va, "hello from the granter"), "mapper: reads what the granter wrote", "page says '%s'", va);
	strcpy(va + 1024, "mapper was here");

	CHECK_RC(gnttab_map(peer, REF_RO, (uint64_t)vb, GNTMAP_host_map, &hb, NULL), GNTST_general_error,
		 "mapper: a read-only grant cannot be mapped writable");
	CHECK_RC(gnttab_map(peer, REF_RO, (uint64_t)vb, GNTMAP_host_map | GNTMAP_readonly, &hb, NULL), GNTST_okay,
		 "mapper: map the peer's ref 9 read-only");
	check(!strcmp(vb, "read-only data"), "mapper: reads the read-only grant", "page says '%s'", vb);
	check(faults(vb, 1), "mapper: writing the read-only mapping faults", "no fault");

	int acked = WAIT_FOR(!strcmp(va + 2048, "ack"), TRIES);
	check(acked, "mapper: the granter saw the grants in use", "no ack");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, ha), GNTST_okay, "mapper: unmap ref 8");
	CHECK_RC(gnttab_unmap((uint64_t)vb, 0, hb), GNTST_okay, "mapper: unmap ref 9");
	check(faults(va, 0), "mapper: the unmapped address no longer maps the page", "no fault");

	struct gnttab_copy cp = {
		.source = { .u.ref = REF_RO, .domid = peer, .offset = 0 },
		.dest = { .u.gmfn = virt_to_mfn(local), .domid = DOMID_SELF, .offset = 100 },
		.len = 15, .flags = GNTCOPY_source_gref,
	};
	CHECK_RC(gnttab_copy1(&cp), GNTST_okay, "mapper: copy from the peer's grant into our own frame");
	check(!strcmp(local + 100, "read-only data"), "mapper: the copy arrived", "page says '%s'", local + 100);
	strcpy(local, "copied by the mapper");
	strcpy(local + 1024, "unmapped");
	struct gnttab_copy out[2] = {
		{ .source = { .u.gmfn = virt_to_mfn(local), .domid = DOMID_SELF, .offset = 0 },
		  .dest = { .u.ref = REF_COPY, .domid = peer, .offset = 0 }, .len = 21, .flags = GNTCOPY_dest_gref },
		{ .source = { .u.gmfn = virt_to_mfn(local), .domid = DOMID_SELF, .offset = 1024 },
		  .dest = { .u.ref = REF_COPY, .domid = peer, .offset = 1024 }, .len = 9, .flags = GNTCOPY_dest_gref },
	};
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, out, 2);
	check(rc == 0 && out[0].status == 0 && out[1].status == 0, "mapper: a batch of two copies into the peer's grant",
	      "rc %d status %d %d", rc, out[0].status, out[1].status);
	summary("gntshare mapper");
	return 0;
}

int main(void)
{
	traps_init();
	domid_t peer = (domid_t)cmdline_num("peer", 0);
	if (cmdline_num("role", 0) == 1)
		return granter(peer);
	return mapper(peer);
}
