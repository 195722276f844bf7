// The native half of the differential CPU tests: runs instruction bytes on this machine's
// x86-64 CPU in user mode from a given register state and memory, and reports the state
// the CPU stopped in (the final int3, or the fault the bytes raised).
//
// Memory windows sit at the same virtual addresses the emulator maps (test/cpu/layout.ts):
//   0x10000000  code, 1 page, read+execute (filled with int3 around the case's bytes)
//   0x20000000  data, 2 pages, read+write
//   0x20002000  read-only page
//   0x20003000  hole (never mapped: #PF not-present)
//   0x20004000  stack, 2 pages, read+write
// One memfd backs them all; a private read/write alias lets the runner refill the pages
// without changing protections.
//
// Protocol on stdin/stdout, little-endian:
//   batch:  u32 'BTCH', u32 count, then count cases; the results of a batch are flushed
//           together. u32 0 ends the run.
//   case:   struct case_in, code bytes, then npatch x (u32 offset, u32 len, bytes)
//   result: struct case_out, then ndiff x u32 (data offset << 8 | new byte)
// Data offsets count from 0x20000000. The pages start as word i = pool[(i + seed) % POOL] ^ seed
// with pool[k] = hash32(0x9e3779b9, k), as test/cpu/layout.ts computes, then the patches apply.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_VA 0x10000000UL
#define DATA_VA 0x20000000UL
#define DATA_SIZE 0x6000UL
#define RO_OFF 0x2000UL
#define HOLE_OFF 0x3000UL
#define STACK_OFF 0x4000UL
#define GS_BASE 0x20001000UL
#define PAGE 0x1000UL

struct case_in {
  uint32_t code_len, code_off, npatch, pad;
  uint64_t seed;
  uint64_t regs[16]; // rax rcx rdx rbx rsp rbp rsi rdi r8..r15
  uint64_t rflags;
  uint8_t xmm[256];
  uint32_t mxcsr, pad2;
};

struct case_out {
  uint64_t regs[16];
  uint64_t rip, rflags;
  uint8_t xmm[256];
  uint32_t mxcsr, signo, trapno, err;
  uint64_t cr2;
  uint16_t fcw, fsw;
  uint8_t ftw, pad[3];
  uint8_t st[8][10];
  uint32_t ndiff, pad2;
};

// The register block the trampoline loads; offsets are used by the assembly below.
struct regblock {
  uint8_t xmm[256];  // 0
  uint32_t mxcsr;    // 256
  uint32_t pad;
  uint64_t rflags;   // 264
  uint64_t gpr[15];  // 272: rax rcx rdx rbx rbp rsi rdi r8..r15
  uint64_t rsp;      // 392
  uint64_t rip;      // 400
};

struct regblock block;
uint64_t runner_rsp;
uint64_t jump_target;
static volatile int in_case;
static struct case_out out;
static uint8_t *alias; // read/write view: [0, PAGE) code, [PAGE, PAGE + DATA_SIZE) data
static uint8_t initial[DATA_SIZE];

void run_case(void);
void resume_runner(void);

// Saves the runner's callee-saved registers and stack, loads the case's registers and jumps
// to its code. The signal handler sends the CPU to resume_runner, which undoes the saving.
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  mov %rsp, runner_rsp(%rip)\n"
    "  lea block(%rip), %rax\n"
    "  movdqu 0x00(%rax), %xmm0\n movdqu 0x10(%rax), %xmm1\n movdqu 0x20(%rax), %xmm2\n"
    "  movdqu 0x30(%rax), %xmm3\n movdqu 0x40(%rax), %xmm4\n movdqu 0x50(%rax), %xmm5\n"
    "  movdqu 0x60(%rax), %xmm6\n movdqu 0x70(%rax), %xmm7\n movdqu 0x80(%rax), %xmm8\n"
    "  movdqu 0x90(%rax), %xmm9\n movdqu 0xa0(%rax), %xmm10\n movdqu 0xb0(%rax), %xmm11\n"
    "  movdqu 0xc0(%rax), %xmm12\n movdqu 0xd0(%rax), %xmm13\n movdqu 0xe0(%rax), %xmm14\n"
    "  movdqu 0xf0(%rax), %xmm15\n"
    "  fninit\n"
    "  ldmxcsr 256(%rax)\n"
    "  mov 400(%rax), %rcx\n"
    "  mov %rcx, jump_target(%rip)\n"
    "  lea 264(%rax), %rsp\n"
    "  popfq\n"
    "  pop %rax\n pop %rcx\n pop %rdx\n pop %rbx\n pop %rbp\n pop %rsi\n pop %rdi\n"
    "  pop %r8\n pop %r9\n pop %r10\n pop %r11\n pop %r12\n pop %r13\n pop %r14\n pop %r15\n"
    "  pop %rsp\n"
    "  jmp *jump_target(%rip)\n"
    ".globl resume_runner\n"
    "resume_runner:\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

static void die(const char *what) {
  fprintf(stderr, "cpu-runner: %s: %s\n", what, strerror(errno));
  exit(2);
}

static uint32_t hash32(uint32_t seed, uint32_t i) {
  uint32_t x = seed ^ (i * 0x9e3779b9u);
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

#define POOL_WORDS 0x4000
static uint32_t pool[POOL_WORDS];

static void handler(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  greg_t *g = uc->uc_mcontext.gregs;
  if (!in_case) {
    if (sig == SIGALRM) return;
    // A fault in the runner itself: die the ordinary way.
    signal(sig, SIG_DFL);
    return;
  }
  in_case = 0;
  static const int map[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                              REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
  for (int i = 0; i < 16; i++) out.regs[i] = (uint64_t)g[map[i]];
  out.rip = (uint64_t)g[REG_RIP];
  out.rflags = (uint64_t)g[REG_EFL];
  out.signo = (uint32_t)sig;
  out.trapno = (uint32_t)g[REG_TRAPNO];
  out.err = (uint32_t)g[REG_ERR];
  out.cr2 = (sig == SIGSEGV || sig == SIGBUS) ? (uint64_t)si->si_addr : 0;
  struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
  memcpy(out.xmm, fp->_xmm, 256);
  out.mxcsr = fp->mxcsr;
  out.fcw = fp->cwd;
  out.fsw = fp->swd;
  out.ftw = (uint8_t)fp->ftw;
  for (int i = 0; i < 8; i++) memcpy(out.st[i], &fp->_st[i], 10);
  // Return into the runner: its stack, a clean FPU/SSE control state, DF/TF/AC clear.
  g[REG_RIP] = (greg_t)(uintptr_t)resume_runner;
  g[REG_RSP] = (greg_t)runner_rsp;
  g[REG_EFL] &= ~(greg_t)(0x400 | 0x100 | 0x40000 | 0x4000);
  fp->mxcsr = 0x1f80;
  fp->cwd = 0x37f;
  fp->swd = 0;
  fp->ftw = 0;
}

static void setup(void) {
  for (uint32_t i = 0; i < POOL_WORDS; i++) pool[i] = hash32(0x9e3779b9u, i);
  int fd = (int)syscall(SYS_memfd_create, "cpu-runner", 0);
  if (fd < 0) die("memfd_create");
  if (ftruncate(fd, (off_t)(PAGE + DATA_SIZE)) != 0) die("ftruncate");
  alias = mmap(NULL, PAGE + DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (alias == MAP_FAILED) die("mmap alias");
  struct { uint64_t va, off, len; int prot; } maps[] = {
      {CODE_VA, 0, PAGE, PROT_READ | PROT_EXEC},
      {DATA_VA, PAGE, 2 * PAGE, PROT_READ | PROT_WRITE},
      {DATA_VA + RO_OFF, PAGE + RO_OFF, PAGE, PROT_READ},
      {DATA_VA + STACK_OFF, PAGE + STACK_OFF, 2 * PAGE, PROT_READ | PROT_WRITE},
  };
  for (unsigned i = 0; i < sizeof maps / sizeof maps[0]; i++) {
    void *p = mmap((void *)maps[i].va, maps[i].len, maps[i].prot, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
                   (off_t)maps[i].off);
    if (p != (void *)maps[i].va) die("mmap window");
  }
  if (syscall(SYS_arch_prctl, ARCH_SET_GS, GS_BASE) != 0) die("arch_prctl(ARCH_SET_GS)");
  static uint8_t altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) die("sigaltstack");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&sa.sa_mask);
  int sigs[] = {SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaction(sigs[i], &sa, NULL) != 0) die("sigaction");
}

static void readn(void *p, size_t n) {
  if (n && fread(p, 1, n, stdin) != n) {
    if (feof(stdin)) exit(0);
    die("read");
  }
}

static uint32_t diffs[DATA_SIZE];

static void one_case(void) {
  struct case_in c;
  readn(&c, sizeof c);
  if (c.code_len > PAGE || c.code_off > PAGE - c.code_len) {
    fprintf(stderr, "cpu-runner: bad code placement\n");
    exit(2);
  }
  memset(alias, 0xcc, PAGE);
  readn(alias + c.code_off, c.code_len);
  uint8_t *data = alias + PAGE;
  uint32_t *w = (uint32_t *)data;
  uint32_t sd = (uint32_t)c.seed;
  for (uint32_t i = 0; i < DATA_SIZE / 4; i++) w[i] = pool[(i + sd) & (POOL_WORDS - 1)] ^ sd;
  for (uint32_t i = 0; i < c.npatch; i++) {
    uint32_t hdr[2];
    readn(hdr, sizeof hdr);
    if (hdr[0] > DATA_SIZE || hdr[1] > DATA_SIZE - hdr[0]) {
      fprintf(stderr, "cpu-runner: bad patch\n");
      exit(2);
    }
    readn(data + hdr[0], hdr[1]);
  }
  memcpy(initial, data, DATA_SIZE);

  memcpy(block.xmm, c.xmm, 256);
  block.mxcsr = c.mxcsr;
  // Only the flags user mode may set: CF PF AF ZF SF DF OF (IF stays as it is).
  block.rflags = (c.rflags & 0x0cd5) | 0x202;
  static const int order[15] = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 15; i++) block.gpr[i] = c.regs[order[i]];
  block.rsp = c.regs[4];
  block.rip = CODE_VA + c.code_off;

  // The read-only page must be present in the page tables, or a write to it would report
  // a not-present #PF (P=0) where the emulator, whose pages are always present, says P=1.
  (void)*(volatile uint8_t *)(DATA_VA + RO_OFF);
  memset(&out, 0, sizeof out);
  in_case = 1;
  run_case();
  in_case = 0;

  uint32_t n = 0;
  for (uint32_t off = 0; off < DATA_SIZE; off += 8) {
    if (*(uint64_t *)(data + off) == *(uint64_t *)(initial + off)) continue;
    for (uint32_t b = off; b < off + 8; b++)
      if (data[b] != initial[b]) diffs[n++] = (b << 8) | data[b];
  }
  out.ndiff = n;
  fwrite(&out, sizeof out, 1, stdout);
  fwrite(diffs, 4, n, stdout);
}

int main(void) {
  setup();
  for (;;) {
    uint32_t hdr[2];
    readn(hdr, 4);
    if (hdr[0] == 0) break;
    if (hdr[0] != 0x48435442) { // "BTCH"
      fprintf(stderr, "cpu-runner: bad batch header %08x\n", hdr[0]);
      return 2;
    }
    readn(&hdr[1], 4);
    // A case that never reaches its int3 reports SIGALRM instead of hanging the run.
    for (uint32_t i = 0; i < hdr[1]; i++) {
      if ((i & 255) == 0) alarm(10);
      one_case();
    }
    alarm(0);
    fflush(stdout);
  }
  return 0;
}
