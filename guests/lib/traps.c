/* The trap table and the C side of exception handling: fixups, hooks, records. */
#include <stddef.h>
#include <hypercall.h>
#include <kernel.h>
#include <console.h>
#include <traps.h>

volatile struct trap_record last_trap;

struct extable_entry {
	uint64_t from, to;
};
extern const struct extable_entry __extable_start[], __extable_end[];

static trap_hook_t hooks[20];

#define DECLARE_ENTRY(n) extern char trap_entry_##n[];
DECLARE_ENTRY(0) DECLARE_ENTRY(1) DECLARE_ENTRY(2) DECLARE_ENTRY(3) DECLARE_ENTRY(4)
DECLARE_ENTRY(5) DECLARE_ENTRY(6) DECLARE_ENTRY(7) DECLARE_ENTRY(8) DECLARE_ENTRY(9)
DECLARE_ENTRY(10) DECLARE_ENTRY(11) DECLARE_ENTRY(12) DECLARE_ENTRY(13) DECLARE_ENTRY(14)
DECLARE_ENTRY(15) DECLARE_ENTRY(16) DECLARE_ENTRY(17) DECLARE_ENTRY(18) DECLARE_ENTRY(19)

static char *const entries[20] = {
	trap_entry_0, trap_entry_1, trap_entry_2, trap_entry_3, trap_entry_4,
	trap_entry_5, trap_entry_6, trap_entry_7, trap_entry_8, trap_entry_9,
	trap_entry_10, trap_entry_11, trap_entry_12, trap_entry_13, trap_entry_14,
	trap_entry_15, trap_entry_16, trap_entry_17, trap_entry_18, trap_entry_19,
};

static const char *const names[20] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "coprocessor overrun",
	"#TS", "#NP", "#SS", "#GP", "#PF", "reserved", "#MF", "#AC", "#MC", "#XM",
};

void traps_init(void)
{
	static trap_info_t table[21];
	for (unsigned int v = 0; v < 20; v++) {
		table[v].vector = v;
		/* int3 and into may be used from user mode (DPL 3); the rest kernel only. */
		table[v].flags = (v == 3 || v == 4) ? 3 : 0;
		table[v].cs = FLAT_KERNEL_CS;
		table[v].address = (unsigned long)entries[v];
	}
	table[20].address = 0;
	int rc = HYPERVISOR_set_trap_table(table);
	if (rc)
		panic("set_trap_table failed: %d", rc);
}

void set_trap_hook(unsigned int vector, trap_hook_t hook)
{
	if (vector < 20)
		hooks[vector] = hook;
}

void do_trap(struct trap_frame *f);
void do_trap(struct trap_frame *f)
{
	last_trap.vector = f->vector;
	last_trap.error_code = f->error_code;
	last_trap.rip = f->rip;
	last_trap.cr2 = f->vector == 14 ? read_cr2() : 0;
	last_trap.count++;
	if (f->vector < 20 && hooks[f->vector] && hooks[f->vector](f))
		return;
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->from == f->rip) {
			f->rip = e->to;
			return;
		}
	}
	/* int3 is a trap: RIP is already past it, so returning continues the program. */
	if (f->vector == 3)
		return;
	panic("unexpected %s (vector %lu) error %#lx at rip %#lx rsp %#lx cr2 %#lx",
	      f->vector < 20 ? names[f->vector] : "?", f->vector, f->error_code, f->rip, f->rsp,
	      (unsigned long)last_trap.cr2);
}
