// xenwasm's Node API: create a hypervisor, build PV domains from kernel ELF files, run them.
import { readFileSync } from "node:fs";
import { loadCore, readCString, type Core } from "./core.ts";
import { parseKernel, resolveKernel, BadKernelError } from "./builder/elf.ts";
import { computeLayout } from "./builder/layout.ts";
import { buildDomain, type BuiltDomain } from "./builder/build.ts";
import * as A from "./gen/abi.ts";

export { BadKernelError } from "./builder/elf.ts";

export const SHUTDOWN_REASONS = ["poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"] as const;
export type ShutdownReason = (typeof SHUTDOWN_REASONS)[number];

export interface HypervisorOptions {
  /** Machine memory for all domains, MiB (default 256). */
  memoryMiB?: number;
  /** Seed for every choice the hypervisor makes (frame order, ...). Default 1. */
  seed?: number | bigint;
  /** Which build of the core to load (default release, or XENWASM_CORE=debug). */
  core?: "release" | "debug";
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
  /** Instructions per run slice (default 1,000,000). */
  slice?: number;
}

export type RunResult =
  | { kind: "shutdown"; reason: ShutdownReason; code: number; message?: string }
  | { kind: "timeout" }
  | { kind: "stuck"; message: string };

export class Domain {
  readonly id: number;
  readonly name: string;
  readonly built: BuiltDomain;
  /** Everything the domain wrote to its console so far. */
  console = "";
  private listeners: Array<(text: string) => void> = [];
  private hv: Hypervisor;
  constructor(hv: Hypervisor, id: number, name: string, built: BuiltDomain) {
    this.hv = hv;
    this.id = id;
    this.name = name;
    this.built = built;
  }
  /** Called with each chunk of console output as it arrives. */
  onConsole(fn: (text: string) => void): void {
    this.listeners.push(fn);
  }
  get state(): "running" | "shutdown" {
    return this.hv.core.exports.domainState(this.id) === A.DS_SHUTDOWN ? "shutdown" : "running";
  }
  get shutdownReason(): ShutdownReason | undefined {
    if (this.state !== "shutdown") return undefined;
    return SHUTDOWN_REASONS[this.hv.core.exports.domainShutdownReason(this.id)] ?? "crash";
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
    this.console += text;
    for (const fn of this.listeners) fn(text);
  }
}

export class Hypervisor {
  readonly core: Core;
  readonly domains: Domain[] = [];
  private nextDomid = 1;

  constructor(opts: HypervisorOptions = {}) {
    const mib = opts.memoryMiB ?? 256;
    if (!Number.isInteger(mib) || mib < 4 || mib > 3072) {
      throw new RangeError(`hypervisor memory ${mib} MiB: give a whole number of MiB between 4 and 3072`);
    }
    this.core = loadCore(opts.core);
    const frames = mib * 256;
    if (!this.core.exports.init(frames, BigInt(opts.seed ?? 1))) {
      throw new Error(`could not reserve ${mib} MiB of machine memory for the core`);
    }
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
    const domid = this.nextDomid++;
    const built = buildDomain(this.core, kernel, layout, {
      domid, memoryPages, vcpus, cmdline: opts.cmdline ?? "", module: opts.module,
    });
    const d = new Domain(this, domid, opts.name ?? file.replace(/^.*\//, "").replace(/\.elf$/, ""), built);
    this.domains.push(d);
    return d;
  }

  /** Run until every domain has shut down (or the time limit passes). */
  run(opts: RunOptions = {}): Map<Domain, RunResult> {
    const results = new Map<Domain, RunResult>();
    const deadline = opts.maxSeconds !== undefined ? Date.now() + opts.maxSeconds * 1000 : Infinity;
    const slice = opts.slice ?? 1_000_000;
    const x = this.core.exports;
    while (results.size < this.domains.length) {
      for (const d of this.domains) {
        if (results.has(d)) continue;
        const v = x.domainVcpu(d.id, 0);
        const exit = x.run(v, slice);
        d.drainConsole();
        if (exit === A.EXIT_SHUTDOWN || x.domainState(d.id) === A.DS_SHUTDOWN) {
          const reason = d.shutdownReason ?? "crash";
          const message = x.messageLength() > 0 ? readCString(this.core, x.messageAddr(), 1024) : undefined;
          results.set(d, { kind: "shutdown", reason, code: x.domainShutdownCode(d.id), message: reason === "crash" ? message : undefined });
        } else if (exit === A.EXIT_IDLE) {
          results.set(d, { kind: "stuck", message: `${d.name}: blocked with no event source to wake it` });
        }
      }
      if (Date.now() > deadline) {
        for (const d of this.domains) if (!results.has(d)) results.set(d, { kind: "timeout" });
      }
    }
    return results;
  }
}
