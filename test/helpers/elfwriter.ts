// A small builder of synthetic ELF64 files for tests: header, PT_LOAD
// segments, Xen notes (as a PT_NOTE segment, an SHT_NOTE section or both),
// a legacy `__xen_guest` section and extra sections. It writes what it is
// told, so tests can also produce broken files (or patch the returned bytes
// at the offsets it reports).

export interface LoadSpec {
  paddr: bigint;
  /** Defaults to paddr. */
  vaddr?: bigint;
  /** File bytes (filesz = length). */
  data?: Uint8Array;
  /** Defaults to data length. */
  memsz?: bigint;
  /** p_flags, default R|X (5). */
  flags?: number;
  /** p_type, default PT_LOAD (1). */
  type?: number;
}

export interface NoteSpec {
  /** Default "Xen". */
  name?: string;
  type: number;
  desc: Uint8Array;
}

export interface SectionSpec {
  name: string;
  type: number;
  data?: Uint8Array;
  flags?: bigint;
  link?: number;
  info?: number;
  entsize?: bigint;
}

export interface ElfSpec {
  entry: bigint;
  loads: LoadSpec[];
  notes?: NoteSpec[];
  /** Where the notes go; default "segment". */
  notesAs?: "segment" | "section" | "both";
  /** Name of the SHT_NOTE section; default ".note.Xen". */
  noteSectionName?: string;
  /** Contents of a `__xen_guest` section (a NUL is appended). */
  xenGuest?: string;
  /** Further sections, after the note and `__xen_guest` ones. */
  sections?: SectionSpec[];
  /** Write no section headers at all. */
  noSections?: boolean;
  elfClass?: number;
  elfData?: number;
  machine?: number;
  elfType?: number;
}

export interface BuiltElf {
  bytes: Uint8Array;
  phoff: number;
  shoff: number;
  /** Offset of each program header entry, in spec order (loads, then PT_NOTE). */
  phdrOffsets: number[];
  /** File offsets of each load's data. */
  loadOffsets: number[];
  notesOffset: number;
  notesSize: number;
  /** Section index by name. */
  sectionIndex: Map<string, number>;
  /** Offset of each section header, by section index. */
  shdrOffsets: number[];
}

export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const enc = new TextEncoder();

export function u8(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff);
}
export function u16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, true);
  return b;
}
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
export function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}
/** A NUL-terminated string desc. */
export function str(s: string): Uint8Array {
  return concat([enc.encode(s), Uint8Array.of(0)]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

/** Encodes notes in the ELF note format (4-byte aligned name and desc). */
export function encodeNotes(notes: NoteSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const n of notes) {
    const name = str(n.name ?? "Xen");
    parts.push(u32(name.length), u32(n.desc.length), u32(n.type));
    parts.push(name, new Uint8Array(pad4(name.length)));
    parts.push(n.desc, new Uint8Array(pad4(n.desc.length)));
  }
  return concat(parts);
}

/** Xen note numbers, for building note lists in tests. */
export const NOTE = {
  ENTRY: 1, HYPERCALL_PAGE: 2, VIRT_BASE: 3, PADDR_OFFSET: 4, XEN_VERSION: 5, GUEST_OS: 6,
  GUEST_VERSION: 7, LOADER: 8, PAE_MODE: 9, FEATURES: 10, BSD_SYMTAB: 11, HV_START_LOW: 12,
  L1_MFN_VALID: 13, SUSPEND_CANCEL: 14, INIT_P2M: 15, MOD_START_PFN: 16, SUPPORTED_FEATURES: 17,
  PHYS32_ENTRY: 18, PHYS32_RELOC: 19,
} as const;

export function buildElf(spec: ElfSpec): BuiltElf {
  const notesAs = spec.notesAs ?? "segment";
  const noteBlob = spec.notes ? encodeNotes(spec.notes) : undefined;
  const noteSeg = noteBlob !== undefined && notesAs !== "section";
  const noteSec = noteBlob !== undefined && notesAs !== "segment";

  const phnum = spec.loads.length + (noteSeg ? 1 : 0);
  const phoff = 64;
  let pos = phoff + phnum * 56;
  const align = (a: number): void => {
    pos += (a - (pos % a)) % a;
  };
  const chunks: Array<{ at: number; data: Uint8Array }> = [];
  const place = (data: Uint8Array, a: number): number => {
    align(a);
    const at = pos;
    chunks.push({ at, data });
    pos += data.length;
    return at;
  };

  const loadOffsets = spec.loads.map((l) => place(l.data ?? new Uint8Array(0), 16));
  const notesOffset = noteBlob ? place(noteBlob, 8) : 0;

  // Sections: null, [.note.Xen], [__xen_guest], extras, .shstrtab
  interface Sec { name: string; type: number; offset: number; size: number; flags: bigint; link: number; info: number; entsize: bigint }
  const secs: Sec[] = [{ name: "", type: 0, offset: 0, size: 0, flags: 0n, link: 0, info: 0, entsize: 0n }];
  if (!spec.noSections) {
    if (noteSec && noteBlob) {
      secs.push({ name: spec.noteSectionName ?? ".note.Xen", type: SHT_NOTE, offset: notesOffset, size: noteBlob.length, flags: 2n, link: 0, info: 0, entsize: 0n });
    }
    if (spec.xenGuest !== undefined) {
      const d = str(spec.xenGuest);
      secs.push({ name: "__xen_guest", type: SHT_PROGBITS, offset: place(d, 1), size: d.length, flags: 0n, link: 0, info: 0, entsize: 0n });
    }
    for (const s of spec.sections ?? []) {
      const d = s.data ?? new Uint8Array(0);
      secs.push({
        name: s.name, type: s.type, offset: place(d, 8), size: d.length, flags: s.flags ?? 0n,
        link: s.link ?? 0, info: s.info ?? 0, entsize: s.entsize ?? 0n,
      });
    }
  }
  const sectionIndex = new Map<string, number>();
  let shoff = 0;
  let shnum = 0;
  let shstrndx = 0;
  const shdrOffsets: number[] = [];
  const nameOffsets: number[] = [];
  if (!spec.noSections) {
    secs.push({ name: ".shstrtab", type: SHT_STRTAB, offset: 0, size: 0, flags: 0n, link: 0, info: 0, entsize: 0n });
    const strParts: Uint8Array[] = [Uint8Array.of(0)];
    let strLen = 1;
    for (const s of secs) {
      if (s.name === "") {
        nameOffsets.push(0);
        continue;
      }
      nameOffsets.push(strLen);
      const b = str(s.name);
      strParts.push(b);
      strLen += b.length;
    }
    const strtab = concat(strParts);
    const last = secs[secs.length - 1];
    if (last) {
      last.offset = place(strtab, 1);
      last.size = strtab.length;
    }
    secs.forEach((s, i) => sectionIndex.set(s.name, i));
    align(8);
    shoff = pos;
    shnum = secs.length;
    shstrndx = secs.length - 1;
    pos += shnum * 64;
  }

  const bytes = new Uint8Array(pos);
  const dv = new DataView(bytes.buffer);
  for (const c of chunks) bytes.set(c.data, c.at);

  // ELF header
  bytes.set([0x7f, 0x45, 0x4c, 0x46, spec.elfClass ?? 2, spec.elfData ?? 1, 1, 0], 0);
  dv.setUint16(16, spec.elfType ?? 2, true);
  dv.setUint16(18, spec.machine ?? 62, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, spec.entry, true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, phnum, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, shnum, true);
  dv.setUint16(62, shstrndx, true);

  // Program headers
  const phdrOffsets: number[] = [];
  let ph = phoff;
  spec.loads.forEach((l, i) => {
    const filesz = BigInt(l.data?.length ?? 0);
    phdrOffsets.push(ph);
    dv.setUint32(ph, l.type ?? PT_LOAD, true);
    dv.setUint32(ph + 4, l.flags ?? PF_R | PF_X, true);
    dv.setBigUint64(ph + 8, BigInt(loadOffsets[i] ?? 0), true);
    dv.setBigUint64(ph + 16, BigInt.asUintN(64, l.vaddr ?? l.paddr), true);
    dv.setBigUint64(ph + 24, BigInt.asUintN(64, l.paddr), true);
    dv.setBigUint64(ph + 32, filesz, true);
    dv.setBigUint64(ph + 40, BigInt.asUintN(64, l.memsz ?? filesz), true);
    dv.setBigUint64(ph + 48, 0x1000n, true);
    ph += 56;
  });
  if (noteSeg && noteBlob) {
    phdrOffsets.push(ph);
    dv.setUint32(ph, PT_NOTE, true);
    dv.setUint32(ph + 4, PF_R, true);
    dv.setBigUint64(ph + 8, BigInt(notesOffset), true);
    dv.setBigUint64(ph + 32, BigInt(noteBlob.length), true);
    dv.setBigUint64(ph + 40, BigInt(noteBlob.length), true);
    dv.setBigUint64(ph + 48, 4n, true);
  }

  // Section headers
  secs.forEach((s, i) => {
    if (spec.noSections) return;
    const o = shoff + i * 64;
    shdrOffsets.push(o);
    dv.setUint32(o, nameOffsets[i] ?? 0, true);
    dv.setUint32(o + 4, s.type, true);
    dv.setBigUint64(o + 8, s.flags, true);
    dv.setBigUint64(o + 24, BigInt(s.offset), true);
    dv.setBigUint64(o + 32, BigInt(s.size), true);
    dv.setUint32(o + 40, s.link, true);
    dv.setUint32(o + 44, s.info, true);
    dv.setBigUint64(o + 48, 1n, true);
    dv.setBigUint64(o + 56, s.entsize, true);
  });

  return {
    bytes, phoff, shoff, phdrOffsets, loadOffsets, notesOffset,
    notesSize: noteBlob?.length ?? 0, sectionIndex, shdrOffsets,
  };
}
