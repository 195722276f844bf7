/* vcpu_op (hypercall 24): vCPU control, runstate, per-vCPU timers. */
#ifndef XEN_PUBLIC_VCPU_H
#define XEN_PUBLIC_VCPU_H

#define VCPUOP_initialise                     0   /* struct vcpu_guest_context */
#define VCPUOP_up                             1
#define VCPUOP_down                           2
#define VCPUOP_is_up                          3   /* returns 0 or 1 */
#define VCPUOP_get_runstate_info              4   /* struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5   /* struct vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer             6   /* struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7
#define VCPUOP_set_singleshot_timer           8   /* struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9
#define VCPUOP_register_vcpu_info            10   /* struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                      11
#define VCPUOP_get_physid                    12
#define VCPUOP_register_vcpu_time_memory_area 13
#define VCPUOP_register_runstate_phys_area   14
#define VCPUOP_register_vcpu_time_phys_area  15

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

#define XEN_RUNSTATE_UPDATE (1ULL << 63)   /* set in state_entry_time while Xen updates the area */

#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)   /* fail with -ETIME if in the past */

#ifndef __ASSEMBLER__

#include <stdint.h>

struct vcpu_runstate_info {
	int state;                  /* RUNSTATE_* */
	uint64_t state_entry_time;  /* ns at the last state change */
	uint64_t time[4];           /* ns spent in each RUNSTATE_* */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;

struct vcpu_register_runstate_memory_area {
	union {
		struct vcpu_runstate_info *v;
		uint64_t p;
	} addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;

struct vcpu_set_periodic_timer {
	uint64_t period_ns;         /* >= 1 ms */
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;

struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;    /* absolute system time */
	uint32_t flags;             /* VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;

struct vcpu_register_vcpu_info {
	uint64_t mfn;               /* frame to hold the vcpu_info */
	uint32_t offset;            /* offset in that frame */
	uint32_t rsvd;
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;

_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info is 48 bytes");
_Static_assert(__builtin_offsetof(struct vcpu_runstate_info, state_entry_time) == 8, "runstate.state_entry_time @8");
_Static_assert(__builtin_offsetof(struct vcpu_runstate_info, time) == 16, "runstate.time @16");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "vcpu_set_singleshot_timer is 16 bytes");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "vcpu_register_vcpu_info is 16 bytes");

#endif /* !__ASSEMBLER__ */

#endif
