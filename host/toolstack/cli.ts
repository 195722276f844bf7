// The xenwasm command line (an xl-like front end). Exit status: 0 poweroff, 1 crash or any
// other shutdown, 2 bad input, 3 time limit reached.
import { Hypervisor, BadKernelError, type RunResult } from "../index.ts";

const HELP = `usage: xenwasm run KERNEL.elf [options]
       xenwasm --help

Boot a Xen PV kernel on xenwasm, stream its console to stdout and wait for it to shut down.

options:
  --memory MiB       guest memory (default 32)
  --vcpus N          virtual CPUs (default 1)
  --cmdline STR      kernel command line (start_info.cmd_line)
  --max-seconds S    give up after S seconds of host time (exit 3)
  --seed N           seed for the hypervisor's choices (default 1)

exit status: 0 the guest powered off; 1 it crashed or shut down otherwise;
             2 bad input (the message says what and where); 3 --max-seconds ran out.
`;

class UsageError extends Error {}

interface RunArgs {
  kernels: string[];
  memory: number;
  vcpus: number;
  cmdline: string;
  maxSeconds?: number;
  seed: number;
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
  const a: RunArgs = { kernels: [], memory: 32, vcpus: 1, cmdline: "", seed: 1 };
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
      default:
        if (flag.startsWith("-")) throw new UsageError(`unknown option ${flag} (see xenwasm --help)`);
        a.kernels.push(arg);
    }
  }
  if (a.kernels.length === 0) throw new UsageError("run needs a kernel: xenwasm run KERNEL.elf");
  if (a.kernels.length > 1) throw new UsageError("run takes one kernel for now");
  return a;
}

function exitCodeFor(r: RunResult): number {
  if (r.kind === "timeout") return 3;
  if (r.kind === "shutdown" && r.reason === "poweroff") return 0;
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  try {
    if (cmd !== "run") throw new UsageError(`unknown command ${JSON.stringify(cmd)} (see xenwasm --help)`);
    const args = parseRun(rest);
    const memoryMiB = Math.max(256, args.memory + 16);
    const hv = new Hypervisor({ memoryMiB, seed: args.seed });
    const dom = hv.createDomain({ kernel: args.kernels[0]!, memoryMiB: args.memory, vcpus: args.vcpus, cmdline: args.cmdline });
    dom.onConsole((t) => process.stdout.write(t));
    const result = hv.run({ maxSeconds: args.maxSeconds }).get(dom)!;
    if (result.kind === "timeout") process.stderr.write(`xenwasm: ${dom.name}: still running after --max-seconds ${args.maxSeconds}; stopped\n`);
    else if (result.kind === "stuck") process.stderr.write(`xenwasm: ${result.message}\n`);
    else if (result.reason !== "poweroff") {
      process.stderr.write(`xenwasm: ${dom.name}: shut down (${result.reason})${result.message ? `: ${result.message}` : ""}\n`);
    }
    return exitCodeFor(result);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`xenwasm: ${e.message}\n`);
      return 2;
    }
    if (e instanceof BadKernelError) {
      process.stderr.write(`xenwasm: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RangeError) {
      process.stderr.write(`xenwasm: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
