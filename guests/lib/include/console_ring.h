/* The PV console ring (public/io/console.h) driven by its event channel (lib/console_ring.c). */
#ifndef GUEST_CONSOLE_RING_H
#define GUEST_CONSOLE_RING_H

#include <stddef.h>

/* Find the ring (start_info console mfn, through the M2P) and bind its port handler. */
void console_ring_init(void);
/* Copy len bytes into the ring, notifying the backend; sleeps (SCHEDOP_block) while it is full. */
void console_ring_write(const char *buf, size_t len);
/* Sleep until the backend consumed everything. */
void console_ring_flush(void);
/* Times the writer had to wait for room. */
extern unsigned long console_ring_waits;

#endif
