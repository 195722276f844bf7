/* sched_op (hypercall 29): yield, block, shutdown, poll. */
#ifndef XEN_PUBLIC_SCHED_H
#define XEN_PUBLIC_SCHED_H

#include <xen/xen.h>

#define SCHEDOP_yield           0   /* arg NULL */
#define SCHEDOP_block           1   /* arg NULL; unmasks events and sleeps until one is pending */
#define SCHEDOP_shutdown        2   /* struct sched_shutdown */
#define SCHEDOP_poll            3   /* struct sched_poll */
#define SCHEDOP_remote_shutdown 4   /* struct sched_remote_shutdown (privileged) */
#define SCHEDOP_shutdown_code   5   /* struct sched_shutdown: record the code, do not shut down */
#define SCHEDOP_watchdog        6   /* struct sched_watchdog */
#define SCHEDOP_pin_override    7   /* struct sched_pin_override */

#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2   /* RDX = start_info MFN; returns 1 if cancelled */
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX        5

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <xen/event_channel.h>

struct sched_shutdown {
	unsigned int reason;   /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;

struct sched_poll {
	evtchn_port_t *ports;
	unsigned int nr_ports; /* <= 128 */
	uint64_t timeout;      /* absolute system time in ns, 0 = none */
};
typedef struct sched_poll sched_poll_t;

struct sched_remote_shutdown {
	domid_t domain_id;
	unsigned int reason;
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;

struct sched_watchdog {
	uint32_t id;
	uint32_t timeout;
};
typedef struct sched_watchdog sched_watchdog_t;

struct sched_pin_override {
	int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;

_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown is 4 bytes");
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll is 24 bytes");
_Static_assert(__builtin_offsetof(struct sched_poll, nr_ports) == 8, "sched_poll.nr_ports @8");
_Static_assert(__builtin_offsetof(struct sched_poll, timeout) == 16, "sched_poll.timeout @16");
_Static_assert(__builtin_offsetof(struct sched_remote_shutdown, reason) == 4, "sched_remote_shutdown.reason @4");

#endif /* !__ASSEMBLER__ */

#endif
