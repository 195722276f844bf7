// The domain builder against Xen's rules for the same ELF (ABI doc section 3): start_info's
// fields, the p2m and M2P, the initial page tables and the first vCPU's registers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Hypervisor } from "../host/index.ts";
import { parseKernel, resolveKernel } from "../host/builder/elf.ts";
import { computeLayout, pfnToVa } from "../host/builder/layout.ts";
import * as A from "../host/gen/abi.ts";

const HELLO = "build/guests/hello.elf";
const MIB = 24;

test("start_info, p2m, M2P, page tables and vCPU 0 are laid out as Xen does", () => {
  const hv = new Hypervisor({ memoryMiB: 64, seed: 3 });
  const dom = hv.createDomain({ kernel: HELLO, memoryMiB: MIB, cmdline: "console=hvc0 loglevel=7" });
  const k = resolveKernel(parseKernel(readFileSync(HELLO), HELLO));
  const pages = MIB * 256;
  const layout = computeLayout(k, { memoryPages: pages, domU: true });
  const x = hv.core.exports;
  const dv = hv.core.dv();
  const u8 = hv.core.u8();
  const { p2m } = dom.built;
  const page = (pfn: number) => x.frameAddr(p2m[pfn]!);

  // Order of the bootstrap elements, all page aligned, VA = VIRT_BASE + pfn * 4096.
  assert.equal(k.virtBase, 0xffffffff80000000n);
  assert.equal(layout.kernel.pfn, 0);
  assert.ok(layout.p2m.pfn >= layout.kernel.pfn + layout.kernel.count);
  assert.equal(layout.startInfo.pfn, layout.p2m.pfn + layout.p2m.count);
  assert.equal(layout.xenstore!.pfn, layout.startInfo.pfn + 1);
  assert.equal(layout.console!.pfn, layout.xenstore!.pfn + 1);
  assert.equal(layout.pageTables.pfn, layout.console!.pfn + 1);
  assert.equal(layout.bootStack.pfn, layout.pageTables.pfn + layout.pageTables.count);
  assert.equal(layout.mappedEnd % (4n << 20n), 0n);
  assert.ok(layout.mappedEnd - pfnToVa(layout, layout.bootStack.pfn + 1) >= 512n * 1024n);

  // start_info.
  const si = page(layout.startInfo.pfn);
  assert.equal(Buffer.from(u8.subarray(si, si + 15)).toString("latin1"), "xen-3.0-x86_64\0");
  const get64 = (off: number) => dv.getBigUint64(si + off, true);
  assert.equal(get64(A.SI_nr_pages), BigInt(pages));
  assert.equal(get64(A.SI_shared_info), BigInt(dom.built.sharedInfoMfn) << 12n);
  assert.equal(get64(A.SI_store_mfn), BigInt(p2m[layout.xenstore!.pfn]!));
  assert.equal(get64(A.SI_console_mfn), BigInt(p2m[layout.console!.pfn]!));
  assert.equal(get64(A.SI_pt_base), pfnToVa(layout, layout.pageTables.l4Pfn));
  assert.equal(get64(A.SI_nr_pt_frames), BigInt(layout.pageTables.count));
  assert.equal(get64(A.SI_mfn_list), pfnToVa(layout, layout.p2m.pfn));
  assert.equal(get64(A.SI_mod_start), 0n);
  assert.equal(get64(A.SI_mod_len), 0n);
  const cmd = Buffer.from(u8.subarray(si + A.SI_cmd_line, si + A.SI_cmd_line + 64)).toString("latin1");
  assert.equal(cmd.slice(0, cmd.indexOf("\0")), "console=hvc0 loglevel=7");

  // The p2m list in guest memory, and the M2P kept in sync with it.
  for (let pfn = 0; pfn < pages; pfn++) {
    const e = dv.getBigUint64(page(layout.p2m.pfn + (pfn >> 9)) + (pfn & 511) * 8, true);
    assert.equal(e, BigInt(p2m[pfn]!));
    if (pfn % 97 === 0) assert.equal(x.m2pGet(p2m[pfn]!), BigInt(pfn));
  }
  assert.equal(new Set(p2m).size, pages, "every pfn has its own frame");

  // Page tables: everything mapped; page-table frames read-only, the rest writable.
  const l4 = page(layout.pageTables.l4Pfn);
  const walk = (va: bigint): bigint => {
    let table = l4;
    let e = 0n;
    for (let level = 4; level >= 1; level--) {
      const idx = Number((va >> BigInt(12 + 9 * (level - 1))) & 511n);
      e = dv.getBigUint64(table + idx * 8, true);
      assert.ok((e & 1n) === 1n, `va ${va.toString(16)} level ${level} present`);
      if (level > 1) table = x.frameAddr(Number((e >> 12n) & 0xffffffffffn));
    }
    return e;
  };
  const ptFirst = layout.pageTables.pfn;
  const ptLast = ptFirst + layout.pageTables.count;
  for (let pfn = 0; pfn < layout.mappedPages; pfn++) {
    const e = walk(pfnToVa(layout, pfn));
    assert.equal(Number((e >> 12n) & 0xffffffffffn), p2m[pfn], `pfn ${pfn} maps its own frame`);
    const isPt = pfn >= ptFirst && pfn < ptLast;
    assert.equal((e & 2n) === 2n, !isPt, `pfn ${pfn} ${isPt ? "page table read-only" : "writable"}`);
  }

  // vCPU 0: Xen's initial register state.
  const v = x.domainVcpu(dom.id, 0);
  const save = x.vcpuSaveAddr(v);
  const reg = (r: number) => dv.getBigUint64(save + (A.REGS - A.CPU) + r * 8, true);
  assert.equal(dv.getBigUint64(save + (A.RIP - A.CPU), true), k.entry);
  assert.equal(reg(4), pfnToVa(layout, layout.bootStack.pfn + 1), "RSP = top of the boot stack");
  assert.equal(reg(6), pfnToVa(layout, layout.startInfo.pfn), "RSI = start_info");
  for (const r of [0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15]) assert.equal(reg(r), 0n, `GPR ${r} is 0`);
  assert.equal(dv.getUint16(save + (A.SEL - A.CPU) + 2, true), 0xe033);
  assert.equal(dv.getUint16(save + (A.SEL - A.CPU) + 4, true), 0xe02b);
  assert.equal(BigInt.asUintN(64, x.vcpuGetRflags(v)) & 0x200n, 0x200n);
  assert.equal(dv.getBigUint64(save + (A.CR3 - A.CPU), true), BigInt(p2m[layout.pageTables.l4Pfn]!) << 12n);
  const shared = x.frameAddr(dom.built.sharedInfoMfn);
  for (let i = 0; i < A.XEN_LEGACY_MAX_VCPUS; i++) {
    assert.equal(u8[shared + i * A.VCPU_INFO_SIZE + A.VI_evtchn_upcall_mask], 1, `vcpu_info[${i}] events masked`);
  }
  // The hypercall page holds Xen's stubs: slot 1 is `push %rcx; push %r11; mov $1,%eax; syscall; ...`.
  const hp = page(Number((k.hypercallPage! - k.virtBase) >> 12n));
  assert.deepEqual([...u8.subarray(hp + 32, hp + 32 + 14)], [0x51, 0x41, 0x53, 0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3]);
  assert.deepEqual([...u8.subarray(hp + 23 * 32, hp + 23 * 32 + 11)], [0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05]);
});
