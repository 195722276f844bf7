import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { BadKernelError, parseKernel, resolveKernel, type ResolvedKernel } from "../host/builder/elf.ts";
import { computeLayout, pfnToVa, type Layout } from "../host/builder/layout.ts";
import { buildElf, NOTE, PF_R, PF_W, PF_X, str, u64, type NoteSpec } from "./helpers/elfwriter.ts";

const FILE = "kernel.elf";
const MiB = 1024 * 1024;
const PAGES_PER_MIB = 256;

/** A kernel of `size` bytes at paddr `paddr`, loaded at VA paddr + virtBase - paddrOffset. */
function kernel(opts: {
  paddr: bigint;
  size: number;
  virtBase?: bigint;
  paddrOffset?: bigint;
  extra?: NoteSpec[];
}): ResolvedKernel {
  const vb = opts.virtBase ?? 0n;
  const va = opts.paddr + vb - (opts.paddrOffset ?? 0n);
  const textSize = Math.min(opts.size, 0x1000);
  const notes: NoteSpec[] = [
    { type: NOTE.GUEST_OS, desc: str("test") },
    { type: NOTE.LOADER, desc: str("generic") },
    { type: NOTE.XEN_VERSION, desc: str("xen-3.0") },
    { type: NOTE.ENTRY, desc: u64(va) },
    ...(opts.virtBase !== undefined ? [{ type: NOTE.VIRT_BASE, desc: u64(vb) }] : []),
    ...(opts.paddrOffset !== undefined ? [{ type: NOTE.PADDR_OFFSET, desc: u64(opts.paddrOffset) }] : []),
    ...(opts.extra ?? []),
  ];
  const built = buildElf({
    entry: va,
    loads: [
      { paddr: opts.paddr, data: new Uint8Array(textSize).fill(0xc3), flags: PF_R | PF_X },
      ...(opts.size > textSize
        ? [{ paddr: opts.paddr + BigInt(textSize), memsz: BigInt(opts.size - textSize), flags: PF_R | PF_W }]
        : []),
    ],
    notes,
  });
  return resolveKernel(parseKernel(built.bytes, FILE));
}

/** Properties every layout must have. */
function checkInvariants(l: Layout, k: ResolvedKernel): void {
  assert.equal(pfnToVa(l, l.kernel.pfn), k.vstart);
  // Allocation order inside the mapping.
  const order: number[] = [l.kernel.pfn];
  if (l.module?.mapped) order.push(l.module.pfn);
  if (!l.p2m.initP2m) order.push(l.p2m.pfn);
  order.push(l.startInfo.pfn);
  if (l.xenstore) order.push(l.xenstore.pfn);
  if (l.console) order.push(l.console.pfn);
  order.push(l.pageTables.pfn, l.bootStack.pfn);
  for (let i = 1; i < order.length; i++) assert.ok((order[i] ?? 0) > (order[i - 1] ?? 0), `order ${order.join(",")}`);
  assert.equal(l.bootStack.pfn, l.pageTables.pfn + l.pageTables.count);
  assert.equal(l.pageTables.l4Pfn, l.pageTables.pfn);
  const pl = l.pageTables.perLevel;
  assert.equal(pl.l4, 1);
  assert.equal(pl.l4 + pl.l3 + pl.l2 + pl.l1, l.pageTables.count);
  // The tables of each level follow one another: L4, L3s, L2s, L1s.
  let at = l.pageTables.pfn;
  for (const lv of l.pageTables.levels) {
    assert.equal(lv.pfn, at);
    at += lv.count;
  }
  // The mapping ends on a 4 MiB boundary with >= 512 KiB after the boot stack.
  assert.equal(l.mappedEnd % BigInt(4 * MiB), 0n);
  const stackEnd = pfnToVa(l, l.bootStack.pfn + 1);
  assert.ok(l.mappedEnd - stackEnd >= 512n * 1024n, "512 KiB padding");
  assert.equal(BigInt(l.mappedPages), (l.mappedEnd - l.virtBase) / 4096n);
  // The L1 tables cover the whole mapping.
  assert.ok(BigInt(pl.l1) * 2n * BigInt(MiB) >= l.mappedEnd - l.virtBase);
  // p2m: 8 bytes per page of memory.
  assert.equal(l.p2m.count, Math.ceil((l.p2m.entries * 8) / 4096));
  assert.ok(l.totalPages >= l.mappedPages);
}

test("1 MiB kernel at 1 MiB with 64 MiB of memory", () => {
  const k = kernel({ paddr: 0x100000n, size: MiB });
  const l = computeLayout(k, { memoryPages: 64 * PAGES_PER_MIB, domU: true });
  checkInvariants(l, k);
  assert.equal(l.virtBase, 0n);
  assert.deepEqual(l.kernel, { pfn: 256, count: 256 });
  assert.equal(l.module, undefined);
  assert.equal(l.p2m.pfn, 512);
  assert.equal(l.p2m.count, 32); // 16384 entries * 8 bytes
  assert.equal(l.p2m.entries, 16384);
  assert.equal(l.p2m.va, 512n * 4096n);
  assert.equal(l.p2m.initP2m, false);
  assert.deepEqual(l.startInfo, { pfn: 544 });
  assert.deepEqual(l.xenstore, { pfn: 545 });
  assert.deepEqual(l.console, { pfn: 546 });
  assert.equal(l.pageTables.pfn, 547);
  assert.deepEqual(l.pageTables.perLevel, { l4: 1, l3: 1, l2: 1, l1: 2 });
  assert.deepEqual(l.bootStack, { pfn: 552 });
  assert.equal(l.mappedEnd, 0x400000n);
  assert.equal(l.totalPages, 1024);
  // Level ranges as the page-table writer needs them.
  assert.deepEqual(
    l.pageTables.levels.map((v) => [v.level, v.pfn, v.count, v.from, v.to]),
    [
      [4, 547, 1, 0n, (1n << 48n) - 1n],
      [3, 548, 1, 0n, (1n << 39n) - 1n],
      [2, 549, 1, 0n, (1n << 30n) - 1n],
      [1, 550, 2, 0n, 0x3fffffn],
    ],
  );
});

test("padding rule: exactly 512 KiB after the stack fits, one page more takes the next 4 MiB", () => {
  const memoryPages = 64 * PAGES_PER_MIB;
  // Kernel from pfn 0, then p2m 32, 3 magic pages, 5 tables, stack, 128 padding pages = 1024.
  const kernelPages = 1024 - (32 + 3 + 5 + 1 + 128);
  const k = kernel({ paddr: 0n, size: kernelPages * 4096 });
  const l = computeLayout(k, { memoryPages, domU: true });
  checkInvariants(l, k);
  assert.equal(l.mappedEnd, 0x400000n);
  assert.equal(l.mappedEnd - pfnToVa(l, l.bootStack.pfn + 1), 512n * 1024n);
  assert.deepEqual(l.pageTables.perLevel, { l4: 1, l3: 1, l2: 1, l1: 2 });
  // One page more: the padding would be 508 KiB, so the mapping grows to 8 MiB.
  const k2 = kernel({ paddr: 0n, size: (kernelPages + 1) * 4096 });
  const l2 = computeLayout(k2, { memoryPages, domU: true });
  checkInvariants(l2, k2);
  assert.equal(l2.mappedEnd, 0x800000n);
  assert.deepEqual(l2.pageTables.perLevel, { l4: 1, l3: 1, l2: 1, l1: 4 });
  assert.equal(l2.totalPages, 2048);
});

test("a mapped module goes after the kernel, an unmapped one after the mapping", () => {
  const k = kernel({ paddr: 0x100000n, size: MiB });
  const l = computeLayout(k, { memoryPages: 64 * PAGES_PER_MIB, moduleBytes: 300000, domU: true });
  checkInvariants(l, k);
  assert.deepEqual(l.module, { pfn: 512, count: 74, bytes: 300000, mapped: true });
  assert.equal(l.p2m.pfn, 512 + 74);

  const ku = kernel({ paddr: 0x100000n, size: MiB, extra: [{ type: NOTE.MOD_START_PFN, desc: u64(1n) }] });
  const lu = computeLayout(ku, { memoryPages: 64 * PAGES_PER_MIB, moduleBytes: 300000, domU: true });
  checkInvariants(lu, ku);
  assert.deepEqual(lu.module, { pfn: lu.mappedPages, count: 74, bytes: 300000, mapped: false });
  assert.equal(lu.p2m.pfn, 512);
  assert.equal(lu.totalPages, lu.mappedPages + 74);
});

test("without domU there are no xenstore and console pages", () => {
  const k = kernel({ paddr: 0x100000n, size: MiB });
  const l = computeLayout(k, { memoryPages: 64 * PAGES_PER_MIB, domU: false });
  checkInvariants(l, k);
  assert.equal(l.xenstore, undefined);
  assert.equal(l.console, undefined);
  assert.equal(l.pageTables.pfn, l.startInfo.pfn + 1);
});

test("a kernel too large for its memory", () => {
  const k = kernel({ paddr: 0x100000n, size: MiB });
  const err = (() => {
    try {
      computeLayout(k, { memoryPages: 2 * PAGES_PER_MIB, domU: true });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof BadKernelError);
  assert.equal(err.file, FILE);
  assert.match(err.message, /^kernel\.elf: boot layout needs 4 MiB \(1024 pages: .*\), domain has 2 MiB; raise --memory to at least 4$/);

  const big = kernel({ paddr: 0x100000n, size: 63 * MiB });
  assert.throws(
    () => computeLayout(big, { memoryPages: 64 * PAGES_PER_MIB, domU: true }),
    (e: unknown) => e instanceof BadKernelError && /needs 68 MiB .* domain has 64 MiB; raise --memory/.test(e.message),
  );
  // ...and it fits with what the message asked for.
  const l = computeLayout(big, { memoryPages: 68 * PAGES_PER_MIB, domU: true });
  assert.ok(l.totalPages <= 68 * PAGES_PER_MIB);

  assert.throws(() => computeLayout(k, { memoryPages: 0, domU: true }), BadKernelError);
  assert.throws(() => computeLayout(k, { memoryPages: 1.5, domU: true }), BadKernelError);
});

test("kernel at VIRT_BASE 0xffffffff80000000 (Linux style, paddr 16 MiB)", () => {
  const vb = 0xffffffff80000000n;
  const k = kernel({ paddr: 0x1000000n, size: MiB, virtBase: vb, paddrOffset: 0n });
  assert.equal(k.vstart, 0xffffffff81000000n);
  const l = computeLayout(k, { memoryPages: 64 * PAGES_PER_MIB, domU: true });
  checkInvariants(l, k);
  assert.equal(l.virtBase, vb);
  assert.deepEqual(l.kernel, { pfn: 4096, count: 256 }); // pfns 0-4095 are padding
  assert.equal(l.p2m.pfn, 4352);
  assert.equal(l.p2m.va, vb + 4352n * 4096n);
  assert.deepEqual(l.startInfo, { pfn: 4384 });
  assert.equal(l.pageTables.pfn, 4387);
  // [vb, vb + 20 MiB): 1 L3, 1 L2, 10 L1 tables
  assert.deepEqual(l.pageTables.perLevel, { l4: 1, l3: 1, l2: 1, l1: 10 });
  assert.equal(l.mappedEnd, vb + 0x1400000n);
  assert.equal(l.totalPages, 5120);
  const [l4, l3, l2, l1] = l.pageTables.levels;
  assert.equal(l3?.from, 0xff8000000000n); // 48-bit, 512 GiB aligned
  assert.equal(l2?.from, 0xffff80000000n);
  assert.equal(l1?.to, 0xffff813fffffn);
  assert.equal(l4?.count, 1);
});

test("INIT_P2M puts the p2m list and its tables after the mapping", () => {
  const vb = 0xffffffff80000000n;
  const k = kernel({
    paddr: 0x1000000n, size: MiB, virtBase: vb, paddrOffset: 0n,
    extra: [{ type: NOTE.INIT_P2M, desc: u64(0x8000000000n) }],
  });
  const l = computeLayout(k, { memoryPages: 64 * PAGES_PER_MIB, domU: true });
  checkInvariants(l, k);
  assert.equal(l.p2m.initP2m, true);
  assert.equal(l.p2m.va, 0x8000000000n);
  assert.deepEqual(l.startInfo, { pfn: 4352 });
  assert.equal(l.pageTables.pfn, 4355);
  assert.deepEqual(l.pageTables.perLevel, { l4: 1, l3: 1, l2: 1, l1: 10 });
  assert.equal(l.bootStack.pfn, 4368);
  assert.equal(l.mappedPages, 5120);
  assert.equal(l.p2m.pfn, 5120);
  assert.equal(l.p2m.count, 32);
  // Its own L3, L2 and L1 (the L4 is shared with the initial mapping).
  assert.deepEqual(l.p2m.pageTables?.perLevel, { l4: 0, l3: 1, l2: 1, l1: 1 });
  assert.deepEqual(l.p2m.pageTables?.levels.map((v) => [v.level, v.pfn, v.count]), [[4, 5152, 0], [3, 5152, 1], [2, 5153, 1], [1, 5154, 1]]);
  assert.equal(l.totalPages, 5155);

  // INIT_P2M at or above VIRT_BASE is ignored (the list stays in the mapping).
  const k0 = kernel({ paddr: 0x100000n, size: MiB, extra: [{ type: NOTE.INIT_P2M, desc: u64(0x8000000000n) }] });
  const l0 = computeLayout(k0, { memoryPages: 64 * PAGES_PER_MIB, domU: true });
  assert.equal(l0.p2m.initP2m, false);
  assert.equal(l0.p2m.pfn, 512);
});

const here = fileURLToPath(new URL(".", import.meta.url));
const hello = `${here}../build/guests/hello.elf`;
test("layout of build/guests/hello.elf", { skip: existsSync(hello) ? false : "build/guests/hello.elf not built" }, () => {
  const k = resolveKernel(parseKernel(new Uint8Array(readFileSync(hello)), "hello.elf"));
  const l = computeLayout(k, { memoryPages: 32 * PAGES_PER_MIB, domU: true });
  checkInvariants(l, k);
  assert.equal(l.virtBase, k.virtBase);
});
