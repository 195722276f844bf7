// The initial memory layout of a 64-bit PV domain, as Xen's toolstack domain
// builder lays it out (xc_dom_build_image and the x86 hooks).
//
// One contiguous run of guest pages from VIRT_BASE, VA = virt_base + pfn*4096:
//   [padding up to the kernel] kernel, [module], p2m list (unless INIT_P2M),
//   start_info, xenstore, console, page tables (L4, L3s, L2s, L1s), boot stack,
//   padding so that the mapped region ends on a 4 MiB boundary with at least
//   512 KiB spare after the stack.
// Then, outside the initial mapping: an unmapped module (MOD_START_PFN) and
// the p2m list with its own page tables when the kernel gave INIT_P2M.
//
// All arithmetic is bigint so absurd kernels cannot overflow anything; page
// numbers become plain numbers only once they are known to fit in memory.

import {
  BadKernelError,
  isCanonicalRange,
  overlapsXenReserved,
  XEN_RESERVED_END,
  XEN_RESERVED_START,
  type ResolvedKernel,
} from "./elf.ts";

export interface LayoutOptions {
  /** Domain memory in 4 KiB pages (also the number of p2m entries). */
  memoryPages: number;
  /** Size in bytes of the boot module (initrd), if any. */
  moduleBytes?: number;
  /** Unprivileged domain: allocates the xenstore and console pages. */
  domU: boolean;
}

/** The tables of one page-table level and the VA range they cover. */
export interface PageTableLevel {
  level: 1 | 2 | 3 | 4;
  /** First table's pfn; the level's tables are consecutive. */
  pfn: number;
  count: number;
  /** Covered range [from, to] (inclusive), as 48-bit addresses (not sign-extended). */
  from: bigint;
  to: bigint;
}

export interface PageTableSet {
  pfn: number;
  count: number;
  perLevel: { l4: number; l3: number; l2: number; l1: number };
  /** Levels in allocation order: L4, L3, L2, L1 (a level with no tables has count 0). */
  levels: PageTableLevel[];
}

export interface Layout {
  virtBase: bigint;
  kernel: { pfn: number; count: number };
  /** Present when a module was given; `mapped` false means MOD_START_PFN placement. */
  module?: { pfn: number; count: number; bytes: number; mapped: boolean };
  p2m: {
    pfn: number;
    /** Pages of the list itself (entries * 8 bytes, page-rounded). */
    count: number;
    entries: number;
    /** VA of the list (start_info.mfn_list). */
    va: bigint;
    /** True when placed by the INIT_P2M note, outside the initial mapping. */
    initP2m: boolean;
    /** INIT_P2M only: the tables mapping the list, right after it. */
    pageTables?: PageTableSet;
  };
  startInfo: { pfn: number };
  /** domU only. */
  xenstore?: { pfn: number };
  /** domU only. */
  console?: { pfn: number };
  /** The initial page tables; `pfn` is the L4 (CR3, start_info.pt_base). */
  pageTables: PageTableSet & { l4Pfn: number };
  bootStack: { pfn: number };
  /** End of the initially mapped region (exclusive VA, 4 MiB aligned). */
  mappedEnd: bigint;
  /** Pages in the initially mapped region (from VIRT_BASE). */
  mappedPages: number;
  /** Pages the bootstrap uses, from pfn 0 (everything above is free RAM). */
  totalPages: number;
}

const PAGE = 4096n;
const U64 = 1n << 64n;
const VADDR_MASK = (1n << 48n) - 1n; // 48-bit virtual addresses
const ALIGN_4M_MASK = (1n << 22n) - 1n;
const PAD_PAGES = (512n * 1024n) / PAGE; // at least 512 KiB after the boot stack
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** VA of a page of the initial region. */
export function pfnToVa(layout: Layout, pfn: number): bigint {
  return layout.virtBase + BigInt(pfn) * PAGE;
}

interface Lvl { from: bigint; to: bigint; pfn: bigint; pgtables: bigint }
interface Mapping { area: Lvl; lvls: [Lvl, Lvl, Lvl, Lvl] }

const newLvl = (): Lvl => ({ from: 0n, to: 0n, pfn: 0n, pgtables: 0n });

/**
 * How many tables of each level are needed to map [from, to] (inclusive) on
 * top of the mappings already made, with the new tables allocated from
 * pfnAllocEnd onwards: the top-level table only for the first mapping, and at
 * each lower level only the tables not already present in an earlier mapping.
 */
function countPgtables(maps: Mapping[], from: bigint, to: bigint, pfnAllocEnd: bigint): Mapping | string {
  for (const m of maps) {
    if (from < m.area.to && to > m.area.from) return "overlaps the initial mapping";
  }
  const map: Mapping = { area: newLvl(), lvls: [newLvl(), newLvl(), newLvl(), newLvl()] };
  map.area.from = from & VADDR_MASK;
  map.area.to = to & VADDR_MASK;
  for (let l = 3; l >= 0; l--) {
    const lvl = map.lvls[l] as Lvl;
    lvl.pfn = pfnAllocEnd + map.area.pgtables;
    if (l === 3) {
      if (maps.length === 0) {
        lvl.from = 0n;
        lvl.to = VADDR_MASK;
        lvl.pgtables = 1n;
        map.area.pgtables++;
      }
      continue;
    }
    const bits = 12n + BigInt(l + 1) * 9n;
    const mask = (1n << bits) - 1n;
    lvl.from = map.area.from & ~mask;
    lvl.to = map.area.to | mask;
    for (const m of maps) {
      const cmp = m.lvls[l] as Lvl;
      if (cmp.from === cmp.to) continue;
      if (lvl.from >= cmp.from && lvl.to <= cmp.to) {
        lvl.from = 0n;
        lvl.to = 0n;
        break;
      }
      if (lvl.from >= cmp.from && lvl.from <= cmp.to) lvl.from = cmp.to + 1n;
      if (lvl.to >= cmp.from && lvl.to <= cmp.to) lvl.to = cmp.from - 1n;
    }
    if (lvl.from < lvl.to) lvl.pgtables = ((lvl.to - lvl.from) >> bits) + 1n;
    map.area.pgtables += lvl.pgtables;
  }
  return map;
}

function tableSet(map: Mapping, pfn: bigint): PageTableSet {
  const [l1, l2, l3, l4] = map.lvls;
  const level = (n: 1 | 2 | 3 | 4, v: Lvl): PageTableLevel => ({
    level: n, pfn: Number(v.pfn), count: Number(v.pgtables), from: v.from, to: v.to,
  });
  return {
    pfn: Number(pfn),
    count: Number(map.area.pgtables),
    perLevel: { l4: Number(l4.pgtables), l3: Number(l3.pgtables), l2: Number(l2.pgtables), l1: Number(l1.pgtables) },
    levels: [level(4, l4), level(3, l3), level(2, l2), level(1, l1)],
  };
}

interface Plan {
  total: bigint;
  build: () => Layout;
}

/** Lays the domain out for `memPages` pages of RAM; does not check the size. */
function plan(k: ResolvedKernel, memPages: bigint, opts: LayoutOptions, fail: (p: string) => never): Plan {
  const virtBase = k.virtBase;
  const pagesOf = (bytes: bigint): bigint => (bytes + PAGE - 1n) / PAGE;
  let pfn = 0n; // next free pfn
  let allocEnd = virtBase; // VA of that pfn while inside the initial mapping
  const take = (pages: bigint): bigint => {
    const at = pfn;
    pfn += pages;
    allocEnd += pages * PAGE;
    return at;
  };

  // Kernel, after padding pages from VIRT_BASE up to its first page.
  if (k.vstart !== 0n) take((k.vstart - allocEnd) / PAGE);
  const kernelCount = pagesOf(k.kend - k.vstart);
  const kernelPfn = take(kernelCount);

  const moduleBytes = opts.moduleBytes;
  const moduleCount = moduleBytes !== undefined ? pagesOf(BigInt(moduleBytes)) : 0n;
  let modulePfn = 0n;
  if (moduleBytes !== undefined && !k.unmappedModule) modulePfn = take(moduleCount);

  // The p2m list goes to INIT_P2M only when that lies below VIRT_BASE and is
  // page-aligned; otherwise the note is ignored.
  const p2mEntries = memPages;
  const p2mCount = pagesOf(p2mEntries * 8n);
  const initP2m = k.initP2m !== undefined && k.initP2m < virtBase && k.initP2m % PAGE === 0n ? k.initP2m : undefined;
  let p2mPfn = 0n;
  if (initP2m === undefined) p2mPfn = take(p2mCount);

  const startInfoPfn = take(1n);
  const xenstorePfn = opts.domU ? take(1n) : undefined;
  const consolePfn = opts.domU ? take(1n) : undefined;

  // Page tables: they must map everything up to a 4 MiB boundary that leaves
  // room for themselves, the boot stack and 512 KiB, so iterate.
  const extra = 1n + PAD_PAGES;
  let pages = extra;
  let tryEnd = 0n;
  let map0: Mapping | undefined;
  for (let iter = 0; ; iter++) {
    if (iter > 64) fail("the initial page-table size does not converge; the kernel layout is absurd");
    tryEnd = (allocEnd + pages * PAGE) | ALIGN_4M_MASK;
    const m = countPgtables([], virtBase, tryEnd, pfn);
    if (typeof m === "string") fail(`initial mapping ${m}`);
    map0 = m;
    pages = m.area.pgtables + extra;
    if (allocEnd + pages * PAGE <= tryEnd + 1n) break;
  }
  if (!map0) fail("internal error: no page-table plan");
  const mappedEnd = tryEnd + 1n;
  if (mappedEnd > U64 || !isCanonicalRange(virtBase, mappedEnd - virtBase)) {
    fail(`the initial mapping [${hex(virtBase)}, ${hex(mappedEnd)}) is not a canonical x86-64 range; lower VIRT_BASE or the link addresses`);
  }
  if (overlapsXenReserved(virtBase, mappedEnd - virtBase)) {
    fail(
      `the initial mapping [${hex(virtBase)}, ${hex(mappedEnd)}) overlaps the range Xen reserves ` +
        `(${hex(XEN_RESERVED_START)}-${hex(XEN_RESERVED_END)}); link the kernel elsewhere`,
    );
  }
  const ptPfn = take(map0.area.pgtables);
  const stackPfn = take(1n);
  take((mappedEnd - allocEnd) / PAGE); // padding to the end of the mapping
  const mappedPages = (mappedEnd - virtBase) / PAGE;

  if (moduleBytes !== undefined && k.unmappedModule) modulePfn = take(moduleCount);

  let map1: Mapping | undefined;
  if (initP2m !== undefined) {
    const size = p2mCount * PAGE;
    if (!isCanonicalRange(initP2m, size) || overlapsXenReserved(initP2m, size)) {
      fail(`the p2m list at INIT_P2M [${hex(initP2m)}, ${hex(initP2m + size)}) is not a usable x86-64 range; fix the INIT_P2M note`);
    }
    const m = countPgtables([map0], initP2m, initP2m + size - 1n, pfn);
    if (typeof m === "string") fail(`the p2m list at INIT_P2M ${hex(initP2m)} ${m}; fix the INIT_P2M note`);
    for (const lvl of m.lvls) lvl.pfn += p2mCount; // its tables follow the list
    map1 = m;
    p2mPfn = take(p2mCount + m.area.pgtables);
  }

  const total = pfn;
  const m0 = map0;
  const build = (): Layout => {
    const pt = tableSet(m0, ptPfn);
    const p2mVa = initP2m ?? virtBase + p2mPfn * PAGE;
    return {
      virtBase,
      kernel: { pfn: Number(kernelPfn), count: Number(kernelCount) },
      ...(moduleBytes !== undefined
        ? { module: { pfn: Number(modulePfn), count: Number(moduleCount), bytes: moduleBytes, mapped: !k.unmappedModule } }
        : {}),
      p2m: {
        pfn: Number(p2mPfn),
        count: Number(p2mCount),
        entries: Number(p2mEntries),
        va: p2mVa,
        initP2m: initP2m !== undefined,
        ...(map1 ? { pageTables: tableSet(map1, p2mPfn + p2mCount) } : {}),
      },
      startInfo: { pfn: Number(startInfoPfn) },
      ...(xenstorePfn !== undefined ? { xenstore: { pfn: Number(xenstorePfn) } } : {}),
      ...(consolePfn !== undefined ? { console: { pfn: Number(consolePfn) } } : {}),
      pageTables: { ...pt, l4Pfn: pt.pfn },
      bootStack: { pfn: Number(stackPfn) },
      mappedEnd,
      mappedPages: Number(mappedPages),
      totalPages: Number(total),
    };
  };
  return { total, build };
}

const mib = (pages: bigint): string => {
  const whole = pages / 256n;
  const rest = pages % 256n;
  return rest === 0n ? `${whole}` : (Number(pages) / 256).toFixed(2).replace(/\.?0+$/, "");
};

/**
 * Computes the initial layout of a 64-bit PV domain with `opts.memoryPages`
 * pages of RAM. Throws BadKernelError when the kernel and its bootstrap
 * pages do not fit, naming the memory needed.
 */
export function computeLayout(k: ResolvedKernel, opts: LayoutOptions): Layout {
  const fail: (problem: string) => never = (problem) => {
    throw new BadKernelError(k.file, problem);
  };
  const { memoryPages, moduleBytes } = opts;
  if (!Number.isSafeInteger(memoryPages) || memoryPages <= 0) {
    fail(`domain memory of ${memoryPages} pages is not a positive whole number of pages; pass a valid --memory`);
  }
  if (moduleBytes !== undefined && (!Number.isSafeInteger(moduleBytes) || moduleBytes < 0)) {
    fail(`module size ${moduleBytes} is not a valid byte count`);
  }
  const mem = BigInt(memoryPages);
  const p = plan(k, mem, opts, fail);
  if (p.total <= mem) return p.build();

  // Too small. The p2m list grows with memory, so find the real minimum.
  let need = p.total;
  for (let i = 0; i < 16; i++) {
    const again = plan(k, need, opts, fail).total;
    if (again <= need) break;
    need = again;
  }
  const needMiB = (need + 255n) / 256n;
  fail(
    `boot layout needs ${needMiB} MiB (${need} pages: kernel, p2m, page tables, padding), ` +
      `domain has ${mib(mem)} MiB; raise --memory to at least ${needMiB}`,
  );
}
