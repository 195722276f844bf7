// The domain builder: turns a parsed PV kernel and a layout into a runnable domain in the
// core's machine memory, as Xen's toolstack does (xg_dom_core.c, xg_dom_x86.c): frames,
// p2m and M2P, the image, start_info, shared_info, initial page tables, hypercall page and
// the first vCPU's registers.
import type { Core } from "../core.ts";
import { BadKernelError, type ResolvedKernel } from "./elf.ts";
import type { Layout } from "./layout.ts";
import * as A from "../gen/abi.ts";

export interface BuildOptions {
  domid: number;
  memoryPages: number;
  vcpus: number;
  cmdline: string;
  module?: Uint8Array;
}

export interface BuiltDomain {
  domid: number;
  p2m: number[];
  startInfoVa: bigint;
  startInfoMfn: number;
  sharedInfoMfn: number;
  storeMfn?: number;
  consoleMfn?: number;
  /** The domain's unbound ports for the xenstore and console rings (remote: dom0). */
  storeEvtchn?: number;
  consoleEvtchn?: number;
  l4Mfn: number;
  entry: bigint;
  stackTop: bigint;
}

const PAGE = 4096;

// Flags the domU builder writes (xg_dom_x86.c). The hypervisor adjusts them when it validates
// the tables (pv/mm.h adjust_guest_l*e: US everywhere, _PAGE_GUEST_KERNEL on kernel L1s).
// Frames holding the page tables themselves are mapped read-only, or they could not be tables.
const L1_PROT = 0x023n; // present, RW, accessed
const L1_PROT_RO = 0x021n; // present, accessed
const LN_PROT = 0x067n; // present, RW, user, accessed, dirty

export function hypercallPageBytes(): Uint8Array {
  const page = new Uint8Array(PAGE).fill(0xcc);
  for (let i = 0; i < 128; i++) {
    const o = i * 32;
    if (i === A.__HYPERVISOR_iret) {
      // push %rcx; push %r11; push %rax; mov $23,%eax; syscall
      page.set([0x51, 0x41, 0x53, 0x50, 0xb8, i, 0, 0, 0, 0x0f, 0x05], o);
    } else {
      // push %rcx; push %r11; mov $i,%eax; syscall; pop %r11; pop %rcx; ret
      page.set([0x51, 0x41, 0x53, 0xb8, i, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3], o);
    }
  }
  return page;
}

export function buildDomain(core: Core, k: ResolvedKernel, layout: Layout, opts: BuildOptions): BuiltDomain {
  const x = core.exports;
  const { domid, memoryPages } = opts;
  if (x.freeFrames() < memoryPages + 1) {
    throw new BadKernelError(k.file, `the hypervisor has ${x.freeFrames()} free frames, the domain needs ${memoryPages + 1}; create the hypervisor with more memory`);
  }
  const rc = x.domainCreate(domid, opts.vcpus, memoryPages);
  if (rc === -2) {
    throw new BadKernelError(k.file, `no room for ${opts.vcpus} more vCPU(s): the hypervisor runs at most ${A.MAX_VCPUS} vCPUs in all; destroy a domain first`);
  }
  if (rc < 0) throw new Error(`domain ${domid}: cannot create (the id is in use)`);
  // Frames, the p2m and the M2P.
  const p2m: number[] = [];
  for (let pfn = 0; pfn < memoryPages; pfn++) {
    const mfn = x.allocFrame(domid);
    if (mfn < 0) throw new Error("out of machine frames");
    x.m2pSet(mfn, BigInt(pfn));
    p2m.push(mfn);
  }
  const sharedInfoMfn = x.allocFrame(domid);
  const mem = () => core.u8();
  const dv = () => core.dv();
  const pageAddr = (pfn: number): number => {
    const mfn = p2m[pfn];
    if (mfn === undefined) throw new BadKernelError(k.file, `pfn ${pfn} beyond the domain's ${memoryPages} pages`);
    return x.frameAddr(mfn);
  };
  const vaToPfn = (va: bigint): number => Number((va - layout.virtBase) >> 12n);

  // The kernel image (bss is already zero: frames come zeroed).
  for (const ld of k.loads) {
    let off = 0;
    while (off < ld.data.length) {
      const va = ld.va + BigInt(off);
      const inPage = Number(va & 0xfffn);
      const n = Math.min(PAGE - inPage, ld.data.length - off);
      mem().set(ld.data.subarray(off, off + n), pageAddr(vaToPfn(va)) + inPage);
      off += n;
    }
  }
  // Boot module.
  if (opts.module && layout.module) {
    for (let i = 0; i < layout.module.count; i++) {
      const chunk = opts.module.subarray(i * PAGE, (i + 1) * PAGE);
      mem().set(chunk, pageAddr(layout.module.pfn + i));
    }
  }
  // p2m list: pfn -> mfn.
  for (let pfn = 0; pfn < memoryPages; pfn++) {
    const addr = pageAddr(layout.p2m.pfn + (pfn >> 9)) + (pfn & 511) * 8;
    dv().setBigUint64(addr, BigInt(p2m[pfn]!), true);
  }
  // Hypercall page.
  if (k.hypercallPage !== undefined) {
    mem().set(hypercallPageBytes(), pageAddr(vaToPfn(k.hypercallPage)));
  }
  // shared_info: every vCPU starts with events masked.
  const si = x.frameAddr(sharedInfoMfn);
  for (let v = 0; v < A.XEN_LEGACY_MAX_VCPUS; v++) mem()[si + v * A.VCPU_INFO_SIZE + A.VI_evtchn_upcall_mask] = 1;
  dv().setBigUint64(si + A.SH_arch_max_pfn, BigInt(memoryPages), true);

  // Initial page tables, covering [virt_base, mappedEnd).
  const pt = layout.pageTables;
  const ptFirst = pt.pfn;
  const ptLast = pt.pfn + pt.count;
  const tableOf = (level: number, va: bigint): number => {
    const lvl = pt.levels.find((l) => l.level === level)!;
    const vaddr = va & ((1n << 48n) - 1n);
    const shift = BigInt(12 + 9 * level);
    const idx = Number((vaddr >> shift) - (lvl.from >> shift));
    return lvl.pfn + idx;
  };
  const setEntry = (tablePfn: number, index: number, value: bigint) => {
    dv().setBigUint64(pageAddr(tablePfn) + index * 8, value, true);
  };
  for (let pfn = 0; pfn < layout.mappedPages; pfn++) {
    const va = layout.virtBase + BigInt(pfn) * 4096n;
    const idx = (l: number) => Number((va >> BigInt(12 + 9 * (l - 1))) & 511n);
    const l4 = pt.l4Pfn;
    const l3 = tableOf(3, va);
    const l2 = tableOf(2, va);
    const l1 = tableOf(1, va);
    const mfnOf = (p: number) => BigInt(p2m[p]!) << 12n;
    setEntry(l4, idx(4), mfnOf(l3) | LN_PROT);
    setEntry(l3, idx(3), mfnOf(l2) | LN_PROT);
    setEntry(l2, idx(2), mfnOf(l1) | LN_PROT);
    const isPt = pfn >= ptFirst && pfn < ptLast;
    setEntry(l1, idx(1), mfnOf(pfn) | (isPt ? L1_PROT_RO : L1_PROT));
  }
  const l4Mfn = p2m[pt.l4Pfn]!;

  // start_info.
  const sip = pageAddr(layout.startInfo.pfn);
  const magic = new TextEncoder().encode(k.guestType);
  mem().set(magic, sip + A.SI_magic);
  const set64 = (off: number, v: bigint) => dv().setBigUint64(sip + off, v, true);
  const set32 = (off: number, v: number) => dv().setUint32(sip + off, v, true);
  set64(A.SI_nr_pages, BigInt(memoryPages));
  set64(A.SI_shared_info, BigInt(sharedInfoMfn) << 12n);
  set32(A.SI_flags, 0);
  const storeMfn = layout.xenstore ? p2m[layout.xenstore.pfn]! : undefined;
  const consoleMfn = layout.console ? p2m[layout.console.pfn]! : undefined;
  if (storeMfn !== undefined) set64(A.SI_store_mfn, BigInt(storeMfn));
  if (consoleMfn !== undefined) set64(A.SI_console_mfn, BigInt(consoleMfn));
  set64(A.SI_pt_base, layout.virtBase + BigInt(pt.l4Pfn) * 4096n);
  set64(A.SI_nr_pt_frames, BigInt(pt.count));
  set64(A.SI_mfn_list, layout.p2m.va);
  if (layout.module) {
    set64(A.SI_mod_start, layout.module.mapped ? layout.virtBase + BigInt(layout.module.pfn) * 4096n : BigInt(layout.module.pfn));
    set64(A.SI_mod_len, BigInt(layout.module.bytes));
    if (!layout.module.mapped) set32(A.SI_flags, 8 /* SIF_MOD_START_PFN */);
  }
  const cmd = new TextEncoder().encode(opts.cmdline).subarray(0, 1023);
  mem().set(cmd, sip + A.SI_cmd_line);
  if (layout.p2m.initP2m) {
    set64(A.SI_first_p2m_pfn, BigInt(layout.p2m.pfn));
    set64(A.SI_nr_p2m_frames, BigInt(layout.p2m.count));
  }
  const startInfoMfn = p2m[layout.startInfo.pfn]!;
  const startInfoVa = layout.virtBase + BigInt(layout.startInfo.pfn) * 4096n;

  // vCPU 0: RIP = entry, RSP = top of the boot stack, RSI = start_info.
  const v0 = x.domainVcpu(domid, 0);
  const save = x.vcpuSaveAddr(v0);
  const stackTop = layout.virtBase + BigInt(layout.bootStack.pfn + 1) * 4096n;
  const reg = (r: number, v: bigint) => dv().setBigUint64(save + (A.REGS - A.CPU) + r * 8, v, true);
  reg(4, stackTop);
  reg(6, startInfoVa);
  dv().setBigUint64(save + (A.RIP - A.CPU), k.entry, true);
  const ctl = x.vcpuCtlAddr(v0);
  dv().setBigUint64(ctl + A.VC_KERNEL_SS, BigInt(A.FLAT_KERNEL_SS64), true);
  dv().setBigUint64(ctl + A.VC_KERNEL_SP, stackTop, true);
  // Pin the L4 (the hypervisor validates and adjusts every table it reaches), then load it as
  // vCPU 0's base pointer, as libxc and arch_set_info_guest do.
  const pinRc = x.pinTable(domid, l4Mfn, 4);
  if (pinRc !== 0) {
    throw new BadKernelError(k.file, `the initial page tables were refused by the hypervisor (pin L4: error ${pinRc})`);
  }
  const baseRc = x.vcpuInstallBaseptr(v0, l4Mfn);
  if (baseRc !== 0) {
    throw new BadKernelError(k.file, `the initial L4 cannot be loaded as the base pointer (error ${baseRc})`);
  }
  x.domainSetup(domid, sharedInfoMfn, startInfoMfn, memoryPages);
  // Event channels for the xenstore and console rings, unbound and offered to dom0 (the host),
  // allocated in that order as libxl does: ports 1 and 2.
  let storeEvtchn: number | undefined;
  let consoleEvtchn: number | undefined;
  if (storeMfn !== undefined) {
    storeEvtchn = x.evtchnAllocUnbound(domid, 0);
    if (storeEvtchn > 0) set32(A.SI_store_evtchn, storeEvtchn);
  }
  if (consoleMfn !== undefined) {
    consoleEvtchn = x.evtchnAllocUnbound(domid, 0);
    if (consoleEvtchn > 0) set32(A.SI_console_evtchn, consoleEvtchn);
  }
  x.domainStart(domid);
  return {
    domid, p2m, startInfoVa, startInfoMfn, sharedInfoMfn, storeMfn, consoleMfn, l4Mfn,
    entry: k.entry, stackTop, storeEvtchn, consoleEvtchn,
  };
}
