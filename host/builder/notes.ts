// Xen ELF notes: the "Xen" notes a PV kernel carries (PT_NOTE segments or
// SHT_NOTE sections) and the legacy `__xen_guest` "KEY=VAL,..." string.
//
// This file only decodes. Which notes are searched first and what the values
// mean for loading is decided in elf.ts; bounds errors are reported through
// the `fail` callback so that the caller can raise its own error type.

/** Note type numbers (the `type` field of a note whose name is "Xen"). */
export const XEN_ELFNOTE = {
  INFO: 0,
  ENTRY: 1,
  HYPERCALL_PAGE: 2,
  VIRT_BASE: 3,
  PADDR_OFFSET: 4,
  XEN_VERSION: 5,
  GUEST_OS: 6,
  GUEST_VERSION: 7,
  LOADER: 8,
  PAE_MODE: 9,
  FEATURES: 10,
  BSD_SYMTAB: 11,
  HV_START_LOW: 12,
  L1_MFN_VALID: 13,
  SUSPEND_CANCEL: 14,
  INIT_P2M: 15,
  MOD_START_PFN: 16,
  SUPPORTED_FEATURES: 17,
  PHYS32_ENTRY: 18,
  PHYS32_RELOC: 19,
} as const;

/** Printable names of note types 0..19, indexed by type. */
export const XEN_ELFNOTE_NAMES: readonly string[] = [
  "INFO", "ENTRY", "HYPERCALL_PAGE", "VIRT_BASE", "PADDR_OFFSET", "XEN_VERSION",
  "GUEST_OS", "GUEST_VERSION", "LOADER", "PAE_MODE", "FEATURES", "BSD_SYMTAB",
  "HV_START_LOW", "L1_MFN_VALID", "SUSPEND_CANCEL", "INIT_P2M", "MOD_START_PFN",
  "SUPPORTED_FEATURES", "PHYS32_ENTRY", "PHYS32_RELOC",
];

export type XenNoteSource = "PT_NOTE" | "SHT_NOTE" | "__xen_guest";

/** Feature names from a FEATURES note (or the legacy FEATURES key). */
export interface XenFeatureNames {
  /** Every name listed, required ones included (as Xen counts them). */
  supported: Set<string>;
  /** Names written with a `!` prefix (stored without the `!`). */
  required: Set<string>;
}

/**
 * Everything the Xen notes of one kernel say. Absent fields were not given.
 * Numeric values are raw (not sign-extended, not defaulted); defaults and
 * checks are applied by resolveKernel().
 */
export interface XenNotes {
  /** Where the notes were found; "none" when the kernel has no Xen notes. */
  source: XenNoteSource | "none";
  /** Xen notes read (for `__xen_guest`: KEY=VAL items read). */
  count: number;
  /** Names of the note kinds present, in first-seen order (e.g. "ENTRY"). */
  present: string[];

  info?: Uint8Array;
  entry?: bigint;
  /** VA of the hypercall page. For `__xen_guest` this is already
   * (PFN << 12) + VIRT_BASE, as Xen computes it. */
  hypercallPage?: bigint;
  virtBase?: bigint;
  paddrOffset?: bigint;
  xenVersion?: string;
  guestOs?: string;
  guestVersion?: string;
  loader?: string;
  /** Raw PAE_MODE string ("yes", "bimodal", "no", or legacy "yes[extended-cr3]"). */
  paeMode?: string;
  features?: XenFeatureNames;
  /** Raw FEATURES strings, in order (several notes accumulate). */
  featuresRaw?: string[];
  /** True when the kernel asks for its symbol table to be loaded after it. */
  bsdSymtab?: boolean;
  hvStartLow?: bigint;
  /** L1_MFN_VALID mask/value words (64-bit units when the size allows). */
  l1MfnValid?: bigint[];
  suspendCancel?: bigint;
  initP2m?: bigint;
  modStartPfn?: bigint;
  /** SUPPORTED_FEATURES submap 0 (bit n = XENFEAT n), OR-ed over notes. */
  supportedFeatures?: number;
  phys32Entry?: bigint;
  /** PHYS32_RELOC 32-bit words (align, min, max), PVH only. */
  phys32Reloc?: number[];
  /** Raw KEY=VAL pairs of a legacy `__xen_guest` string. */
  legacy?: Map<string, string>;
}

export type Fail = (message: string) => never;

export function emptyNotes(): XenNotes {
  return { source: "none", count: 0, present: [] };
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

function markPresent(notes: XenNotes, name: string): void {
  if (!notes.present.includes(name)) notes.present.push(name);
}

/** Reads a NUL-terminated string from `b` (or all of `b` when no NUL). */
export function cString(b: Uint8Array): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  let s = "";
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

function readUnsigned(b: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}

/** Adds the names of a FEATURES string ("a|!b|c") to `into`. */
export function parseFeatureString(s: string, into: XenFeatureNames): void {
  for (const part of s.split("|")) {
    if (part === "" || part === "!") continue;
    if (part.startsWith("!")) {
      const name = part.slice(1);
      into.supported.add(name);
      into.required.add(name);
    } else {
      into.supported.add(part);
    }
  }
}

function addFeatures(notes: XenNotes, s: string): void {
  notes.features ??= { supported: new Set(), required: new Set() };
  parseFeatureString(s, notes.features);
  (notes.featuresRaw ??= []).push(s);
}

/**
 * Walks the notes in bytes [start, end) of the file and records every note
 * named "Xen" into `notes`. Returns how many Xen notes were found. `where`
 * names the region for messages (e.g. "PT_NOTE segment 2"). `budget` counts
 * notes across all regions (a guard against absurd files).
 */
export function parseNoteRegion(
  bytes: Uint8Array,
  start: number,
  end: number,
  where: string,
  notes: XenNotes,
  budget: { left: number },
  fail: Fail,
): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let found = 0;
  let pos = start;
  while (pos < end) {
    if (end - pos < 12) {
      fail(`${where}: truncated note header at file offset ${hex(pos)} (${end - pos} bytes left, a note header is 12)`);
    }
    if (budget.left-- <= 0) fail(`${where}: too many ELF notes (over 65536)`);
    const namesz = dv.getUint32(pos, true);
    const descsz = dv.getUint32(pos + 4, true);
    const type = dv.getUint32(pos + 8, true);
    const nameOff = pos + 12;
    const descOff = nameOff + align4(namesz);
    const descEnd = descOff + descsz;
    if (nameOff + namesz > end || descEnd > end) {
      fail(
        `${where}: malformed note at file offset ${hex(pos)} (namesz ${namesz}, descsz ${descsz}) ` +
          `runs past the end of the region at ${hex(end)}`,
      );
    }
    const name = cString(bytes.subarray(nameOff, nameOff + namesz));
    if (name === "Xen") {
      found++;
      recordNote(type, bytes.subarray(descOff, descEnd), notes, `${where}: note at file offset ${hex(pos)}`, fail);
    }
    pos = descOff + align4(descsz);
  }
  return found;
}

function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function recordNote(type: number, desc: Uint8Array, notes: XenNotes, where: string, fail: Fail): void {
  const name = XEN_ELFNOTE_NAMES[type];
  if (name === undefined) return; // unknown types are skipped, as Xen does
  notes.count++;
  markPresent(notes, name);

  const num = (): bigint => {
    const n = desc.length;
    if (n !== 1 && n !== 2 && n !== 4 && n !== 8) {
      fail(`${where}: ${name} note has a ${n}-byte value (numeric notes are 1, 2, 4 or 8 bytes)`);
    }
    return readUnsigned(desc, 0, n);
  };
  const str = (): string => cString(desc);
  const words = (unit: number): bigint[] => {
    const out: bigint[] = [];
    for (let i = 0; i + unit <= desc.length; i += unit) out.push(readUnsigned(desc, i, unit));
    return out;
  };

  const N = XEN_ELFNOTE;
  switch (type) {
    case N.INFO: notes.info = desc.slice(); break;
    case N.ENTRY: notes.entry = num(); break;
    case N.HYPERCALL_PAGE: notes.hypercallPage = num(); break;
    case N.VIRT_BASE: notes.virtBase = num(); break;
    case N.PADDR_OFFSET: notes.paddrOffset = num(); break;
    case N.XEN_VERSION: notes.xenVersion = str(); break;
    case N.GUEST_OS: notes.guestOs = str(); break;
    case N.GUEST_VERSION: notes.guestVersion = str(); break;
    case N.LOADER: notes.loader = str(); break;
    case N.PAE_MODE: notes.paeMode = str(); break;
    case N.FEATURES: addFeatures(notes, str()); break;
    case N.BSD_SYMTAB: notes.bsdSymtab = str() === "yes"; break;
    case N.HV_START_LOW: notes.hvStartLow = num(); break;
    case N.L1_MFN_VALID: notes.l1MfnValid = words(desc.length % 8 === 0 ? 8 : 4); break;
    case N.SUSPEND_CANCEL: notes.suspendCancel = num(); break;
    case N.INIT_P2M: notes.initP2m = num(); break;
    case N.MOD_START_PFN: notes.modStartPfn = num(); break;
    case N.SUPPORTED_FEATURES: {
      // An array of 32-bit submaps; only submap 0 exists. A size that is not
      // a multiple of 4 contributes nothing (Xen reads it as 0).
      const first = desc.length >= 4 && desc.length % 4 === 0 ? Number(readUnsigned(desc, 0, 4)) : 0;
      notes.supportedFeatures = ((notes.supportedFeatures ?? 0) | first) >>> 0;
      break;
    }
    case N.PHYS32_ENTRY: notes.phys32Entry = num(); break;
    case N.PHYS32_RELOC: notes.phys32Reloc = words(4).map(Number); break;
  }
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * C's strtoull(s, NULL, 0): optional blanks and sign, base from the prefix
 * ("0x" hex, "0" octal, else decimal), stops at the first bad digit, 0 when
 * no digits, saturates at 2^64-1, a minus sign negates modulo 2^64.
 */
export function strtoull(s: string): bigint {
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i] ?? "")) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  let base = 10n;
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X") && /[0-9a-fA-F]/.test(s[i + 2] ?? "")) {
    base = 16n;
    i += 2;
  } else if (s[i] === "0") {
    base = 8n;
  }
  let v = 0n;
  let saturated = false;
  for (; i < s.length; i++) {
    const d = parseInt(s[i] ?? "", 16);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = v * base + BigInt(d);
    if (v > U64_MAX) saturated = true;
  }
  if (saturated) return U64_MAX;
  return neg ? (-v) & U64_MAX : v;
}

/**
 * Parses a legacy `__xen_guest` string into `notes`, with the same field
 * limits as Xen (names up to 31 characters, values up to 127; longer text
 * spills into the next item). Returns the number of items read.
 */
export function parseXenGuest(text: string, notes: XenNotes): number {
  const legacy = new Map<string, string>();
  let h = 0;
  const at = (k: number): string => (k < text.length ? (text[k] ?? "\0") : "\0");
  let items = 0;
  let virtBase: bigint | undefined;
  let hypercallPfn: bigint | undefined;

  while (at(h) !== "\0") {
    let name = "";
    let value = "";
    for (let len = 0; ; len++, h++) {
      if (len >= 31) break;
      const c = at(h);
      if (c === "\0") break;
      if (c === ",") { h++; break; }
      if (c === "=") {
        h++;
        for (let vlen = 0; ; vlen++, h++) {
          if (vlen >= 127) break;
          const v = at(h);
          if (v === "\0") break;
          if (v === ",") { h++; break; }
          value += v;
        }
        break;
      }
      name += c;
    }
    items++;
    legacy.set(name, value);

    switch (name) {
      case "LOADER": notes.loader = value; markPresent(notes, "LOADER"); break;
      case "GUEST_OS": notes.guestOs = value; markPresent(notes, "GUEST_OS"); break;
      case "GUEST_VER": notes.guestVersion = value; markPresent(notes, "GUEST_VERSION"); break;
      case "XEN_VER": notes.xenVersion = value; markPresent(notes, "XEN_VERSION"); break;
      case "PAE": notes.paeMode = value; markPresent(notes, "PAE_MODE"); break;
      case "BSD_SYMTAB": notes.bsdSymtab = true; markPresent(notes, "BSD_SYMTAB"); break;
      case "VIRT_BASE": virtBase = notes.virtBase = strtoull(value); markPresent(notes, "VIRT_BASE"); break;
      case "VIRT_ENTRY": notes.entry = strtoull(value); markPresent(notes, "ENTRY"); break;
      case "ELF_PADDR_OFFSET": notes.paddrOffset = strtoull(value); markPresent(notes, "PADDR_OFFSET"); break;
      case "HYPERCALL_PAGE": hypercallPfn = strtoull(value); markPresent(notes, "HYPERCALL_PAGE"); break;
      case "FEATURES": addFeatures(notes, value); markPresent(notes, "FEATURES"); break;
    }
  }

  // HYPERCALL_PAGE is a page number relative to VIRT_BASE here.
  if (hypercallPfn !== undefined) {
    let va = (hypercallPfn << 12n) & U64_MAX;
    if (virtBase !== undefined) va = (va + virtBase) & U64_MAX;
    notes.hypercallPage = va;
  }
  notes.legacy = legacy;
  notes.count = items;
  return items;
}
