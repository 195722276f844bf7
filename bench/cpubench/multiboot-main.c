/*
 * cpubench as an i386 multiboot kernel for v86: reads "iterations=N" from the multiboot
 * command line, runs the workload and writes the checksum line to COM1. multiboot.S halts
 * the CPU when this returns.
 */
#include <stdint.h>

#include "cpubench.h"

#define MB_LOADER_MAGIC 0x2BADB002u
#define MB_INFO_CMDLINE (1u << 2)
#define COM1            0x3F8
#define UART_LSR        5
#define UART_LSR_THRE   0x20

/* The first fields of the multiboot information structure. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

static void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

static void serial_hex32(uint32_t v)
{
	for (int shift = 28; shift >= 0; shift -= 4)
		serial_putc("0123456789abcdef"[(v >> shift) & 0xF]);
}

void mb_main(uint32_t magic, const struct mb_info *mbi);

void mb_main(uint32_t magic, const struct mb_info *mbi)
{
	const char *cmdline = 0;

	if (magic != MB_LOADER_MAGIC) {
		serial_puts("cpubench: not started by a multiboot loader\n");
		return;
	}
	if (mbi->flags & MB_INFO_CMDLINE)
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	uint32_t sum = cpubench_run(cpubench_iterations_arg(cmdline, CPUBENCH_DEFAULT_ITERATIONS));
	serial_puts("cpubench: checksum ");
	serial_hex32(sum);
	serial_puts("\n");
}
