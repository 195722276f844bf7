// Runs x87 test sequences natively, the reference half of test/x87.test.ts (see gen.ts).
// stdin: one case per line, "<code hex> <data hex>". The code is copied to 0x20000000 and
// called with rdi = 0x10000000, the data window (two read-write pages, then an unmapped one).
// stdout: one line per case, "<signal> <fault rip offset> <data hex, 1024 bytes> <fxsave hex,
// 160 bytes>": the x87 state after the code returns (fxsave64), or at the signal that
// stopped it (from the signal frame).
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define CODE 0x20000000UL
#define DATA 0x10000000UL

static sigjmp_buf jb;
static volatile int gsig;
static volatile uint64_t grip;
static uint8_t fx[512] __attribute__((aligned(64)));

static void on_signal(int s, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  (void)si;
  gsig = s;
  grip = uc->uc_mcontext.gregs[REG_RIP];
  memcpy(fx, uc->uc_mcontext.fpregs, 512);
  siglongjmp(jb, 1);
}

static int hexval(int c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

static size_t unhex(const char *s, uint8_t *out) {
  size_t n = 0;
  while (s[0] && s[1] && s[0] != ' ' && s[0] != '\n') {
    out[n++] = (uint8_t)(hexval(s[0]) * 16 + hexval(s[1]));
    s += 2;
  }
  return n;
}

static void puthex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

int main(void) {
  uint8_t *code = mmap((void *)CODE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *data = mmap((void *)DATA, 0x3000, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code == MAP_FAILED || data == MAP_FAILED) return 1;
  mprotect(data + 0x2000, 0x1000, PROT_NONE);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGFPE, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  static char line[1 << 16];
  while (fgets(line, sizeof line, stdin)) {
    char *sp = strchr(line, ' ');
    memset(code, 0xcc, 4096);
    memset(data, 0, 0x2000);
    size_t n = unhex(line, code);
    code[n] = 0xc3;
    if (sp) unhex(sp + 1, data);
    gsig = 0;
    grip = 0;
    // Every case starts with all eight registers zero (fninit alone keeps their contents).
    __asm__ volatile("fninit\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfninit");
    if (sigsetjmp(jb, 1) == 0) {
      __asm__ volatile("mov %0, %%rdi\n\tcall *%1\n\tfxsave64 (%2)\n\tfninit"
                       :: "r"(DATA), "r"(CODE), "r"(fx)
                       : "rdi", "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc");
    } else {
      __asm__ volatile("fninit");
    }
    printf("%d %lx ", gsig, gsig ? (unsigned long)(grip - CODE) : 0UL);
    puthex(data, 1024);
    printf(" ");
    puthex(fx, 160);
    printf("\n");
    fflush(stdout);
  }
  return 0;
}
