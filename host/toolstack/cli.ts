// The xenwasm command line (an xl-like front end). Exit status: 0 poweroff, 1 crash or any
// other shutdown, 2 bad input, 3 time limit reached.
import { createWriteStream, type WriteStream } from "node:fs";
import { Hypervisor, BadKernelError, TRACE_TYPES, type Domain } from "../index.ts";
import { Lifecycle, type LifeResult } from "./lifecycle.ts";
import { serveXenstore, xenstoreMain, XsUsageError } from "./xsctl.ts";

const HELP = `usage: xenwasm run KERNEL.elf [KERNEL2.elf ...] [options]
       xenwasm xenstore --socket PATH ls|read|write|rm|watch [ARGS]   (see xenwasm xenstore --help)
       xenwasm --help

Boot Xen PV kernels on xenwasm, one domain each, all running together; stream their consoles
to stdout (prefixed with the domain's name when there are several) and wait for every one to
shut down.

options:
  --memory MiB       guest memory, per domain (default 32)
  --vcpus N          virtual CPUs, per domain (default 1)
  --cmdline STR      kernel command line (start_info.cmd_line), for every domain
  --pcpus N          simulated physical CPUs (default 1)
  --cpu-mhz MHz      virtual CPU (TSC) frequency (default 2000)
  --quantum-us US    with several pCPUs, how far one runs ahead of the others (default 100;
                     bounds the latency of an event to a busy pCPU)
  --trace FILE       write the event trace (schedule, block, wake, events, hypercalls,
                     faults, timers, shutdown, destroy), one record per line
  --realtime         pace virtual time to host time (interactive use)
  --max-seconds S    give up after S seconds of host time (exit 3)
  --seed N           seed for the hypervisor's choices (default 1)
  --shutdown-after S ask every guest to power off (XenStore control/shutdown = poweroff) at
                     virtual second S
  --shutdown-grace S virtual seconds a guest has to shut down once asked (default 10); after
                     that it is destroyed (exit 1)
  --xenstore-socket PATH
                     serve XenStore on a unix socket while running, for \`xenwasm xenstore\`

Every domain gets its XenStore keys (/local/domain/N: name, domid, vm, memory, cpu, console,
control) as Xen's toolstack writes them. Ctrl-C asks every guest to power off (as
--shutdown-after does); a second Ctrl-C destroys them.

exit status: 0 every guest powered off; 1 one crashed or shut down otherwise, is blocked
             for good, or was destroyed; 2 bad input (the message says what and where); 3 --max-seconds ran out.
`;

class UsageError extends Error {}

interface RunArgs {
  kernels: string[];
  memory: number;
  vcpus: number;
  cmdline: string;
  maxSeconds?: number;
  seed: number;
  pcpus: number;
  quantumUs?: number;
  cpuMHz: number;
  trace?: string;
  realtime: boolean;
  shutdownAfter?: number;
  grace?: number;
  xenstoreSocket?: string;
}

function parseNumber(flag: string, v: string | undefined, min: number, integer: boolean): number {
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} ${JSON.stringify(v)}: expected ${integer ? "a whole number" : "a number"} >= ${min}`);
  }
  return n;
}

function parseRun(argv: string[]): RunArgs {
  const a: RunArgs = { kernels: [], memory: 32, vcpus: 1, cmdline: "", seed: 1, pcpus: 1, cpuMHz: 2000, realtime: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--memory": a.memory = parseNumber(flag, value(), 1, true); break;
      case "--vcpus": a.vcpus = parseNumber(flag, value(), 1, true); break;
      case "--cmdline": {
        const v = value();
        if (v === undefined) throw new UsageError("--cmdline needs a value");
        a.cmdline = v;
        break;
      }
      case "--max-seconds": a.maxSeconds = parseNumber(flag, value(), 0, false); break;
      case "--seed": a.seed = parseNumber(flag, value(), 0, true); break;
      case "--pcpus":
        a.pcpus = parseNumber(flag, value(), 1, true);
        if (a.pcpus > 64) throw new UsageError(`--pcpus ${a.pcpus}: at most 64 physical CPUs`);
        break;
      case "--cpu-mhz": a.cpuMHz = parseNumber(flag, value(), 1, false); break;
      case "--quantum-us": a.quantumUs = parseNumber(flag, value(), 0, false); break;
      case "--trace": {
        const v = value();
        if (v === undefined || v === "") throw new UsageError("--trace needs a file name");
        a.trace = v;
        break;
      }
      case "--realtime": a.realtime = true; break;
      case "--shutdown-after": a.shutdownAfter = parseNumber(flag, value(), 0, false); break;
      case "--shutdown-grace": a.grace = parseNumber(flag, value(), 0, false); break;
      case "--xenstore-socket": {
        const v = value();
        if (v === undefined || v === "") throw new UsageError("--xenstore-socket needs a path");
        a.xenstoreSocket = v;
        break;
      }
      default:
        if (flag.startsWith("-")) throw new UsageError(`unknown option ${flag} (see xenwasm --help)`);
        a.kernels.push(arg);
    }
  }
  if (a.kernels.length === 0) throw new UsageError("run needs a kernel: xenwasm run KERNEL.elf");
  if (a.kernels.length > 200) throw new UsageError(`${a.kernels.length} kernels: at most 200 domains`);
  return a;
}

function exitCodeFor(r: LifeResult): number {
  if (r.kind === "timeout") return 3;
  if (r.kind === "shutdown" && r.reason === "poweroff") return 0;
  return 1;
}

// Prefix every console line with the domain's name (only when several domains run).
function prefixer(name: string, out: (s: string) => void): (t: string) => void {
  let atStart = true;
  return (t) => {
    let s = "";
    for (const ch of t) {
      if (atStart) s += `[${name}] `;
      s += ch;
      atStart = ch === "\n";
    }
    out(s);
  };
}

function uniqueNames(paths: string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const base = p.replace(/^.*\//, "").replace(/\.elf$/, "");
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

function traceLine(r: { cycles: bigint; type: number; pcpu: number; domid: number; vcpu: number; a: bigint; b: bigint }): string {
  return `${r.cycles} ${TRACE_TYPES[r.type] ?? r.type} pcpu=${r.pcpu} dom=${r.domid} vcpu=${r.vcpu} a=${r.a} b=${r.b}\n`;
}

function report(d: Domain, r: LifeResult, maxSeconds: number | undefined): void {
  if (r.kind === "destroyed") process.stderr.write(`xenwasm: ${d.name}: ${r.message}\n`);
  else if (r.kind === "timeout") process.stderr.write(`xenwasm: ${d.name}: still running after --max-seconds ${maxSeconds}; stopped\n`);
  else if (r.kind === "stuck") process.stderr.write(`xenwasm: ${r.message}\n`);
  else if (r.reason !== "poweroff") {
    process.stderr.write(`xenwasm: ${d.name}: shut down (${r.reason})${r.message ? `: ${r.message}` : ""}\n`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  let trace: WriteStream | undefined;
  try {
    if (cmd === "xenstore") {
      try {
        return await xenstoreMain(rest, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
      } catch (e) {
        if (e instanceof XsUsageError) throw new UsageError(e.message);
        if (e instanceof Error && /^cannot connect/.test(e.message)) {
          process.stderr.write(`xenwasm: xenstore: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
    }
    if (cmd !== "run") throw new UsageError(`unknown command ${JSON.stringify(cmd)} (see xenwasm --help)`);
    const args = parseRun(rest);
    const n = args.kernels.length;
    const memoryMiB = Math.min(3072, Math.max(256, (args.memory + 1) * n + 16));
    const hv = new Hypervisor({ memoryMiB, seed: args.seed, pcpus: args.pcpus, cpuMHz: args.cpuMHz, quantumUs: args.quantumUs, xenstore: true });
    const names = uniqueNames(args.kernels);
    const doms = args.kernels.map((k, i) => hv.createDomain({ kernel: k, name: names[i], memoryMiB: args.memory, vcpus: args.vcpus, cmdline: args.cmdline }));
    const out = (s: string) => process.stdout.write(s);
    for (const d of doms) d.onConsole(n > 1 ? prefixer(d.name, out) : out);
    if (args.trace) {
      const t = createWriteStream(args.trace);
      trace = t;
      t.write(`# xenwasm trace: cycles type pcpu dom vcpu a b (cpu ${args.cpuMHz} MHz, ${args.pcpus} pcpus)\n`);
      hv.onTrace((r) => t.write(traceLine(r)));
    }
    const life = new Lifecycle(hv, doms, {
      shutdownAfter: args.shutdownAfter, graceSeconds: args.grace, maxSeconds: args.maxSeconds,
      realtime: args.realtime, slice: args.trace ? 100_000 : undefined,
    });
    // First Ctrl-C: ask the guests to power off; second: destroy them.
    let interrupts = 0;
    const onSigint = () => (++interrupts === 1 ? life.requestShutdown() : life.destroy());
    process.on("SIGINT", onSigint);
    const server = args.xenstoreSocket ? serveXenstore(hv.xenstore!.xs, args.xenstoreSocket) : undefined;
    let results: Map<Domain, LifeResult>;
    try {
      results = await life.run();
    } finally {
      process.off("SIGINT", onSigint);
      if (server) await server.close();
    }
    let code = 0;
    for (const d of doms) {
      const r = results.get(d)!;
      report(d, r, args.maxSeconds);
      code = Math.max(code, exitCodeFor(r));
    }
    if (trace) {
      if (hv.traceLost > 0) process.stderr.write(`xenwasm: trace: ${hv.traceLost} records were overwritten before they could be written\n`);
      const t = trace;
      await new Promise<void>((res) => t.end(res));
    }
    return code;
  } catch (e) {
    if (e instanceof UsageError || e instanceof BadKernelError || e instanceof RangeError) {
      process.stderr.write(`xenwasm: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
