// Fixed layout of the core's linear memory. Everything the core keeps lives here, at the
// offsets below, so the host can read it and a JIT can share it. AssemblyScript's own static
// data starts at memoryBase (12 MiB, asconfig.json); the machine-frame area starts at
// DYNAMIC_BASE and is sized by init().

// ---- current vCPU: the register file the CPU works on (copied in/out on vCPU switch) ----
export const CPU: u32 = 0x1000;
export const CPU_SIZE: u32 = 0x800;

export const REGS: u32 = CPU + 0x000; // 16 x u64: rax rcx rdx rbx rsp rbp rsi rdi r8..r15
export const RIP: u32 = CPU + 0x080;
export const RFLAGS: u32 = CPU + 0x088; // arithmetic bits valid only while FL_OP == 0
export const FL_OP: u32 = CPU + 0x090; // lazy flags: operation kind (cpu/flags.ts)
export const FL_RES: u32 = CPU + 0x098;
export const FL_A: u32 = CPU + 0x0a0;
export const FL_B: u32 = CPU + 0x0a8;
export const FL_C: u32 = CPU + 0x0b0;
export const SEL: u32 = CPU + 0x0c0; // 6 x u16 selectors: es cs ss ds fs gs
export const FS_BASE: u32 = CPU + 0x0d0;
export const GS_BASE: u32 = CPU + 0x0d8;
export const GS_SHADOW: u32 = CPU + 0x0e0; // the other GS base (swapped on kernel/user switch)
export const CR0: u32 = CPU + 0x0e8;
export const CR2: u32 = CPU + 0x0f0;
export const CR3: u32 = CPU + 0x0f8; // machine address of the active L4
export const CR4: u32 = CPU + 0x100;
export const EFER: u32 = CPU + 0x110;
export const MXCSR: u32 = CPU + 0x11c;
export const INSNS: u32 = CPU + 0x120; // u64 retired instruction count of this vCPU
export const XMM: u32 = CPU + 0x200; // 16 x 16 bytes
export const FPU: u32 = CPU + 0x300; // x87 state (cpu/x87.ts), 512 bytes
export const DEC: u32 = CPU + 0x600; // the decoded instruction being executed (cpu/decode.ts)
export const SCRATCH: u32 = CPU + 0x700; // bounce buffer for accesses that cross a page
export const FETCHBUF: u32 = CPU + 0x780; // instruction bytes that cross a page

// ---- software TLB (cpu/tlb.ts) ----
export const TLB_BITS: u32 = 12;
export const TLB_ENTRIES: u32 = 1 << TLB_BITS;
export const TLB_TAG_R: u32 = 0x10000; // u64[TLB_ENTRIES]
export const TLB_TAG_W: u32 = 0x18000; // u64[TLB_ENTRIES]
export const TLB_TAG_X: u32 = 0x20000; // u64[TLB_ENTRIES]
export const TLB_HOST: u32 = 0x28000; // u32[TLB_ENTRIES]: host address of the page (R/W)
export const TLB_HOST_X: u32 = 0x2c000; // u32[TLB_ENTRIES]: host address of the page (fetch)
export const TLB_END: u32 = 0x30000;

// ---- vCPUs (domain/vcpu.ts) ----
export const MAX_VCPUS: u32 = 128;
export const VCPU_TABLE: u32 = 0x40000;
export const VCPU_STRIDE: u32 = 0x1000; // saved CPU (CPU_SIZE) + control block at +CPU_SIZE
export const TRAP_TABLE: u32 = VCPU_TABLE + MAX_VCPUS * VCPU_STRIDE; // 256 x 16 bytes per vCPU
export const TRAP_STRIDE: u32 = 0x1000;

// ---- domains (domain/domain.ts) ----
export const MAX_DOMAINS: u32 = 256;
export const DOMAIN_TABLE: u32 = TRAP_TABLE + MAX_VCPUS * TRAP_STRIDE;
export const DOMAIN_STRIDE: u32 = 0x400;

// ---- per-domain console_io output, drained by the host ----
export const CONSOLE_BUF: u32 = DOMAIN_TABLE + MAX_DOMAINS * DOMAIN_STRIDE;
export const CONSOLE_BUF_SIZE: u32 = 0x1000;

// ---- what the core tells the host after run() (host/core.ts reads it) ----
export const EXIT_INFO: u32 = CONSOLE_BUF + MAX_DOMAINS * CONSOLE_BUF_SIZE;
export const MESSAGE_BUF: u32 = EXIT_INFO + 0x100; // diagnostic text for the host (crash reasons)
export const MESSAGE_BUF_SIZE: u32 = 0x400;

// ---- scratch space for hypercall handlers (one hypercall runs at a time) ----
export const HV_SCRATCH: u32 = MESSAGE_BUF + MESSAGE_BUF_SIZE;
export const HV_SCRATCH_SIZE: u32 = 0x2000;

export const STATIC_END: u32 = HV_SCRATCH + HV_SCRATCH_SIZE;

// ---- decoded-block cache (cpu/dcache.ts), keyed by the host address of the first byte ----
export const BLOCK_BITS: u32 = 12;
export const BLOCK_ENTRIES: u32 = 1 << BLOCK_BITS;
export const BLOCK_STRIDE: u32 = 1024; // header (BLOCK_HDR) + up to BLOCK_MAX_INSNS records
// Header: u32 tag (host address, 0 = empty), u32 instruction count, then two links to the
// blocks that followed last time: one for falling through the block's end, one for a taken
// branch. A link is u64 the next block's VA, u32 its block address, u32 its tag, u32 mapEpoch.
export const BLOCK_HDR: u32 = 56;
export const BLOCK_LINK_FALL: u32 = 8;
export const BLOCK_LINK_TAKEN: u32 = 32;
export const LINK_VA: u32 = 0;
export const LINK_BLK: u32 = 8;
export const LINK_TAG: u32 = 12;
export const LINK_EPOCH: u32 = 16;
export const REC_SIZE: u32 = 48; // one decoded record (cpu/decode.ts)
export const BLOCK_MAX_INSNS: u32 = 20; // BLOCK_HDR + 20 * REC_SIZE fits BLOCK_STRIDE
export const BLOCKS: u32 = 0x400000;
export const BLOCKS_END: u32 = BLOCKS + BLOCK_ENTRIES * BLOCK_STRIDE;

// ---- machine frames: frame table, M2P, then the frame pool (mm/frames.ts) ----
// AssemblyScript's static data lies between DCACHE_END and here (memoryBase, asconfig.json).
export const DYNAMIC_BASE: u32 = 0x1000000;

// ---- events, time and scheduling (evtchn/, time/, sched/, trace/) ----
// Between the decoded-block cache (ends at 0x800000) and AssemblyScript's static data (12 MiB).
export const EVTCHN_PORTS: u32 = 1024; // ports per domain table (libxl's default max_evtchn_port 1023)
export const EVTCHN_REC: u32 = 8; // bytes per port record (evtchn/ports.ts)
export const EVTCHN_TABLE: u32 = 0x800000; // MAX_DOMAINS tables; domain 0 is the host (dom0)
export const EVTCHN_END: u32 = EVTCHN_TABLE + MAX_DOMAINS * EVTCHN_PORTS * EVTCHN_REC;
export const HOST_PENDING: u32 = EVTCHN_END; // pending bits of the host's ports (u64 words)
export const MAX_PCPUS: u32 = 64;
export const PCPU_TABLE: u32 = HOST_PENDING + EVTCHN_PORTS / 8; // sched/pcpu.ts
export const PCPU_STRIDE: u32 = 0x40;
export const TIMER_HEAPS: u32 = PCPU_TABLE + MAX_PCPUS * PCPU_STRIDE; // time/timers.ts: u32 vCPU ids
export const TIMER_HEAP_STRIDE: u32 = MAX_VCPUS * 4;
export const COSTS: u32 = TIMER_HEAPS + MAX_PCPUS * TIMER_HEAP_STRIDE; // time/clock.ts: cost table
export const TRACE_RING: u32 = 0xa10000; // trace/trace.ts (after COSTS, which ends below 0xa0a000)
export const TRACE_REC: u32 = 32;
export const TRACE_RECORDS: u32 = 32768;
export const TRACE_END: u32 = TRACE_RING + TRACE_RECORDS * TRACE_REC;

// ---- grant tables (grant/table.ts): one record per domain; record 0 is the host's (dom0) ----
export const GNT_TABLE: u32 = 0xb20000; // after TRACE_END (0xb10000)
export const GNT_STRIDE: u32 = 0x400;
export const GNT_END: u32 = GNT_TABLE + MAX_DOMAINS * GNT_STRIDE; // 0xb60000, below 12 MiB
