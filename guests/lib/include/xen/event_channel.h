/* event_channel_op (hypercall 32). */
#ifndef XEN_PUBLIC_EVENT_CHANNEL_H
#define XEN_PUBLIC_EVENT_CHANNEL_H

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_bind_pirq        2
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset           10
#define EVTCHNOP_init_control    11
#define EVTCHNOP_expand_array    12
#define EVTCHNOP_set_priority    13

#define BIND_PIRQ__WILL_SHARE 1

/* evtchn_status.status */
#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

/* 2-level ABI: 64 words of 64 bits */
#define EVTCHN_2L_NR_CHANNELS 4096

/* FIFO ABI */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       16
#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1 << EVTCHN_FIFO_LINK_BITS) - 1)

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <xen/xen.h>

typedef uint32_t evtchn_port_t;

struct evtchn_bind_interdomain {
	domid_t remote_dom;
	evtchn_port_t remote_port;
	evtchn_port_t local_port;   /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

struct evtchn_bind_virq {
	uint32_t virq;              /* VIRQ_* */
	uint32_t vcpu;
	evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

struct evtchn_bind_pirq {
	uint32_t pirq;
	uint32_t flags;             /* BIND_PIRQ__* */
	evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

struct evtchn_close {
	evtchn_port_t port;
};
typedef struct evtchn_close evtchn_close_t;

struct evtchn_send {
	evtchn_port_t port;
};
typedef struct evtchn_send evtchn_send_t;

struct evtchn_status {
	domid_t dom;
	evtchn_port_t port;
	uint32_t status;            /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu;              /* OUT */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};
typedef struct evtchn_status evtchn_status_t;

struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;
	evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

struct evtchn_bind_ipi {
	uint32_t vcpu;
	evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

struct evtchn_unmask {
	evtchn_port_t port;
};
typedef struct evtchn_unmask evtchn_unmask_t;

struct evtchn_reset {
	domid_t dom;
};
typedef struct evtchn_reset evtchn_reset_t;

struct evtchn_init_control {
	uint64_t control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits;          /* OUT */
	uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

struct evtchn_expand_array {
	uint64_t array_gfn;
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* Argument of the legacy event_channel_op_compat (hypercall 16). */
struct evtchn_op {
	uint32_t cmd;
	union {
		struct evtchn_alloc_unbound alloc_unbound;
		struct evtchn_bind_interdomain bind_interdomain;
		struct evtchn_bind_virq bind_virq;
		struct evtchn_bind_pirq bind_pirq;
		struct evtchn_bind_ipi bind_ipi;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_bind_vcpu bind_vcpu;
		struct evtchn_unmask unmask;
	} u;
};
typedef struct evtchn_op evtchn_op_t;

/* FIFO per-vCPU control block */
struct evtchn_fifo_control_block {
	uint32_t ready;
	uint32_t _rsvd;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain is 12 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_bind_interdomain, remote_port) == 4, "bind_interdomain.remote_port @4");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq is 12 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_bind_virq, port) == 8, "bind_virq.port @8");
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "evtchn_bind_pirq is 12 bytes");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status is 24 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_status, port) == 4, "evtchn_status.port @4");
_Static_assert(__builtin_offsetof(struct evtchn_status, status) == 8, "evtchn_status.status @8");
_Static_assert(__builtin_offsetof(struct evtchn_status, vcpu) == 12, "evtchn_status.vcpu @12");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "evtchn_status.u @16");
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound is 8 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_alloc_unbound, remote_dom) == 2, "alloc_unbound.remote_dom @2");
_Static_assert(__builtin_offsetof(struct evtchn_alloc_unbound, port) == 4, "alloc_unbound.port @4");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi is 8 bytes");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu is 8 bytes");
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset is 2 bytes");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control is 24 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_init_control, link_bits) == 16, "init_control.link_bits @16");
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "evtchn_expand_array is 8 bytes");
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority is 8 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_op, u) == 4, "evtchn_op.u @4");
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "evtchn_fifo_control_block is 72 bytes");

#endif /* !__ASSEMBLER__ */

#endif
