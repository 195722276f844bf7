// Loads the WASM core and gives it a typed face. The only place that knows the export names.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export interface CoreExports {
  init(frames: number, seed: bigint): number;
  bytesNeeded(frames: number): number;
  setClock(cyclesPerInsn: number, tscKhz: number): void;
  totalFrames(): number;
  freeFrames(): number;
  allocFrame(owner: number): number;
  frameAddr(mfn: number): number;
  frameOwner(mfn: number): number;
  m2pSet(mfn: number, pfn: bigint): void;
  m2pGet(mfn: number): bigint;
  domainCreate(domid: number, vcpus: number, maxPages: number): number;
  domainAddr(domid: number): number;
  domainSetup(domid: number, sharedInfoMfn: number, startInfoMfn: number, totPages: number): void;
  domainStart(domid: number): void;
  domainState(domid: number): number;
  domainShutdownReason(domid: number): number;
  domainShutdownCode(domid: number): number;
  domainVcpu(domid: number, id: number): number;
  vcpuSaveAddr(v: number): number;
  vcpuCtlAddr(v: number): number;
  vcpuSetBaseptr(v: number, l4mfn: number): void;
  vcpuSetRflags(v: number, value: bigint): void;
  vcpuGetRflags(v: number): bigint;
  vcpuSync(): void;
  vcpuReloaded(v: number): void;
  run(v: number, budget: number): number;
  consoleAddr(domid: number): number;
  messageAddr(): number;
  messageLength(): number;
  hypercalls(): number;
  cpuStateSize(): number;
  setTrapMode(on: number): void;
  exitInfoAddr(): number;
  /** PV MMU: pin a table of a domain (0 or -errno); install vCPU v's initial validated L4. */
  pinTable(domid: number, mfn: number, level: number): number;
  vcpuInstallBaseptr(v: number, l4mfn: number): number;
  /** MMU invariant check: number of violations (first one in the message buffer). */
  checkInvariants(): number;
  /** Check the MMU invariants after every MMU hypercall, aborting the core on a violation. */
  setMmuChecks(on: number): void;
  frameTypeInfo(mfn: number): bigint;
  frameRefCount(mfn: number): number;
  frameWritten(mfn: number): void;
  // events, time, the machine run loop, trace (assembly/index.ts)
  setPcpus(n: number): number;
  pcpus(): number;
  setSchedSlice(ns: number): void;
  setQuantum(ns: number): void;
  setCost(kind: number, cycles: number): void;
  cost(kind: number): number;
  costEvents(kind: number): number;
  setBootEpoch(sec: number): void;
  runMachine(untilNs: number, maxInsns: number): number;
  machineNs(): number;
  pcpuNs(p: number): number;
  pcpuIdleNs(p: number): number;
  evtchnAllocUnbound(d: number, remote: number): number;
  hostBindInterdomain(rd: number, rport: number): number;
  hostSend(port: number): number;
  hostNextPending(): number;
  raiseVirq(d: number, vcpu: number, virq: number): number;
  holdWritable(mfn: number, d: number): number;
  releaseWritable(mfn: number): number;
  hostClose(port: number): number;
  domainDestroy(d: number): number;
  evtchnPort(d: number, port: number): number;
  vcpuRunstate(v: number): number;
  traceRing(): number;
  traceCapacity(): number;
  traceRecordSize(): number;
  traceWritten(): number;
  traceHash(): bigint;
  traceEnable(on: number): void;
}

export interface Core {
  exports: CoreExports;
  memory: WebAssembly.Memory;
  /** Fresh views (the buffer changes when memory grows). */
  u8(): Uint8Array;
  dv(): DataView;
}

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, "..");

export function corePath(flavor: "release" | "debug" = "release"): string {
  return join(ROOT, "build", flavor === "release" ? "xenwasm.wasm" : "xenwasm.debug.wasm");
}

let cachedModules = new Map<string, WebAssembly.Module>();

export function loadCore(flavor: "release" | "debug" = (process.env.XENWASM_CORE === "debug" ? "debug" : "release")): Core {
  const path = corePath(flavor);
  let mod = cachedModules.get(path);
  if (!mod) {
    if (!existsSync(path)) {
      throw new Error(`${path}: the core is not built; run \`npm run build\` (or \`npm install\`) first`);
    }
    mod = new WebAssembly.Module(readFileSync(path));
    cachedModules.set(path, mod);
  }
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536 });
  const u8 = () => new Uint8Array(memory.buffer);
  const instance = new WebAssembly.Instance(mod, {
    env: {
      memory,
      abort(msg: number, file: number, line: number, col: number) {
        throw new Error(`xenwasm core aborted at ${readAsString(u8(), file)}:${line}:${col}: ${readAsString(u8(), msg)}`);
      },
    },
  });
  const exports = instance.exports as unknown as CoreExports;
  return { exports, memory, u8, dv: () => new DataView(memory.buffer) };
}

// AssemblyScript strings: UTF-16, length in bytes at ptr - 4.
function readAsString(mem: Uint8Array, ptr: number): string {
  if (!ptr) return "";
  const len = new DataView(mem.buffer).getUint32(ptr - 4, true);
  return Buffer.from(mem.subarray(ptr, ptr + len)).toString("utf16le");
}

/** Read a NUL-terminated ASCII string from core memory. */
export function readCString(core: Core, addr: number, max: number): string {
  const m = core.u8();
  let end = addr;
  while (end < addr + max && m[end] !== 0) end++;
  return Buffer.from(m.subarray(addr, end)).toString("latin1");
}
