/* PASS/FAIL reporting for self-checking guests (include/check.h). */
#include <stdarg.h>
#include <stdio.h>
#include <console.h>
#include <check.h>
#include <kernel.h>
#include <mm.h>

int checks, failures;

void check(int ok, const char *name, const char *fmt, ...)
{
	checks++;
	if (ok) {
		printk("PASS %s\n", name);
		return;
	}
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("FAIL %s: %s\n", name, buf);
	failures++;
}

void m2p_find_targets(unsigned long *foreign, unsigned long *free)
{
	unsigned long si_mfn = start_info_ptr->shared_info >> PAGE_SHIFT;
	*foreign = 0;
	*free = 0;
	for (unsigned long m = 1; m < (1UL << 24); m++) {
		uint64_t pfn;
		if (peek((unsigned long)&machine_to_phys_mapping[m], &pfn))
			break;
		if (pfn == INVALID_M2P_ENTRY) {
			if (!*free && m != si_mfn)
				*free = m;
		} else if (!*foreign && (pfn >= start_info_ptr->nr_pages || pfn_to_mfn(pfn) != m)) {
			*foreign = m;
		}
		if (*free && *foreign)
			break;
	}
}
