/*
 * Grants to the host (dom0), the way a frontend shares pages with a backend: ref 8 read-write,
 * ref 9 read-write (the host copies into it), ref 10 read-only. The guest says READY, the host
 * maps 8 and 10 and writes through 8; the guest sees the write and the grants in use and says
 * SEEN; the host unmaps and copies from 8 into 9; the guest ends every grant.
 */
#include "../gntshare/gntcheck.h"

#define TRIES 200000UL

int main(void)
{
	traps_init();
	CHECK_RC(gnttab_init(1), 0, "setup_table and map the table");
	char *a = alloc_page(), *b = alloc_page(), *c = alloc_page();
	strcpy(a, "to the host");
	strcpy(c, "read only for the host");
	gnttab_grant_access(8, 0, virt_to_mfn(a), 0);
	gnttab_grant_access(9, 0, virt_to_mfn(b), 0);
	gnttab_grant_access(10, 0, virt_to_mfn(c), 1);
	printk("READY\n");
	check(WAIT_FOR(!strcmp(a + 1024, "from the host"), TRIES), "the host wrote through its mapping", "'%s'", a + 1024);
	check(gnttab_in_use(8) == (GTF_reading | GTF_writing) && gnttab_in_use(10) == GTF_reading,
	      "the host's mappings mark the grants in use", "%#x %#x", gnttab_flags(8), gnttab_flags(10));
	CHECK_RC(gnttab_end_access(8), -1, "a grant the host maps cannot be ended");
	printk("SEEN\n");
	check(WAIT_FOR(!strcmp(b, "from the host") && gnttab_in_use(8) == 0, TRIES), "the host unmapped and copied into ref 9",
	      "'%s' flags %#x", b, gnttab_flags(8));
	check(gnttab_in_use(9) == 0 && gnttab_in_use(10) == 0, "nothing in use after the host is done", "%#x %#x",
	      gnttab_flags(9), gnttab_flags(10));
	CHECK_RC(gnttab_end_access(8) | gnttab_end_access(9) | gnttab_end_access(10), 0, "end every grant");
	summary("gnthost");
	return 0;
}
