// xenwasm's Node API: create a hypervisor, build PV domains from kernel ELF files, run them all
// together on the core's machine run loop (deterministic virtual time, several pCPUs), serve
// their consoles, read their state, counters and the trace.
import { readFileSync } from "node:fs";
import { loadCore, readCString, type Core } from "./core.ts";
import { parseKernel, resolveKernel, BadKernelError } from "./builder/elf.ts";
import { computeLayout } from "./builder/layout.ts";
import { buildDomain, type BuiltDomain } from "./builder/build.ts";
import { ConsoleBackend } from "./backends/console.ts";
import { XenstoreToolstack } from "./toolstack/xenstore.ts";
import * as A from "./gen/abi.ts";

export { BadKernelError } from "./builder/elf.ts";

export const SHUTDOWN_REASONS = ["poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"] as const;
export type ShutdownReason = (typeof SHUTDOWN_REASONS)[number];

/** Modelled costs in cycles (time/clock.ts COST_*), printed with benchmark results. */
export const COST_KINDS = ["hypercall", "pageWalk", "pteValidate", "bounce", "contextSwitch", "tlbFlush", "eventSend"] as const;
export type CostKind = (typeof COST_KINDS)[number];

export interface HypervisorOptions {
  /** Machine memory for all domains, MiB (default 256). */
  memoryMiB?: number;
  /** Seed for every choice the hypervisor makes (frame order, ...). Default 1. */
  seed?: number | bigint;
  /** Which build of the core to load (default release, or XENWASM_CORE=debug). */
  core?: "release" | "debug";
  /** Simulated physical CPUs (default 1). */
  pcpus?: number;
  /** Virtual CPU frequency in MHz (the TSC rate; default 2000). */
  cpuMHz?: number;
  /** Cycles per guest instruction (default 1). */
  cpi?: number;
  /** Scheduler time slice in ms (default 10). */
  sliceMs?: number;
  /**
   * With several pCPUs: how far (virtual µs) one may run ahead before the others catch up
   * (default 100). An event for a vCPU running on another pCPU reaches it at that pCPU's next
   * quantum boundary, so this bounds cross-pCPU event latency; smaller costs host time.
   */
  quantumUs?: number;
  /** Cost table overrides (cycles). */
  costs?: Partial<Record<CostKind, number>>;
  /** Wallclock at boot, seconds since the epoch (default 2000-01-01). Never the host clock. */
  bootEpoch?: number;
  /** Run XenStore (hv.xenstore): every new domain gets its keys and its store ring served. Default off. */
  xenstore?: boolean;
}

export interface DomainOptions {
  /** Path of the kernel ELF, or its bytes (then give `name`). */
  kernel: string | Uint8Array;
  name?: string;
  memoryMiB?: number;
  vcpus?: number;
  cmdline?: string;
  /** Boot module (initrd) bytes. */
  module?: Uint8Array;
}

export interface RunOptions {
  /** Stop after this much host wall-clock time (seconds). */
  maxSeconds?: number;
  /** Stop when the machine's virtual time reaches this many seconds. */
  maxVirtualSeconds?: number;
  /** Instructions per call into the core between host checks (default 2,000,000). */
  slice?: number;
  /** Pace virtual time to host time (interactive use); off by default. */
  realtime?: boolean;
}

export type RunResult =
  | { kind: "shutdown"; reason: ShutdownReason; code: number; message?: string }
  | { kind: "timeout" }
  | { kind: "stuck"; message: string };

export interface VcpuCounters {
  hypercalls: number;
  upcalls: number;
  timerFires: number;
  blocks: number;
  wakes: number;
  scheduled: number;
  sends: number;
  yields: number;
  instructions: number;
  /** ns spent running, runnable, blocked, offline. */
  runstate: { running: number; runnable: number; blocked: number; offline: number };
}

export interface TraceRecord {
  cycles: bigint;
  type: number;
  pcpu: number;
  domid: number;
  vcpu: number;
  a: bigint;
  b: bigint;
}

export const TRACE_TYPES: Record<number, string> = {
  1: "sched_in", 2: "sched_out", 3: "block", 4: "wake", 5: "send", 6: "deliver", 7: "hypercall",
  8: "fault", 9: "timer", 10: "idle", 11: "shutdown", 12: "poll", 13: "vcpu_up", 14: "vcpu_down",
  15: "destroy", 16: "released",
};

export class Domain {
  readonly id: number;
  readonly name: string;
  readonly built: BuiltDomain;
  /** Everything the domain wrote to its consoles (console_io and the PV console ring) so far. */
  console = "";
  /** The PV console ring's backend (undefined for a kernel without a console page). */
  readonly consoleBackend?: ConsoleBackend;
  private listeners: Array<(text: string) => void> = [];
  private hv: Hypervisor;
  constructor(hv: Hypervisor, id: number, name: string, built: BuiltDomain) {
    this.hv = hv;
    this.id = id;
    this.name = name;
    this.built = built;
    if (built.consoleMfn !== undefined && built.consoleEvtchn !== undefined && built.consoleEvtchn > 0) {
      this.consoleBackend = new ConsoleBackend(hv.core, id, built.consoleMfn, built.consoleEvtchn);
    }
  }
  /** Called with each chunk of console output as it arrives. */
  onConsole(fn: (text: string) => void): void {
    this.listeners.push(fn);
  }
  /** Set once the domain is destroyed (hv.destroyDomain). */
  destroyed = false;
  /** @internal Its id was given to a new domain (the slot tells nothing about this one any more). */
  idReused = false;
  /**
   * "dying": destroyed, but another domain (or a host backend) still maps some of its frames;
   * "destroyed": gone, its memory free.
   */
  get state(): "running" | "shutdown" | "dying" | "destroyed" {
    if (this.destroyed) {
      return !this.idReused && this.hv.core.exports.domainState(this.id) === A.DS_DYING ? "dying" : "destroyed";
    }
    return this.hv.core.exports.domainState(this.id) === A.DS_SHUTDOWN ? "shutdown" : "running";
  }
  /** Destroy the domain at once (as `xl destroy`): see Hypervisor.destroyDomain. */
  destroy(): void {
    this.hv.destroyDomain(this);
  }
  get shutdownReason(): ShutdownReason | undefined {
    if (this.state !== "shutdown") return undefined;
    return SHUTDOWN_REASONS[this.hv.core.exports.domainShutdownReason(this.id)] ?? "crash";
  }
  get vcpuCount(): number {
    if (this.finalCounters) return this.finalCounters.length;
    let n = 0;
    while (this.hv.core.exports.domainVcpu(this.id, n) >= 0) n++;
    return n;
  }
  /** @internal The counters as they were when the domain was destroyed. */
  finalCounters?: VcpuCounters[];
  /** Per-vCPU counters kept by the core (for a destroyed domain: as they were at the end). */
  counters(): VcpuCounters[] {
    if (this.finalCounters) return this.finalCounters.map((c) => ({ ...c, runstate: { ...c.runstate } }));
    const x = this.hv.core.exports;
    const out: VcpuCounters[] = [];
    for (let i = 0; i < this.vcpuCount; i++) {
      const v = x.domainVcpu(this.id, i);
      const c = x.vcpuCtlAddr(v) + A.VC_CNT;
      const dv = this.hv.core.dv();
      const n = (k: number) => Number(dv.getBigUint64(c + k * 8, true));
      const rs = x.vcpuRunstate(v);
      const t = (k: number) => Number(this.hv.core.dv().getBigUint64(rs + 16 + k * 8, true));
      out.push({
        hypercalls: n(A.VCNT_HYPERCALLS), upcalls: n(A.VCNT_UPCALLS), timerFires: n(A.VCNT_TIMER),
        blocks: n(A.VCNT_BLOCKS), wakes: n(A.VCNT_WAKES), scheduled: n(A.VCNT_SCHED_IN), sends: n(A.VCNT_SENDS),
        yields: n(A.VCNT_YIELDS), instructions: n(A.VCNT_INSNS),
        runstate: { running: t(0), runnable: t(1), blocked: t(2), offline: t(3) },
      });
    }
    return out;
  }
  /** The domain's counters: its vCPUs' counters added up (runstate times included). */
  totals(): VcpuCounters {
    const t: VcpuCounters = {
      hypercalls: 0, upcalls: 0, timerFires: 0, blocks: 0, wakes: 0, scheduled: 0, sends: 0, yields: 0, instructions: 0,
      runstate: { running: 0, runnable: 0, blocked: 0, offline: 0 },
    };
    for (const c of this.counters()) {
      for (const k of ["hypercalls", "upcalls", "timerFires", "blocks", "wakes", "scheduled", "sends", "yields", "instructions"] as const) t[k] += c[k];
      for (const k of ["running", "runnable", "blocked", "offline"] as const) t.runstate[k] += c.runstate[k];
    }
    return t;
  }
  /** Raise a VIRQ in the domain (VIRQ_DEBUG 1, VIRQ_CONSOLE 2, VIRQ_DOM_EXC 3, ...). */
  raiseVirq(virq: number, vcpu = 0): void {
    if (this.destroyed) throw new Error(`${this.name} (domain ${this.id}): destroyed, no VIRQ can reach it`);
    if (!Number.isInteger(virq) || virq < 0 || virq >= 24) throw new RangeError(`VIRQ ${virq}: give 0..23`);
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.vcpuCount) throw new RangeError(`vCPU ${vcpu}: the domain has ${this.vcpuCount}`);
    this.hv.core.exports.raiseVirq(this.id, vcpu, virq);
  }
  /** @internal Append console text and tell listeners. */
  emit(text: string): void {
    if (!text) return;
    this.console += text;
    for (const fn of this.listeners) fn(text);
  }
  /** @internal Move console_io output from the core to listeners. */
  drainConsole(): void {
    const core = this.hv.core;
    const addr = core.exports.consoleAddr(this.id);
    const dv = core.dv();
    const len = dv.getUint32(addr, true);
    if (len === 0) return;
    const text = Buffer.from(core.u8().subarray(addr + 4, addr + 4 + len)).toString("latin1");
    dv.setUint32(addr, 0, true);
    this.emit(text);
  }
}

export class Hypervisor {
  readonly core: Core;
  readonly domains: Domain[] = [];
  private nextDomid = 1;
  private destroyedById = new Map<number, Domain>();
  private hostPorts = new Map<number, () => void>();
  private traceRead = 0;
  private traceListeners: Array<(r: TraceRecord) => void> = [];
  /** Trace records the ring overwrote before the host read them. */
  traceLost = 0;
  /** The XenStore daemon and the toolstack's keys (with the `xenstore` option). */
  readonly xenstore?: XenstoreToolstack;

  constructor(opts: HypervisorOptions = {}) {
    const mib = opts.memoryMiB ?? 256;
    if (!Number.isInteger(mib) || mib < 4 || mib > 3072) {
      throw new RangeError(`hypervisor memory ${mib} MiB: give a whole number of MiB between 4 and 3072`);
    }
    const pcpus = opts.pcpus ?? 1;
    if (!Number.isInteger(pcpus) || pcpus < 1 || pcpus > 64) {
      throw new RangeError(`${pcpus} physical CPUs: give a whole number between 1 and 64`);
    }
    const mhz = opts.cpuMHz ?? 2000;
    if (!Number.isFinite(mhz) || mhz < 1 || mhz > 100000) throw new RangeError(`CPU frequency ${mhz} MHz: give 1 to 100000`);
    const cpi = opts.cpi ?? 1;
    if (!Number.isInteger(cpi) || cpi < 1 || cpi > 1000) throw new RangeError(`cycles per instruction ${cpi}: give a whole number 1 to 1000`);
    this.core = loadCore(opts.core);
    const x = this.core.exports;
    const frames = mib * 256;
    if (!x.init(frames, BigInt(opts.seed ?? 1))) {
      throw new Error(`could not reserve ${mib} MiB of machine memory for the core`);
    }
    x.setPcpus(pcpus);
    x.setClock(cpi, Math.round(mhz * 1000));
    x.setSchedSlice((opts.sliceMs ?? 10) * 1e6);
    const q = opts.quantumUs ?? 100;
    if (!Number.isFinite(q) || q > 1e6 || q * mhz < 1000) {
      throw new RangeError(`quantum ${q} µs: give 1000 cycles (${1000 / mhz} µs at ${mhz} MHz) to 1 s`);
    }
    x.setQuantum(q * 1000);
    for (const [k, v] of Object.entries(opts.costs ?? {})) {
      const i = COST_KINDS.indexOf(k as CostKind);
      if (i < 0 || !Number.isInteger(v) || v < 0) throw new RangeError(`cost ${k}=${v}: unknown kind or not a whole number of cycles`);
      x.setCost(i, v);
    }
    if (opts.bootEpoch !== undefined) x.setBootEpoch(opts.bootEpoch);
    if (opts.xenstore) this.xenstore = new XenstoreToolstack(this);
  }

  /** Build a domain from a Xen PV kernel. Throws BadKernelError for a kernel Xen would refuse. */
  createDomain(opts: DomainOptions): Domain {
    const file = typeof opts.kernel === "string" ? opts.kernel : (opts.name ?? "kernel");
    let bytes: Uint8Array;
    if (typeof opts.kernel === "string") {
      try {
        bytes = readFileSync(opts.kernel);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read (${code ?? String(e)})`;
        throw new BadKernelError(file, `${why}; give the path of a Xen PV kernel ELF`);
      }
    } else bytes = opts.kernel;
    const memoryMiB = opts.memoryMiB ?? 32;
    if (!Number.isInteger(memoryMiB) || memoryMiB < 1) {
      throw new BadKernelError(file, `memory ${memoryMiB} MiB: give a whole number of MiB, at least 1`);
    }
    const vcpus = opts.vcpus ?? 1;
    if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > A.XEN_LEGACY_MAX_VCPUS) {
      throw new BadKernelError(file, `${vcpus} vCPUs: give between 1 and ${A.XEN_LEGACY_MAX_VCPUS}`);
    }
    const image = parseKernel(bytes, file);
    const kernel = resolveKernel(image);
    const memoryPages = memoryMiB * 256;
    const layout = computeLayout(kernel, { memoryPages, moduleBytes: opts.module?.length, domU: true });
    const domid = this.allocDomid(file);
    const built = buildDomain(this.core, kernel, layout, {
      domid, memoryPages, vcpus, cmdline: opts.cmdline ?? "", module: opts.module,
    });
    const d = new Domain(this, domid, opts.name ?? file.replace(/^.*\//, "").replace(/\.elf$/, ""), built);
    this.domains.push(d);
    const be = d.consoleBackend;
    if (be) this.hostPorts.set(be.port, () => d.emit(be.service()));
    this.xenstore?.domainCreated(d);
    return d;
  }

  // Like Xen's domid rover: the next free id after the last one given, wrapping past the core's
  // last slot; a destroyed domain's id comes back once its slot is free.
  private allocDomid(file: string): number {
    const x = this.core.exports;
    for (let i = 0; i < A.MAX_DOMAINS - 1; i++) {
      const id = ((this.nextDomid - 1 + i) % (A.MAX_DOMAINS - 1)) + 1;
      if (x.domainState(id) === A.DS_FREE) {
        this.nextDomid = id + 1;
        const old = this.destroyedById.get(id);
        if (old) old.idReused = true;
        this.destroyedById.delete(id);
        return id;
      }
    }
    throw new Error(`${file}: no free domain id (${A.MAX_DOMAINS - 1} domains exist); destroy one first`);
  }

  /**
   * Attach a host backend (dom0) to a domain's unbound port (e.g. `built.storeEvtchn` for
   * xenstore): binds a host port to it; `onNotify` runs whenever the guest sends on it. Returns
   * the host port, for `notify`.
   */
  bindBackend(domain: Domain, guestPort: number, onNotify: () => void): number {
    const p = this.core.exports.hostBindInterdomain(domain.id, guestPort);
    if (p < 0) throw new Error(`${domain.name}: cannot bind port ${guestPort} (error ${p})`);
    this.hostPorts.set(p, onNotify);
    return p;
  }

  /** Detach a backend attached with bindBackend: its host port is closed. */
  unbindBackend(hostPort: number): void {
    if (!this.hostPorts.delete(hostPort)) return;
    this.core.exports.hostClose(hostPort);
  }

  /**
   * Destroy a domain at once, as `xl destroy` does: its vCPUs stop, its event channels close
   * (a peer's port becomes unbound), the grants it mapped are given back, and its memory
   * returns to the free pool. Frames another domain or a host backend still maps stay until
   * they are unmapped; meanwhile `domain.state` is "dying". The host's own backends (console,
   * XenStore) let go of it here. Throws for a domain that is already destroyed.
   */
  destroyDomain(d: Domain): void {
    if (d.destroyed) throw new Error(`${d.name} (domain ${d.id}): already destroyed`);
    if (!this.domains.includes(d)) throw new Error(`${d.name} (domain ${d.id}): not a domain of this hypervisor`);
    d.drainConsole();
    d.finalCounters = d.counters();
    const be = d.consoleBackend;
    if (be) {
      this.hostPorts.delete(be.port);
      be.close();
    }
    this.xenstore?.domainDestroyed(d);
    const rc = this.core.exports.domainDestroy(d.id);
    if (rc !== 0) throw new Error(`${d.name} (domain ${d.id}): the core refused to destroy it (error ${rc})`);
    d.destroyed = true;
    this.destroyedById.set(d.id, d);
    this.domains.splice(this.domains.indexOf(d), 1);
    this.drainTrace(); // the destroy (and release) records reach trace listeners now
  }

  /** Send an event from a host port to the guest it is bound to. */
  notify(hostPort: number): void {
    const rc = this.core.exports.hostSend(hostPort);
    if (rc < 0) throw new Error(`host port ${hostPort}: send failed (error ${rc})`);
  }

  /** The machine's virtual time (ns): the clock of the physical CPU furthest behind. */
  get nowNs(): number {
    return this.core.exports.machineNs();
  }

  /** The cost table in use and how many events of each kind were charged so far (for re-weighting). */
  costs(): Record<CostKind, { cycles: number; count: number }> {
    const x = this.core.exports;
    const out = {} as Record<CostKind, { cycles: number; count: number }>;
    COST_KINDS.forEach((k, i) => (out[k] = { cycles: x.cost(i), count: x.costEvents(i) }));
    return out;
  }

  /** Hash of every trace record written so far (equal for equal runs). */
  traceHash(): bigint {
    return BigInt.asUintN(64, this.core.exports.traceHash());
  }

  /** Called with every trace record, in order, as the host reads the ring. */
  onTrace(fn: (r: TraceRecord) => void): void {
    this.traceListeners.push(fn);
  }

  private drainTrace(): void {
    const x = this.core.exports;
    const written = x.traceWritten();
    if (this.traceListeners.length === 0) {
      this.traceRead = written;
      return;
    }
    const cap = x.traceCapacity();
    const size = x.traceRecordSize();
    const ring = x.traceRing();
    if (written - this.traceRead > cap) {
      this.traceLost += written - this.traceRead - cap;
      this.traceRead = written - cap;
    }
    const dv = this.core.dv();
    for (; this.traceRead < written; this.traceRead++) {
      const a = ring + (this.traceRead % cap) * size;
      const w = dv.getBigUint64(a + 8, true);
      const r: TraceRecord = {
        cycles: dv.getBigUint64(a, true), type: Number(w & 0xffn), pcpu: Number((w >> 8n) & 0xffn),
        domid: Number((w >> 16n) & 0xffffn), vcpu: Number((w >> 32n) & 0xffffn),
        a: dv.getBigUint64(a + 16, true), b: dv.getBigUint64(a + 24, true),
      };
      for (const fn of this.traceListeners) fn(r);
    }
  }

  /** Serve what the core handed to the host: console output, notifications on host ports. */
  private service(): boolean {
    const x = this.core.exports;
    let work = false;
    for (const d of [...this.domains]) d.drainConsole(); // a listener may destroy a domain
    for (let p = x.hostNextPending(); p >= 0; p = x.hostNextPending()) {
      work = true;
      this.hostPorts.get(p)?.();
    }
    this.drainTrace();
    return work;
  }

  /** Run every domain together until each has shut down (or a limit is reached). */
  run(opts: RunOptions = {}): Map<Domain, RunResult> {
    const results = new Map<Domain, RunResult>();
    const x = this.core.exports;
    const wallStart = Date.now();
    const deadline = opts.maxSeconds !== undefined ? wallStart + opts.maxSeconds * 1000 : Infinity;
    const untilNs = opts.maxVirtualSeconds !== undefined ? x.machineNs() + opts.maxVirtualSeconds * 1e9 : 1e19;
    const chunk = opts.slice ?? 2_000_000;
    const virtStart = x.machineNs();
    // Domains destroyed meanwhile (by a listener) leave this.domains and get no result.
    const unfinished = () => this.domains.filter((d) => !results.has(d));
    const settle = (r: (d: Domain) => RunResult) => {
      for (const d of unfinished()) results.set(d, r(d));
    };
    let idleRounds = 0;
    this.service(); // what host calls since the last run produced (trace records, notifications)
    while (unfinished().length) {
      // Real-time pacing: never let virtual time run more than 10 ms ahead of host time.
      const paceNs = opts.realtime ? virtStart + ((Date.now() - wallStart) + 10) * 1e6 : Infinity;
      const stepUntil = Math.min(untilNs, paceNs);
      const exit = x.runMachine(stepUntil, chunk);
      const work = this.service();
      for (const d of unfinished()) {
        if (x.domainState(d.id) !== A.DS_SHUTDOWN) continue;
        const reason = d.shutdownReason ?? "crash";
        const message = reason === "crash" && x.messageLength() > 0 ? readCString(this.core, x.messageAddr(), 1024) : undefined;
        results.set(d, { kind: "shutdown", reason, code: x.domainShutdownCode(d.id), message });
        this.xenstore?.domainShutdown(d);
      }
      if (exit === A.EXIT_IDLE && !work) {
        if (++idleRounds >= 2) settle((d) => ({ kind: "stuck", message: `${d.name}: blocked with no event source to wake it` }));
      } else idleRounds = 0;
      if (exit === A.EXIT_TIME && stepUntil >= untilNs) settle(() => ({ kind: "timeout" }));
      if (Date.now() > deadline) settle(() => ({ kind: "timeout" }));
      if (opts.realtime && unfinished().length) {
        const ahead = (x.machineNs() - virtStart) / 1e6 - (Date.now() - wallStart);
        if (ahead > 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ahead, 100));
      }
    }
    return results;
  }
}
