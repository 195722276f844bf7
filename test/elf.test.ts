import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { BadKernelError, parseKernel, resolveKernel, type KernelImage } from "../host/builder/elf.ts";
import { strtoull, parseXenGuest, emptyNotes } from "../host/builder/notes.ts";
import { computeLayout } from "../host/builder/layout.ts";
import {
  buildElf, NOTE, PF_R, PF_W, PF_X, SHT_NOTE, SHT_STRTAB, SHT_SYMTAB,
  str, u8, u16, u32, u64, type ElfSpec, type NoteSpec,
} from "./helpers/elfwriter.ts";

const FILE = "kernel.elf";

/** XTF-like kernel: VIRT_BASE 0, text at 1 MiB, hypercall page at 1 MiB + 4 KiB. */
function goodNotes(extra: NoteSpec[] = []): NoteSpec[] {
  return [
    { type: NOTE.GUEST_OS, desc: str("XTF") },
    { type: NOTE.XEN_VERSION, desc: str("xen-3.0") },
    { type: NOTE.LOADER, desc: str("generic") },
    { type: NOTE.GUEST_VERSION, desc: str("0.1") },
    { type: NOTE.ENTRY, desc: u64(0x100040n) },
    { type: NOTE.HYPERCALL_PAGE, desc: u64(0x101000n) },
    { type: NOTE.VIRT_BASE, desc: u64(0n) },
    { type: NOTE.PADDR_OFFSET, desc: u32(0) },
    { type: NOTE.PAE_MODE, desc: str("yes") },
    { type: NOTE.FEATURES, desc: str("!writable_page_tables|pae_pgdir_above_4gb|some_future_thing") },
    { type: NOTE.SUSPEND_CANCEL, desc: u32(1) },
    { type: NOTE.SUPPORTED_FEATURES, desc: u32(0x801) },
    { type: NOTE.HV_START_LOW, desc: u64(0xffff800000000000n) },
    { type: NOTE.L1_MFN_VALID, desc: new Uint8Array([...u64(1n), ...u64(1n)]) },
    { type: NOTE.MOD_START_PFN, desc: u8(1) },
    { type: NOTE.PHYS32_ENTRY, desc: u32(0x100100) },
    { type: NOTE.PHYS32_RELOC, desc: new Uint8Array([...u32(0x200000), ...u32(0x1000000), ...u32(0x40000000)]) },
    { type: 0, desc: str("info") },
    { type: 99, desc: u32(7) }, // unknown type: ignored
    { name: "GNU", type: 3, desc: new Uint8Array(20) }, // a build-id note: not "Xen"
    ...extra,
  ];
}

function goodSpec(over: Partial<ElfSpec> = {}): ElfSpec {
  const text = new Uint8Array(0x2000).fill(0x90);
  return {
    entry: 0x100000n,
    loads: [
      { paddr: 0x100000n, data: text, flags: PF_R | PF_X },
      { paddr: 0x102000n, data: new Uint8Array(0x100).fill(1), memsz: 0x3000n, flags: PF_R | PF_W },
    ],
    notes: goodNotes(),
    ...over,
  };
}

/** Asserts that fn throws a BadKernelError naming the file and containing each substring. */
function bad(fn: () => unknown, ...parts: string[]): BadKernelError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof BadKernelError, `expected BadKernelError, got ${String(caught)}`);
  assert.equal(caught.file, FILE);
  assert.ok(caught.message.startsWith(`${FILE}: `), caught.message);
  assert.ok(!caught.message.includes("\n"), "one-line message");
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(p)}`);
  return caught;
}

const parse = (b: Uint8Array): KernelImage => parseKernel(b, FILE);
const parseSpec = (s: ElfSpec): KernelImage => parse(buildElf(s).bytes);
const resolveSpec = (s: ElfSpec) => resolveKernel(parseSpec(s));

function patch(b: Uint8Array, f: (dv: DataView) => void): Uint8Array {
  const c = b.slice();
  f(new DataView(c.buffer));
  return c;
}

// ---------------------------------------------------------------------------

test("good kernel with PT_NOTE notes", () => {
  const img = parseSpec(goodSpec());
  const n = img.notes;
  assert.equal(n.source, "PT_NOTE");
  assert.equal(img.entry, 0x100000n);
  assert.equal(img.segments.length, 2);
  assert.equal(img.segments[1]?.memsz, 0x3000n);
  assert.equal(img.segments[1]?.data.length, 0x100);
  assert.equal(n.guestOs, "XTF");
  assert.equal(n.xenVersion, "xen-3.0");
  assert.equal(n.loader, "generic");
  assert.equal(n.guestVersion, "0.1");
  assert.equal(n.entry, 0x100040n);
  assert.equal(n.hypercallPage, 0x101000n);
  assert.equal(n.virtBase, 0n);
  assert.equal(n.paddrOffset, 0n);
  assert.equal(n.paeMode, "yes");
  assert.deepEqual([...(n.features?.supported ?? [])].sort(), ["pae_pgdir_above_4gb", "some_future_thing", "writable_page_tables"]);
  assert.deepEqual([...(n.features?.required ?? [])], ["writable_page_tables"]);
  assert.equal(n.suspendCancel, 1n);
  assert.equal(n.supportedFeatures, 0x801);
  assert.equal(n.hvStartLow, 0xffff800000000000n);
  assert.deepEqual(n.l1MfnValid, [1n, 1n]);
  assert.equal(n.modStartPfn, 1n);
  assert.equal(n.phys32Entry, 0x100100n);
  assert.deepEqual(n.phys32Reloc, [0x200000, 0x1000000, 0x40000000]);
  assert.deepEqual(n.info && Array.from(n.info), Array.from(str("info")));
  assert.equal(n.count, 18); // the unknown type and the GNU note do not count

  const r = resolveKernel(img);
  assert.equal(r.virtBase, 0n);
  assert.equal(r.paddrOffset, 0n);
  assert.equal(r.vstart, 0x100000n);
  assert.equal(r.kend, 0x105000n);
  assert.equal(r.vend, 0x105000n);
  assert.equal(r.entry, 0x100040n); // ENTRY note wins over e_entry
  assert.equal(r.hypercallPage, 0x101000n);
  assert.equal(r.unmappedModule, true);
  assert.equal(r.guestType, "xen-3.0-x86_64");
  assert.deepEqual(r.loads.map((l) => [l.va, l.memsz, l.data.length]), [[0x100000n, 0x2000n, 0x2000], [0x102000n, 0x3000n, 0x100]]);
  assert.equal(r.features.requiredMask, 1);
  assert.equal(r.features.supportedMask, (1 << 0) | (1 << 4) | (1 << 11));
});

test("the same notes only as an SHT_NOTE section", () => {
  const img = parseSpec(goodSpec({ notesAs: "section" }));
  assert.equal(img.notes.source, "SHT_NOTE");
  assert.equal(img.notes.entry, 0x100040n);
  assert.equal(img.notes.hypercallPage, 0x101000n);
  assert.ok(img.sections.some((s) => s.name === ".note.Xen" && s.type === SHT_NOTE));
  const r = resolveKernel(img);
  assert.equal(r.entry, 0x100040n);
  assert.equal(r.vstart, 0x100000n);
});

test("a PT_NOTE with p_offset 0 is skipped and the section is used", () => {
  const built = buildElf(goodSpec({ notesAs: "both" }));
  const noteHdr = built.phdrOffsets[2] ?? 0;
  const img = parse(patch(built.bytes, (dv) => dv.setBigUint64(noteHdr + 8, 0n, true)));
  assert.equal(img.notes.source, "SHT_NOTE");
});

test("PT_NOTE notes win over SHT_NOTE notes", () => {
  const img = parseSpec(goodSpec({ notesAs: "both" }));
  assert.equal(img.notes.source, "PT_NOTE");
});

test("only the legacy __xen_guest section", () => {
  const vb = 0xffffffff80000000n;
  const spec: ElfSpec = {
    entry: vb + 0x100000n,
    loads: [{ paddr: vb + 0x100000n, data: new Uint8Array(0x3000) }],
    xenGuest:
      "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000," +
      "HYPERCALL_PAGE=0x101,LOADER=generic,PAE=yes[extended-cr3],FEATURES=writable_page_tables|!pae_pgdir_above_4gb",
  };
  const img = parseSpec(spec);
  const n = img.notes;
  assert.equal(n.source, "__xen_guest");
  assert.equal(n.guestOs, "linux");
  assert.equal(n.guestVersion, "2.6");
  assert.equal(n.xenVersion, "xen-3.0");
  assert.equal(n.virtBase, vb);
  assert.equal(n.paddrOffset, undefined);
  assert.equal(n.paeMode, "yes[extended-cr3]");
  assert.equal(n.hypercallPage, vb + 0x101000n); // a PFN relative to VIRT_BASE
  assert.deepEqual([...(n.features?.required ?? [])], ["pae_pgdir_above_4gb"]);
  assert.equal(n.legacy?.get("LOADER"), "generic");

  const r = resolveKernel(img);
  assert.equal(r.paddrOffset, vb); // defaults to VIRT_BASE for __xen_guest
  assert.equal(r.vstart, vb + 0x100000n); // paddr + VIRT_BASE - PADDR_OFFSET
  assert.equal(r.entry, vb + 0x100000n); // e_entry (no VIRT_ENTRY)
  assert.equal(r.hypercallPage, vb + 0x101000n);
});

test("__xen_guest parsing follows Xen's field rules", () => {
  const n = emptyNotes();
  parseXenGuest("VIRT_ENTRY=0x1234,ELF_PADDR_OFFSET=010,BSD_SYMTAB,,GUEST_OS=mini,HYPERCALL_PAGE=2", n);
  assert.equal(n.entry, 0x1234n);
  assert.equal(n.paddrOffset, 8n); // octal, like strtoull base 0
  assert.equal(n.bsdSymtab, true);
  assert.equal(n.guestOs, "mini");
  assert.equal(n.hypercallPage, 0x2000n); // no VIRT_BASE: not relocated
  assert.equal(strtoull("0x10"), 16n);
  assert.equal(strtoull("  12abc"), 12n);
  assert.equal(strtoull(""), 0n);
  assert.equal(strtoull("-1"), (1n << 64n) - 1n);
  assert.equal(strtoull("0x1ffffffffffffffff"), (1n << 64n) - 1n);
});

test("non-Xen notes and notes in later PT_NOTE segments", () => {
  // Only a GNU note in the segment: fall back to the __xen_guest section.
  const img = parseSpec({
    ...goodSpec(),
    notes: [{ name: "GNU", type: 3, desc: new Uint8Array(20) }],
    xenGuest: "GUEST_OS=linux,XEN_VER=xen-3.0",
  });
  assert.equal(img.notes.source, "__xen_guest");
});

test("BSD_SYMTAB appends the symbol table block after the image", () => {
  const symtab = new Uint8Array(48).fill(7);
  const strtab = new Uint8Array([0, 0x61, 0x62, 0]);
  const spec = goodSpec({ notes: goodNotes([{ type: NOTE.BSD_SYMTAB, desc: str("yes") }]) });
  // Sections: 0 null, 1 .strtab, 2 .symtab (linking to 1), 3 .shstrtab.
  spec.sections = [
    { name: ".strtab", type: SHT_STRTAB, data: strtab },
    { name: ".symtab", type: SHT_SYMTAB, data: symtab, link: 1, entsize: 24n },
  ];
  const built = buildElf(spec);
  assert.equal(built.sectionIndex.get(".strtab"), 1);
  const r = resolveKernel(parse(built.bytes));
  const blk = r.loads[2];
  assert.ok(blk);
  assert.equal(blk.va, 0x105000n); // pend rounded up to 8
  const size = 264 + 48 + 8; // header, symtab, strtab rounded to 8
  assert.equal(blk.data.length, size);
  assert.equal(r.kend, 0x105000n + BigInt(size));
  assert.equal(r.vend, 0x106000n);
  const dv = new DataView(blk.data.buffer, blk.data.byteOffset);
  assert.equal(dv.getUint32(0, true), 264 + 48 + 4 - 4);
  assert.equal(dv.getUint16(4 + 60, true), 3); // e_shnum
  assert.equal(dv.getBigUint64(4 + 64 + 64 + 24, true), 260n); // symtab sh_offset from the ELF header
  assert.equal(dv.getUint32(4 + 64 + 64 + 40, true), 2); // symtab links to section 2
  assert.equal(blk.data[264], 7);
  assert.equal(blk.data[264 + 48 + 1], 0x61);
});

// ---------------------------------------------------------------------------
// Bad files

test("empty, short and non-ELF files", () => {
  bad(() => parse(new Uint8Array(0)), "file is empty", "x86-64 ELF");
  bad(() => parse(new TextEncoder().encode("{\n  \"a\": 1}")), "not an ELF file (bad magic 7b 0a 20 20)", "x86-64 ELF");
  bad(() => parse(Uint8Array.of(0x7f, 0x45)), "too short");
  const good = buildElf(goodSpec()).bytes;
  bad(() => parse(good.subarray(0, 40)), "truncated ELF header (40 bytes");
});

test("wrong class, endianness, machine or type", () => {
  const good = buildElf(goodSpec()).bytes;
  bad(() => parse(patch(good, (dv) => dv.setUint8(4, 1))), "32-bit ELF: xenwasm runs x86-64 PV kernels only");
  bad(() => parse(patch(good, (dv) => dv.setUint8(4, 9))), "unknown ELF class 9");
  bad(() => parse(patch(good, (dv) => dv.setUint8(5, 2))), "big-endian");
  bad(() => parse(patch(good, (dv) => dv.setUint16(18, 3, true))), "machine 3 (i386) is not x86-64 (62)");
  bad(() => parse(patch(good, (dv) => dv.setUint16(18, 183, true))), "AArch64");
  bad(() => parse(patch(good, (dv) => dv.setUint16(16, 3, true))), "ET_DYN", "ET_EXEC");
  bad(() => parse(patch(good, (dv) => dv.setUint16(16, 1, true))), "ET_REL");
});

test("truncated or out-of-range header tables", () => {
  const built = buildElf(goodSpec());
  const good = built.bytes;
  bad(() => parse(patch(good, (dv) => dv.setUint16(56, 0, true))), "no program headers");
  bad(() => parse(patch(good, (dv) => dv.setBigUint64(32, 0xfffffffffffff000n, true))), "program header table", "past the end of the file");
  bad(() => parse(patch(good, (dv) => dv.setUint16(56, 60000, true))), "program header table", "60000 entries");
  bad(() => parse(patch(good, (dv) => dv.setUint16(54, 32, true))), "program header entry size is 32");
  bad(() => parse(patch(good, (dv) => dv.setBigUint64(40, BigInt(good.length), true))), "section header table", "past the end");
  bad(() => parse(good.subarray(0, good.length - 10)), "section header table");
  // Cut the file inside the first segment's data (a file without section headers).
  const nosec = buildElf(goodSpec({ noSections: true }));
  bad(() => parse(nosec.bytes.subarray(0, (nosec.loadOffsets[0] ?? 0) + 100)), "PT_LOAD segment 0", "runs past the end of the file");
});

test("bad PT_LOAD segments", () => {
  const built = buildElf(goodSpec());
  const ph0 = built.phdrOffsets[0] ?? 0;
  const ph1 = built.phdrOffsets[1] ?? 0;
  bad(() => parse(patch(built.bytes, (dv) => dv.setBigUint64(ph0 + 8, 0xffffffffffffff00n, true))), "PT_LOAD segment 0", "past the end of the file");
  bad(() => parse(patch(built.bytes, (dv) => dv.setBigUint64(ph0 + 40, 0x10n, true))), "filesz larger than memsz");
  bad(() => parse(patch(built.bytes, (dv) => dv.setBigUint64(ph1 + 24, 0x101000n, true))), "PT_LOAD segments 0", "overlap");
  bad(
    () => parse(patch(built.bytes, (dv) => {
      dv.setBigUint64(ph1 + 24, 0xfffffffffffff000n, true);
    })),
    "wraps around the 64-bit address space",
  );
  // No loadable segment: only a PT_LOAD without R/W/X flags.
  bad(() => parseSpec(goodSpec({ loads: [{ paddr: 0x100000n, data: new Uint8Array(16), flags: 0 }] })), "no loadable PT_LOAD");
  bad(() => parseSpec(goodSpec({ loads: [{ paddr: 0x100000n, data: new Uint8Array(16), type: 6 }] })), "no loadable PT_LOAD");
});

test("malformed notes", () => {
  const built = buildElf(goodSpec());
  const noteHdr = built.phdrOffsets[2] ?? 0;
  const at = built.notesOffset;
  // descsz of the first note far too large
  bad(() => parse(patch(built.bytes, (dv) => dv.setUint32(at + 4, 0x7fffffff, true))), "PT_NOTE segment 2", "malformed note", "descsz 2147483647");
  // namesz too large
  bad(() => parse(patch(built.bytes, (dv) => dv.setUint32(at, 0x10000, true))), "malformed note", "namesz 65536");
  // segment size not covering a whole header at the end
  bad(() => parse(patch(built.bytes, (dv) => dv.setBigUint64(noteHdr + 32, BigInt(built.notesSize + 4), true))), "truncated note header");
  // segment past the end of the file
  bad(() => parse(patch(built.bytes, (dv) => dv.setBigUint64(noteHdr + 32, 0x100000000n, true))), "PT_NOTE segment 2", "past the end of the file");
  // numeric note with an odd size
  bad(() => parseSpec(goodSpec({ notes: goodNotes([{ type: NOTE.VIRT_BASE, desc: new Uint8Array(3) }]) })), "VIRT_BASE note has a 3-byte value");
  // the same problems in a section
  const sec = buildElf(goodSpec({ notesAs: "section" }));
  const idx = sec.sectionIndex.get(".note.Xen") ?? 0;
  const sh = sec.shdrOffsets[idx] ?? 0;
  bad(() => parse(patch(sec.bytes, (dv) => dv.setBigUint64(sh + 32, 0x100000n, true))), "SHT_NOTE section", ".note.Xen", "past the end of the file");
  bad(() => parse(patch(sec.bytes, (dv) => dv.setUint32(sec.notesOffset + 4, 0x1000, true))), "SHT_NOTE section", "malformed note");
});

// ---------------------------------------------------------------------------
// Xen's refusal rules

test("no Xen notes at all", () => {
  const noNotes = goodSpec();
  delete noNotes.notes;
  const e = bad(() => resolveSpec(noNotes), "no Xen ELF notes (PT_NOTE, .note.Xen or __xen_guest): not a Xen PV kernel");
  assert.ok(e instanceof Error);
  bad(() => resolveSpec(goodSpec({ notes: [{ name: "GNU", type: 1, desc: u32(0) }] })), "no Xen ELF notes");
});

test("LOADER / GUEST_OS / XEN_VERSION checks", () => {
  const without = (types: number[], extra: NoteSpec[] = []): NoteSpec[] =>
    [...goodNotes().filter((n) => !types.includes(n.type) || n.name === "GNU"), ...extra];
  bad(
    () => resolveSpec(goodSpec({ notes: without([NOTE.LOADER], [{ type: NOTE.GUEST_OS, desc: str("Mini-OS") }]) })),
    'LOADER "generic" or GUEST_OS "linux"', "LOADER <none>", 'GUEST_OS "Mini-OS"', "found ", "XEN_VERSION", "PT_NOTE",
  );
  // GUEST_OS "linux" alone is enough
  const r = resolveSpec(goodSpec({ notes: without([NOTE.LOADER], [{ type: NOTE.GUEST_OS, desc: str("linux") }]) }));
  assert.equal(r.notes.guestOs, "linux");
  bad(() => resolveSpec(goodSpec({ notes: without([NOTE.XEN_VERSION], [{ type: NOTE.XEN_VERSION, desc: str("xen-4.0") }]) })), 'XEN_VERSION is "xen-4.0"', '"xen-3.0"');
  bad(() => resolveSpec(goodSpec({ notes: without([NOTE.XEN_VERSION]) })), "XEN_VERSION is <none>");
});

test("feature refusals", () => {
  const withFeatures = (f: string): ElfSpec =>
    goodSpec({ notes: [...goodNotes().filter((n) => n.type !== NOTE.FEATURES), { type: NOTE.FEATURES, desc: str(f) }] });
  bad(() => resolveSpec(withFeatures("!no_such_feature")), '"!no_such_feature"', "does not know");
  bad(() => resolveSpec(withFeatures("!dom0")), "requires dom0");
  assert.ok(resolveKernel(parseSpec(withFeatures("!dom0")), { domU: false }));
  bad(() => resolveSpec(withFeatures("!auto_translated_physmap")), "auto-translated");
});

test("address refusals", () => {
  const withNotes = (extra: NoteSpec[], drop: number[] = []): ElfSpec =>
    goodSpec({ notes: [...goodNotes().filter((n) => !drop.includes(n.type) || n.name === "GNU"), ...extra] });
  bad(() => resolveSpec(withNotes([{ type: NOTE.ENTRY, desc: u64(0x200000n) }])), "entry point 0x200000 (ENTRY note) lies outside the kernel image [0x100000, 0x105000)");
  bad(() => resolveSpec(withNotes([{ type: NOTE.ENTRY, desc: u64(0x105000n) }])), "entry point");
  bad(() => resolveSpec({ ...withNotes([], [NOTE.ENTRY]), entry: 0x50n }), "entry point 0x50 (e_entry)");
  bad(
    () => resolveSpec(withNotes([{ type: NOTE.VIRT_BASE, desc: u64(0x200000n) }, { type: NOTE.PADDR_OFFSET, desc: u64(0x300000n) }])),
    "VIRT_BASE 0x200000 is above the kernel image start 0x0",
  );
  bad(() => resolveSpec(withNotes([{ type: NOTE.HYPERCALL_PAGE, desc: u64(0x101800n) }])), "HYPERCALL_PAGE 0x101800 is not page-aligned");
  bad(() => resolveSpec(withNotes([{ type: NOTE.HYPERCALL_PAGE, desc: u64(0x105000n) }])), "HYPERCALL_PAGE 0x105000 lies outside the kernel image");
  bad(() => resolveSpec(withNotes([{ type: NOTE.VIRT_BASE, desc: u64(0x0000900000000000n) }])), "not a canonical");
  bad(() => resolveSpec(withNotes([], [NOTE.VIRT_BASE])), "PADDR_OFFSET is set but VIRT_BASE is not");
  bad(() => resolveSpec(withNotes([{ type: NOTE.INIT_P2M, desc: u64(0x102000n) }])), "INIT_P2M 0x102000 lies inside the kernel image");
  bad(() => resolveSpec(withNotes([{ type: NOTE.VIRT_BASE, desc: u64(0x1234n) }])), "VIRT_BASE 0x1234 is not page-aligned");
  // A segment that lands in the non-canonical hole.
  bad(
    () => resolveSpec(withNotes([{ type: NOTE.PADDR_OFFSET, desc: u64((1n << 64n) - 0x7ffffff00000n) }])),
    "PT_LOAD segment 0 lands at", "not a canonical",
  );
  // In the range Xen keeps for itself.
  bad(
    () => resolveSpec(withNotes([
      { type: NOTE.VIRT_BASE, desc: u64(0xffff800000000000n) },
      { type: NOTE.ENTRY, desc: u64(0xffff800000100000n) },
      { type: NOTE.HYPERCALL_PAGE, desc: u64(0xffff800000101000n) },
    ])),
    "overlaps the range Xen reserves",
  );
  // Image start not page-aligned.
  bad(
    () => resolveSpec(goodSpec({
      loads: [{ paddr: 0x100800n, data: new Uint8Array(0x3000) }],
      notes: goodNotes([{ type: NOTE.ENTRY, desc: u64(0x100800n) }, { type: NOTE.HYPERCALL_PAGE, desc: u64(0x102000n) }]),
    })),
    "not page-aligned",
  );
});

test("a synthetic 32-bit kernel is refused before anything else", () => {
  bad(() => parseSpec(goodSpec({ elfClass: 1 })), "32-bit ELF");
});

test("16-bit and 8-bit numeric notes are read", () => {
  const img = parseSpec(goodSpec({ notes: goodNotes([{ type: NOTE.SUSPEND_CANCEL, desc: u16(0x1234) }]) }));
  assert.equal(img.notes.suspendCancel, 0x1234n);
});

// ---------------------------------------------------------------------------

const here = fileURLToPath(new URL(".", import.meta.url));
const hello = `${here}../build/guests/hello.elf`;
test("build/guests/hello.elf parses and resolves", { skip: existsSync(hello) ? false : "build/guests/hello.elf not built" }, () => {
  const img = parseKernel(new Uint8Array(readFileSync(hello)), "hello.elf");
  assert.notEqual(img.notes.source, "none");
  assert.ok(img.notes.xenVersion?.startsWith("xen-3.0"));
  assert.ok(img.notes.loader?.startsWith("generic") || img.notes.guestOs?.startsWith("linux"));
  const r = resolveKernel(img);
  assert.ok(r.entry >= r.vstart && r.entry < r.kend);
  assert.ok(r.loads.length > 0);
  if (r.hypercallPage !== undefined) assert.equal(r.hypercallPage % 4096n, 0n);
});

test("random corruption never crashes: it parses or throws BadKernelError", () => {
  const base = buildElf(goodSpec({ notesAs: "both", xenGuest: "GUEST_OS=linux,XEN_VER=xen-3.0" })).bytes;
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const headerish = 64 + 3 * 56 + 64; // bias towards header bytes
  for (let i = 0; i < 3000; i++) {
    const b = base.slice(0, rnd(8) === 0 ? rnd(base.length + 1) : base.length);
    const flips = 1 + rnd(4);
    for (let j = 0; j < flips && b.length > 0; j++) {
      const at = rnd(3) === 0 ? rnd(b.length) : rnd(Math.min(headerish, b.length));
      b[at] = rnd(4) === 0 ? 0xff : rnd(256);
    }
    try {
      const r = resolveKernel(parse(b));
      computeLayout(r, { memoryPages: 16384, domU: true });
    } catch (e) {
      assert.ok(e instanceof BadKernelError, `mutation ${i}: ${String(e)}`);
    }
  }
});
