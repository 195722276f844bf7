// Everything the host may call. Nothing else is exported.
import { CPU_SIZE, MESSAGE_BUF, CR3, EXIT_INFO } from "./layout";
import {
  framesInit, allocFrame as ftAlloc, frameAddr as ftAddr, m2pSet as ftM2pSet, m2pGet as ftM2pGet,
  framesFree as ftFree, nrFrames, frameOwner as ftOwner, mfnValid, memoryNeeded,
} from "./mm/frames";
import {
  domainCreate as dCreate, dom, vcpuSave, vcpuCtl, vcpuLoad, vcpuSync as dSync, vcpuReload,
  DOM_STATE, DOM_SHUTDOWN_REASON, DOM_SHARED_INFO, DOM_TOT_PAGES, DOM_START_INFO, DOM_VCPU0, DOM_NR_VCPUS,
  DS_RUNNING, msgLength, VC_KERNEL_CR3, domValid, DOM_SHUTDOWN_CODE,
} from "./domain/domain";
import { runVcpu as rRun, setTrapToHost } from "./sched/run";
import { consoleBuf } from "./hypercalls/console_io";
import { tlbReset } from "./cpu/mem";
import { codeWritten, dcReset } from "./cpu/dcache";
import { hypercallCount } from "./hypercalls/dispatch";
import { setBatchInsns, configureClock } from "./time/clock";
import { setRflags, getRflags } from "./cpu/flags";

// ---- machine ----
export function init(frames: u32, seed: u64): bool {
  tlbReset();
  dcReset();
  return framesInit(frames, seed);
}

export function bytesNeeded(frames: u32): f64 {
  return <f64>memoryNeeded(frames);
}

export function setClock(cyclesPerInsn: u32, tscKhz: u32): void {
  configureClock(<u64>cyclesPerInsn, <u64>tscKhz);
}

export function totalFrames(): u32 {
  return nrFrames;
}

export function freeFrames(): u32 {
  return ftFree();
}

export function allocFrame(owner: u32): i32 {
  return <i32>ftAlloc(owner);
}

export function frameAddr(mfn: u32): u32 {
  return mfnValid(mfn) ? ftAddr(mfn) : 0;
}

export function frameOwner(mfn: u32): u32 {
  return ftOwner(mfn);
}

export function m2pSet(mfn: u32, pfn: u64): void {
  if (mfnValid(mfn)) ftM2pSet(mfn, pfn);
}

export function m2pGet(mfn: u32): u64 {
  return mfnValid(mfn) ? ftM2pGet(mfn) : <u64>-1;
}

// ---- domains ----
export function domainCreate(domid: u32, vcpus: u32, maxPages: u32): i32 {
  return dCreate(domid, vcpus, maxPages);
}

export function domainAddr(domid: u32): u32 {
  return dom(domid);
}

export function domainSetup(domid: u32, sharedInfoMfn: u32, startInfoMfn: u32, totPages: u32): void {
  const d = dom(domid);
  store<u32>(d + DOM_SHARED_INFO, sharedInfoMfn);
  store<u64>(d + DOM_START_INFO, <u64>startInfoMfn);
  store<u32>(d + DOM_TOT_PAGES, totPages);
}

export function domainStart(domid: u32): void {
  store<u32>(dom(domid) + DOM_STATE, DS_RUNNING);
}

export function domainState(domid: u32): u32 {
  return domValid(domid) ? load<u32>(dom(domid) + DOM_STATE) : 0;
}

export function domainShutdownReason(domid: u32): u32 {
  return load<u32>(dom(domid) + DOM_SHUTDOWN_REASON);
}

export function domainShutdownCode(domid: u32): u32 {
  return load<u32>(dom(domid) + DOM_SHUTDOWN_CODE);
}

export function domainVcpu(domid: u32, id: u32): i32 {
  const d = dom(domid);
  if (id >= load<u32>(d + DOM_NR_VCPUS)) return -1;
  return <i32>(load<u32>(d + DOM_VCPU0) + id);
}

// The saved register file of global vCPU v (layout as CPU in layout.ts) and its control block.
export function vcpuSaveAddr(v: u32): u32 {
  return vcpuSave(v);
}

export function vcpuCtlAddr(v: u32): u32 {
  return vcpuCtl(v);
}

// Initial kernel base pointer, set by the domain builder (the L4 it built and pinned).
export function vcpuSetBaseptr(v: u32, l4mfn: u32): void {
  store<u64>(vcpuSave(v) + (CR3 - 0x1000), <u64>l4mfn << 12);
  store<u64>(vcpuCtl(v) + VC_KERNEL_CR3, <u64>l4mfn << 12);
  vcpuReload(v);
}

export function vcpuSetRflags(v: u32, value: u64): void {
  vcpuLoad(v);
  setRflags(value);
  dSync();
}

export function vcpuGetRflags(v: u32): u64 {
  vcpuLoad(v);
  return getRflags();
}

export function vcpuSync(): void {
  dSync();
}

export function vcpuReloaded(v: u32): void {
  vcpuReload(v);
}

// Run global vCPU v for up to budget instructions; returns the exit reason (sched/run.ts).
export function run(v: u32, budget: u32): u32 {
  vcpuLoad(v);
  setBatchInsns(0);
  const r = rRun(budget);
  dSync();
  return r;
}

// ---- output and diagnostics ----
export function consoleAddr(domid: u32): u32 {
  return consoleBuf(domid);
}

export function messageAddr(): u32 {
  return MESSAGE_BUF;
}

export function messageLength(): u32 {
  return msgLength();
}

export function hypercalls(): f64 {
  return <f64>hypercallCount;
}

export function cpuStateSize(): u32 {
  return CPU_SIZE;
}


// CPU tests: stop on exceptions instead of delivering them to the guest.
export function setTrapMode(on: bool): void {
  setTrapToHost(on);
}

export function exitInfoAddr(): u32 {
  return EXIT_INFO;
}

// The host wrote into frame mfn (loading code, test windows): forget decoded instructions.
export function frameWritten(mfn: u32): void {
  codeWritten(mfn);
}
