/* Boot, shutdown and fatal errors of a guest built on the library. */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <xen/xen.h>

#define __noreturn __attribute__((noreturn))

/* Start of the image and the boundary symbols from lib/guest.lds. */
#define VIRT_BASE 0xffffffff80000000UL
extern char _text[], _etext[], _edata[], __bss_start[], _end[];

/* The start_info page the hypervisor passed in RSI (saved by _start). */
extern start_info_t *start_info_ptr;

/*
 * The kernel command line (start_info.cmd_line, terminated even when full), and its
 * space-separated key=value arguments: the number after `key=` (def when absent), and the word
 * after `key=` copied into out (at most size-1 characters; empty when absent).
 */
const char *cmdline(void);
unsigned long cmdline_num(const char *key, unsigned long def);
void cmdline_word(const char *key, char *out, unsigned long size);

/* Each guest defines main. Returning 0 powers the domain off; anything else crashes it. */
int main(void);

/* Called by _start on the boot stack; sets up the library and runs main. */
void start_kernel(start_info_t *si) __noreturn;

/* SCHEDOP_shutdown with a SHUTDOWN_* reason. If the hypervisor refuses, the domain is crashed. */
void xen_shutdown(unsigned int reason) __noreturn;
void poweroff(void) __noreturn;    /* SHUTDOWN_poweroff */
void crash(void) __noreturn;       /* SHUTDOWN_crash */

/* Print "PANIC: <message>" and crash the domain. */
void panic(const char *fmt, ...) __noreturn __attribute__((format(printf, 1, 2)));

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)

#define BUG_ON(cond)                                                             \
	do {                                                                     \
		if (__builtin_expect(!!(cond), 0))                               \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);  \
	} while (0)

#define ASSERT(cond)                                                             \
	do {                                                                     \
		if (__builtin_expect(!(cond), 0))                                \
			panic("Assertion '%s' failed at %s:%d", #cond, __FILE__,  \
			      __LINE__);                                         \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
