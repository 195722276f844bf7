// Reading a Xen PV kernel: ELF64 parsing with full validation (parseKernel)
// and Xen's address rules and refusals (resolveKernel).
//
// Everything read from the file is bounds-checked; 64-bit fields are bigint
// and checked before they become array offsets. Any problem is reported as
// a BadKernelError whose one-line message names the file, says what is wrong
// and what to do about it.

import {
  emptyNotes,
  parseNoteRegion,
  parseXenGuest,
  cString,
  XEN_ELFNOTE_NAMES,
  type XenNotes,
  type Fail,
} from "./notes.ts";

export type { XenNotes, XenNoteSource, XenFeatureNames } from "./notes.ts";

/** The kernel file cannot be used; `message` starts with the file name. */
export class BadKernelError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "BadKernelError";
    this.file = file;
  }
}

export interface KernelSegment {
  /** Index of the program header. */
  index: number;
  paddr: bigint;
  vaddr: bigint;
  memsz: bigint;
  filesz: bigint;
  /** File offset of the data. */
  offset: bigint;
  /** The segment's bytes in the file (a view, length filesz). */
  data: Uint8Array;
  /** p_flags: PF_X 1, PF_W 2, PF_R 4. */
  flags: number;
}

export interface KernelSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
}

export interface KernelImage {
  file: string;
  /** e_entry. */
  entry: bigint;
  /** Loadable PT_LOAD segments (type PT_LOAD with any of R/W/X set), file order. */
  segments: KernelSegment[];
  notes: XenNotes;
  /** Section headers (empty when the file has none). */
  sections: KernelSection[];
  /** The whole file (kept for the BSD symbol table copy). */
  raw: Uint8Array;
}

const PAGE = 4096n;
const U64 = 1n << 64n;
const U64_MASK = U64 - 1n;
const ELF64_EHDR = 64;
const ELF64_PHDR = 56;
const ELF64_SHDR = 64;

const PT_LOAD = 1;
const PT_NOTE = 4;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOTE = 7;
const SHT_NOBITS = 8;
const EM_X86_64 = 62;
const ET_EXEC = 2;

const ADVICE_BUILD = "pass a Xen PV kernel built as an x86-64 ELF";
const ADVICE_CORRUPT = "the file is truncated or corrupt; rebuild the kernel or copy it again";

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

const MACHINES: Record<number, string> = {
  3: "i386", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 40: "ARM", 183: "AArch64", 243: "RISC-V",
};

/**
 * Parses and validates an ELF64 x86-64 kernel and reads its Xen notes (PT_NOTE
 * segments first, then SHT_NOTE sections, then the legacy `__xen_guest`
 * section). Throws BadKernelError for anything malformed; a valid ELF with no
 * Xen notes parses fine (notes.source "none") and is refused by resolveKernel.
 */
export function parseKernel(bytes: Uint8Array, file: string): KernelImage {
  const fail: Fail = (problem: string): never => {
    throw new BadKernelError(file, problem);
  };
  const size = bytes.length;
  if (size === 0) fail(`file is empty; ${ADVICE_BUILD}`);
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  const head = Array.from(bytes.subarray(0, 4));
  if (head.some((b, i) => b !== magic[i])) {
    const shown = head.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    fail(`not an ELF file (bad magic ${shown}); ${ADVICE_BUILD}`);
  }
  if (size < 16) fail(`file is only ${size} bytes, too short for an ELF header; ${ADVICE_CORRUPT}`);
  const cls = bytes[4] ?? 0;
  if (cls === 1) fail(`32-bit ELF: xenwasm runs x86-64 PV kernels only; rebuild the kernel for x86-64`);
  if (cls !== 2) fail(`unknown ELF class ${cls} (expected 2, ELF64); ${ADVICE_BUILD}`);
  const data = bytes[5] ?? 0;
  if (data === 2) fail(`big-endian ELF: x86-64 kernels are little-endian; ${ADVICE_BUILD}`);
  if (data !== 1) fail(`unknown ELF data encoding ${data} (expected 1, little-endian); ${ADVICE_BUILD}`);
  if (size < ELF64_EHDR) {
    fail(`truncated ELF header (${size} bytes, an ELF64 header is ${ELF64_EHDR}); ${ADVICE_CORRUPT}`);
  }

  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const u64 = (o: number): bigint => dv.getBigUint64(o, true);

  const eType = u16(16);
  const eMachine = u16(18);
  if (eMachine !== EM_X86_64) {
    const what = MACHINES[eMachine] ? `${eMachine} (${MACHINES[eMachine]})` : `${eMachine}`;
    fail(`ELF machine ${what} is not x86-64 (62); ${ADVICE_BUILD}`);
  }
  if (eType !== ET_EXEC) {
    const what =
      eType === 1 ? "a relocatable object (ET_REL), not a linked kernel" :
      eType === 3 ? "position-independent (ET_DYN)" :
      eType === 4 ? "a core dump (ET_CORE)" : `of unknown type ${eType}`;
    fail(`ELF file is ${what}; link the kernel as a static executable (ET_EXEC)`);
  }
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const shstrndx = u16(62);
  const fileSize = BigInt(size);

  // Program headers.
  if (phnum === 0) fail(`no program headers, so no PT_LOAD segments to load; ${ADVICE_BUILD}`);
  if (phentsize !== ELF64_PHDR) {
    fail(`program header entry size is ${phentsize}, ELF64 uses ${ELF64_PHDR}; ${ADVICE_CORRUPT}`);
  }
  if (phoff + BigInt(phnum * ELF64_PHDR) > fileSize) {
    fail(
      `program header table (offset ${hex(phoff)}, ${phnum} entries) runs past the end of the file ` +
        `(${size} bytes); ${ADVICE_CORRUPT}`,
    );
  }
  interface Phdr { index: number; type: number; flags: number; offset: bigint; vaddr: bigint; paddr: bigint; filesz: bigint; memsz: bigint }
  const phdrs: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = Number(phoff) + i * ELF64_PHDR;
    phdrs.push({
      index: i, type: u32(o), flags: u32(o + 4), offset: u64(o + 8), vaddr: u64(o + 16),
      paddr: u64(o + 24), filesz: u64(o + 32), memsz: u64(o + 40),
    });
  }

  // Section headers (optional; a stripped kernel may have none).
  const sections: KernelSection[] = [];
  if (shnum > 0) {
    if (shentsize !== ELF64_SHDR) {
      fail(`section header entry size is ${shentsize}, ELF64 uses ${ELF64_SHDR}; ${ADVICE_CORRUPT}`);
    }
    if (shoff + BigInt(shnum * ELF64_SHDR) > fileSize) {
      fail(
        `section header table (offset ${hex(shoff)}, ${shnum} entries) runs past the end of the file ` +
          `(${size} bytes); ${ADVICE_CORRUPT}`,
      );
    }
    for (let i = 0; i < shnum; i++) {
      const o = Number(shoff) + i * ELF64_SHDR;
      sections.push({
        index: i, name: "", type: u32(o + 4), flags: u64(o + 8), addr: u64(o + 16),
        offset: u64(o + 24), size: u64(o + 32), link: u32(o + 40), info: u32(o + 44),
      });
    }
    const strtab = sections[shstrndx];
    const nameOf = (idx: number): number => u32(Number(shoff) + idx * ELF64_SHDR);
    if (shstrndx !== 0 && strtab !== undefined && strtab.type !== SHT_NOBITS) {
      if (strtab.offset + strtab.size > fileSize) {
        fail(
          `section name table (section ${shstrndx}, offset ${hex(strtab.offset)}, size ${hex(strtab.size)}) ` +
            `runs past the end of the file (${size} bytes); ${ADVICE_CORRUPT}`,
        );
      }
      const names = bytes.subarray(Number(strtab.offset), Number(strtab.offset + strtab.size));
      for (const s of sections) {
        const off = nameOf(s.index);
        s.name = off < names.length ? cString(names.subarray(off)) : "";
      }
    }
  }

  const inFile = (off: bigint, len: bigint): boolean => off + len <= fileSize;

  // Loadable segments.
  const segments: KernelSegment[] = [];
  for (const p of phdrs) {
    if (p.type !== PT_LOAD || (p.flags & 7) === 0) continue;
    const seg = `PT_LOAD segment ${p.index} (paddr ${hex(p.paddr)}, filesz ${hex(p.filesz)}, memsz ${hex(p.memsz)})`;
    if (p.filesz > p.memsz) fail(`${seg} has filesz larger than memsz; ${ADVICE_CORRUPT}`);
    if (p.filesz > 0n && !inFile(p.offset, p.filesz)) {
      fail(`${seg} data at file offset ${hex(p.offset)} runs past the end of the file (${size} bytes); ${ADVICE_CORRUPT}`);
    }
    if (p.paddr + p.memsz > U64) fail(`${seg} wraps around the 64-bit address space; ${ADVICE_CORRUPT}`);
    const off = p.filesz > 0n ? Number(p.offset) : 0;
    segments.push({
      index: p.index, paddr: p.paddr, vaddr: p.vaddr, memsz: p.memsz, filesz: p.filesz,
      offset: p.offset, data: bytes.subarray(off, off + Number(p.filesz)), flags: p.flags,
    });
  }
  if (segments.length === 0) fail(`no loadable PT_LOAD segment; ${ADVICE_BUILD}`);

  const byPaddr = segments.filter((s) => s.memsz > 0n).sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : 0));
  for (let i = 1; i < byPaddr.length; i++) {
    const a = byPaddr[i - 1];
    const b = byPaddr[i];
    if (a && b && a.paddr + a.memsz > b.paddr) {
      fail(
        `PT_LOAD segments ${a.index} (paddr ${hex(a.paddr)}-${hex(a.paddr + a.memsz)}) and ${b.index} ` +
          `(paddr ${hex(b.paddr)}-${hex(b.paddr + b.memsz)}) overlap; fix the kernel's linker script`,
      );
    }
  }

  // Xen notes, searched in Xen's order.
  const notes = emptyNotes();
  const budget = { left: 65536 };
  const noteFail: Fail = (problem: string): never => fail(`${problem}; ${ADVICE_CORRUPT}`);
  let found = 0;
  for (const p of phdrs) {
    if (p.type !== PT_NOTE || p.offset === 0n) continue; // offset 0: a broken binutils note segment
    if (!inFile(p.offset, p.filesz)) {
      fail(
        `PT_NOTE segment ${p.index} (offset ${hex(p.offset)}, size ${hex(p.filesz)}) runs past the end of the ` +
          `file (${size} bytes); ${ADVICE_CORRUPT}`,
      );
    }
    found += parseNoteRegion(bytes, Number(p.offset), Number(p.offset + p.filesz), `PT_NOTE segment ${p.index}`, notes, budget, noteFail);
  }
  if (found > 0) notes.source = "PT_NOTE";
  if (found === 0) {
    for (const s of sections) {
      if (s.index === 0 || s.type !== SHT_NOTE) continue;
      const label = `SHT_NOTE section ${s.index}${s.name ? ` (${s.name})` : ""}`;
      if (!inFile(s.offset, s.size)) {
        fail(`${label} (offset ${hex(s.offset)}, size ${hex(s.size)}) runs past the end of the file (${size} bytes); ${ADVICE_CORRUPT}`);
      }
      found += parseNoteRegion(bytes, Number(s.offset), Number(s.offset + s.size), label, notes, budget, noteFail);
    }
    if (found > 0) notes.source = "SHT_NOTE";
  }
  if (found === 0) {
    const guest = sections.find((s) => s.name === "__xen_guest");
    if (guest) {
      if (guest.type === SHT_NOBITS) fail(`__xen_guest section has no data (SHT_NOBITS); ${ADVICE_CORRUPT}`);
      if (!inFile(guest.offset, guest.size)) {
        fail(
          `__xen_guest section (offset ${hex(guest.offset)}, size ${hex(guest.size)}) runs past the end of the ` +
            `file (${size} bytes); ${ADVICE_CORRUPT}`,
        );
      }
      const text = cString(bytes.subarray(Number(guest.offset), Number(guest.offset + guest.size)));
      parseXenGuest(text, notes);
      notes.source = "__xen_guest";
    }
  }

  return { file, entry, segments, notes, sections, raw: bytes };
}

// ---------------------------------------------------------------------------
// Xen's address rules

/** Feature names that Xen's loader knows, with their XENFEAT bit. */
export const XEN_FEATURE_BITS: Readonly<Record<string, number>> = {
  writable_page_tables: 0,
  writable_descriptor_tables: 1,
  auto_translated_physmap: 2,
  supervisor_mode_kernel: 3,
  pae_pgdir_above_4gb: 4,
  hvm_callback_vector: 8,
  dom0: 11,
};

export interface ResolvedFeatures {
  supported: Set<string>;
  required: Set<string>;
  /** XENFEAT bits the kernel supports: known FEATURES names | SUPPORTED_FEATURES. */
  supportedMask: number;
  /** XENFEAT bits the kernel requires. */
  requiredMask: number;
}

export interface KernelLoad {
  /** Guest virtual address of the first byte. */
  va: bigint;
  /** Bytes to copy (length <= memsz); the rest of memsz is zero. */
  data: Uint8Array;
  memsz: bigint;
}

export interface ResolvedKernel {
  file: string;
  virtBase: bigint;
  paddrOffset: bigint;
  /** First VA of the image (page-aligned). */
  vstart: bigint;
  /** End of the image, rounded up to a page. */
  vend: bigint;
  /** Exact end of the image (Xen's virt_kend). */
  kend: bigint;
  entry: bigint;
  hypercallPage?: bigint;
  /** What to copy where; includes the BSD symbol table block when requested. */
  loads: KernelLoad[];
  features: ResolvedFeatures;
  /** INIT_P2M note value (VA for the p2m list), when given. */
  initP2m?: bigint;
  /** MOD_START_PFN note value, when given. */
  modStartPfn?: bigint;
  /** MOD_START_PFN != 0: the module goes after the initial mapping, unmapped. */
  unmappedModule: boolean;
  /** start_info.magic for this kernel. */
  guestType: "xen-3.0-x86_64";
  notes: XenNotes;
}

export interface ResolveOptions {
  /** Building an unprivileged domain (default true): refuse dom0-only kernels. */
  domU?: boolean;
}

/** Canonical 48-bit address. */
export function isCanonical(va: bigint): boolean {
  return va < 0x0000_8000_0000_0000n || (va >= 0xffff_8000_0000_0000n && va < U64);
}

/** [va, va+len) is canonical, does not wrap and does not cross the hole. */
export function isCanonicalRange(va: bigint, len: bigint): boolean {
  if (len === 0n) return isCanonical(va);
  const last = va + len - 1n;
  if (last >= U64) return false;
  return isCanonical(va) && isCanonical(last) && (va < 0x0000_8000_0000_0000n) === (last < 0x0000_8000_0000_0000n);
}

/** Virtual range Xen keeps for itself in every 64-bit PV address space. */
export const XEN_RESERVED_START = 0xffff_8000_0000_0000n;
export const XEN_RESERVED_END = 0xffff_8800_0000_0000n;

export function overlapsXenReserved(va: bigint, len: bigint): boolean {
  return va < XEN_RESERVED_END && va + len > XEN_RESERVED_START;
}

/**
 * Applies Xen's rules (libelf-dominfo.c note and address checks, plus the
 * domain builder's own refusals) and returns where everything goes.
 */
export function resolveKernel(img: KernelImage, opts: ResolveOptions = {}): ResolvedKernel {
  const domU = opts.domU ?? true;
  const file = img.file;
  const fail: (problem: string) => never = (problem) => {
    throw new BadKernelError(file, problem);
  };
  const n = img.notes;

  if (n.source === "none") {
    fail(
      "no Xen ELF notes (PT_NOTE, .note.Xen or __xen_guest): not a Xen PV kernel; " +
        "build it with Xen's ELF notes (GUEST_OS or LOADER, XEN_VERSION, ENTRY)",
    );
  }
  const found = `found ${n.present.length ? n.present.join(", ") : "no usable notes"} in ${n.source}`;
  const q = (s: string | undefined): string => (s === undefined ? "<none>" : JSON.stringify(s));

  const loaderOk = n.loader !== undefined && n.loader.startsWith("generic");
  const osOk = n.guestOs !== undefined && n.guestOs.startsWith("linux");
  if (!loaderOk && !osOk) {
    fail(
      `Xen loads only kernels with LOADER "generic" or GUEST_OS "linux", this one has LOADER ${q(n.loader)} ` +
        `and GUEST_OS ${q(n.guestOs)} (${found}); add a LOADER "generic" note`,
    );
  }
  if (n.xenVersion === undefined || !n.xenVersion.startsWith("xen-3.0")) {
    fail(`XEN_VERSION is ${q(n.xenVersion)}, Xen loads only kernels built for "xen-3.0" (${found}); set the XEN_VERSION note to "xen-3.0"`);
  }

  // Features.
  const supported = new Set(n.features?.supported ?? []);
  const required = new Set(n.features?.required ?? []);
  let supportedMask = n.supportedFeatures ?? 0;
  let requiredMask = 0;
  for (const name of supported) {
    const bit = XEN_FEATURE_BITS[name];
    if (bit !== undefined) supportedMask |= 1 << bit;
  }
  for (const name of required) {
    const bit = XEN_FEATURE_BITS[name];
    if (bit === undefined) {
      fail(`FEATURES requires "!${name}", a feature Xen does not know, so Xen refuses the kernel; remove it from the FEATURES note`);
    }
    requiredMask |= 1 << bit;
  }
  supportedMask >>>= 0;
  if (required.has("auto_translated_physmap")) {
    fail(`FEATURES requires auto_translated_physmap: auto-translated PV guests are not supported; build the kernel for plain PV`);
  }
  if (domU && required.has("dom0")) {
    fail(`FEATURES requires dom0: the kernel cannot run as an unprivileged domain; use a kernel that supports domU operation`);
  }

  // Addresses.
  if (n.paddrOffset !== undefined && n.virtBase === undefined) {
    fail(`PADDR_OFFSET is set but VIRT_BASE is not, which Xen refuses; add a VIRT_BASE note`);
  }
  const virtBase = n.virtBase ?? 0n;
  // Modern notes default PADDR_OFFSET to 0, the legacy string to VIRT_BASE.
  const paddrOffset = n.paddrOffset ?? (n.source === "__xen_guest" ? virtBase : 0n);
  const virtOffset = (virtBase - paddrOffset) & U64_MASK;

  if (!isCanonical(virtBase)) fail(`VIRT_BASE ${hex(virtBase)} is not a canonical x86-64 address; fix the VIRT_BASE note`);
  if (virtBase % PAGE !== 0n) fail(`VIRT_BASE ${hex(virtBase)} is not page-aligned; fix the VIRT_BASE note`);

  const loads: KernelLoad[] = [];
  let pstart = U64;
  let pend = 0n;
  for (const s of img.segments) {
    const va = (s.paddr + virtOffset) & U64_MASK;
    if (!isCanonicalRange(va, s.memsz)) {
      fail(
        `PT_LOAD segment ${s.index} lands at ${hex(va)}-${hex(va + s.memsz)} (paddr ${hex(s.paddr)} + VIRT_BASE ` +
          `${hex(virtBase)} - PADDR_OFFSET ${hex(paddrOffset)}), not a canonical x86-64 range; fix the notes or the link addresses`,
      );
    }
    loads.push({ va, data: s.data, memsz: s.memsz });
    if (s.paddr < pstart) pstart = s.paddr;
    if (s.paddr + s.memsz > pend) pend = s.paddr + s.memsz;
  }
  const vstart = (pstart + virtOffset) & U64_MASK;
  let kend = vstart + (pend - pstart);

  // BSD_SYMTAB: Xen appends a small ELF image holding .symtab and .strtab.
  if (n.bsdSymtab) {
    const blob = bsdSymtabBlock(img, fail);
    if (blob) {
      const at = vstart + (((pend + 7n) & ~7n) - pstart);
      loads.push({ va: at, data: blob, memsz: BigInt(blob.length) });
      kend = at + BigInt(blob.length);
    }
  }
  const vend = (kend + PAGE - 1n) & ~(PAGE - 1n);
  const image = `[${hex(vstart)}, ${hex(kend)})`;

  if (!isCanonicalRange(vstart, vend - vstart)) {
    fail(`kernel image ${image} is not a canonical x86-64 range; fix the notes or the link addresses`);
  }
  if (overlapsXenReserved(vstart, vend - vstart)) {
    fail(
      `kernel image ${image} overlaps the range Xen reserves for itself (${hex(XEN_RESERVED_START)}-` +
        `${hex(XEN_RESERVED_END)}); link the kernel elsewhere`,
    );
  }
  if (virtBase > vstart) {
    fail(`VIRT_BASE ${hex(virtBase)} is above the kernel image start ${hex(vstart)}; fix the VIRT_BASE or PADDR_OFFSET note`);
  }
  if (vstart % PAGE !== 0n) {
    fail(`kernel image starts at ${hex(vstart)}, which is not page-aligned; align the first PT_LOAD segment to 4 KiB`);
  }

  const entry = n.entry ?? img.entry;
  if (entry < vstart || entry >= kend) {
    fail(
      `entry point ${hex(entry)} (${n.entry !== undefined ? "ENTRY note" : "e_entry"}) lies outside the kernel ` +
        `image ${image}; fix the ENTRY note or the link addresses`,
    );
  }

  const hypercallPage = n.hypercallPage;
  if (hypercallPage !== undefined) {
    if (hypercallPage % PAGE !== 0n) {
      fail(`HYPERCALL_PAGE ${hex(hypercallPage)} is not page-aligned; align the hypercall page to 4 KiB`);
    }
    if (hypercallPage < vstart || hypercallPage + PAGE > vend) {
      fail(`HYPERCALL_PAGE ${hex(hypercallPage)} lies outside the kernel image ${image}; fix the HYPERCALL_PAGE note`);
    }
  }

  const initP2m = n.initP2m;
  if (initP2m !== undefined) {
    if (initP2m >= vstart && initP2m < kend) {
      fail(`INIT_P2M ${hex(initP2m)} lies inside the kernel image ${image}; fix the INIT_P2M note`);
    }
    if (!isCanonical(initP2m)) fail(`INIT_P2M ${hex(initP2m)} is not a canonical x86-64 address; fix the INIT_P2M note`);
  }

  return {
    file,
    virtBase,
    paddrOffset,
    vstart,
    vend,
    kend,
    entry,
    ...(hypercallPage !== undefined ? { hypercallPage } : {}),
    loads,
    features: { supported, required, supportedMask, requiredMask },
    ...(initP2m !== undefined ? { initP2m } : {}),
    ...(n.modStartPfn !== undefined ? { modStartPfn: n.modStartPfn } : {}),
    unmappedModule: (n.modStartPfn ?? 0n) !== 0n,
    guestType: "xen-3.0-x86_64",
    notes: n,
  };
}

/**
 * The block Xen places after a BSD_SYMTAB kernel (8-byte aligned): a u32 size,
 * an ELF header, three section headers (null, .symtab, .strtab) and the two
 * tables, offsets relative to the ELF header. Undefined when the kernel has
 * no usable symbol table (Xen then loads nothing extra).
 */
function bsdSymtabBlock(img: KernelImage, fail: (p: string) => never): Uint8Array | undefined {
  const secs = img.sections;
  let symtab: KernelSection | undefined;
  for (const s of secs) {
    if (s.index === 0 || s.type !== SHT_SYMTAB) continue;
    if (s.link === 0 || s.link >= secs.length) break;
    symtab = s;
    break;
  }
  if (!symtab) return undefined;
  const strtab = secs[symtab.link];
  if (!strtab || strtab.type !== SHT_STRTAB) return undefined;
  const fileSize = BigInt(img.raw.length);
  for (const s of [symtab, strtab]) {
    if (s.offset + s.size > fileSize) {
      fail(`section ${s.index}${s.name ? ` (${s.name})` : ""} runs past the end of the file (${img.raw.length} bytes); ${ADVICE_CORRUPT}`);
    }
  }
  const r8 = (x: number): number => (x + 7) & ~7;
  const symSize = Number(symtab.size);
  const strSize = Number(strtab.size);
  const HDR = 4 + ELF64_EHDR + 3 * ELF64_SHDR; // 260
  const symOff = r8(HDR);
  const strOff = r8(symOff + symSize);
  const total = r8(strOff + strSize);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const raw = img.raw;
  const rawShdr = (s: KernelSection): Uint8Array => {
    const shoff = Number(new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigUint64(40, true));
    return raw.subarray(shoff + s.index * ELF64_SHDR, shoff + (s.index + 1) * ELF64_SHDR);
  };
  dv.setUint32(0, strOff + strSize - 4, true);
  out.set(raw.subarray(0, ELF64_EHDR), 4);
  const eh = 4;
  dv.setUint32(eh + 20, 1, true); // e_version
  dv.setBigUint64(eh + 32, 0n, true); // e_phoff
  dv.setBigUint64(eh + 40, BigInt(ELF64_EHDR), true); // e_shoff
  dv.setUint16(eh + 52, ELF64_EHDR, true); // e_ehsize
  dv.setUint16(eh + 54, 0, true); // e_phentsize
  dv.setUint16(eh + 56, 0, true); // e_phnum
  dv.setUint16(eh + 58, ELF64_SHDR, true); // e_shentsize
  dv.setUint16(eh + 60, 3, true); // e_shnum
  dv.setUint16(eh + 62, 0, true); // e_shstrndx
  const sh1 = eh + ELF64_EHDR + ELF64_SHDR;
  const sh2 = sh1 + ELF64_SHDR;
  out.set(rawShdr(symtab), sh1);
  dv.setBigUint64(sh1 + 24, BigInt(symOff - eh), true);
  dv.setUint32(sh1 + 40, 2, true);
  out.set(rawShdr(strtab), sh2);
  dv.setBigUint64(sh2 + 24, BigInt(strOff - eh), true);
  out.set(raw.subarray(Number(symtab.offset), Number(symtab.offset) + symSize), symOff);
  out.set(raw.subarray(Number(strtab.offset), Number(strtab.offset) + strSize), strOff);
  return out;
}

/** Name of a Xen note type (for messages). */
export function xenNoteName(type: number): string {
  return XEN_ELFNOTE_NAMES[type] ?? `type ${type}`;
}
