// Node permissions, as C xenstored keeps them (xenstore_lib.h, core.c perm_for_conn).
//
// A node carries a list of (domid, access) entries. The first entry names the owner,
// and its access letter is what every domain not listed gets. The owner, and a
// privileged connection (dom0), have full access; only they may change permissions.
// An entry naming a domain that no longer exists (or that was created after the node
// was written) is flagged IGNORE so a later domain reusing the domid inherits nothing.

import { XsError } from "./protocol.ts";

export const XS_PERM_NONE = 0;
export const XS_PERM_READ = 1;
export const XS_PERM_WRITE = 2;
export const XS_PERM_ENOENT_OK = 4;
export const XS_PERM_OWNER = 8;
export const XS_PERM_IGNORE = 16;

export interface Perm {
  /** Domain id as C stores it: an unsigned 32-bit value. */
  id: number;
  perms: number;
}

/** Who is asking: the connection's domain, its privilege, and its SET_TARGET target. */
export interface Asker {
  domid: number;
  privileged: boolean;
  target: number | null;
}

/** The access a connection has to a node with these permissions (READ|WRITE|OWNER bits). */
export function permFor(who: Asker, perms: readonly Perm[]): number {
  const all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
  const owner = perms[0];
  if (!owner) return XS_PERM_NONE;
  if (who.privileged || owner.id === who.domid || (who.target !== null && owner.id === who.target)) return all;
  for (let i = 1; i < perms.length; i++) {
    const p = perms[i]!;
    if (p.perms & XS_PERM_IGNORE) continue;
    if (p.id === who.domid || (who.target !== null && p.id === who.target)) return p.perms & all;
  }
  return owner.perms & all;
}

/** "r5", "n0", ...: the wire form of one entry (xenstore_perm_to_string). */
export function permToString(p: Perm): string {
  const letter = ["n", "r", "w", "b"][p.perms & (XS_PERM_READ | XS_PERM_WRITE)]!;
  return letter + String(p.id | 0);
}

/**
 * Parse wire entries (xenstore_strings_to_perms): a letter n/r/w/b, then a domid as
 * C strtol(base 0) reads it (decimal, 0x hex, 0 octal, optional sign), nothing after.
 */
export function parsePerm(s: string): Perm {
  const letter = s[0];
  const bits = letter === "n" ? XS_PERM_NONE : letter === "r" ? XS_PERM_READ : letter === "w" ? XS_PERM_WRITE : letter === "b" ? XS_PERM_READ | XS_PERM_WRITE : -1;
  if (bits < 0) throw new XsError("EINVAL");
  const id = strtolBase0(s.slice(1));
  if (id === null) throw new XsError("EINVAL");
  return { id, perms: bits };
}

function strtolBase0(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const digits = m[2]!;
  let v = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === "0" ? BigInt("0o" + digits.slice(1)) : BigInt(digits);
  if (m[1] === "-") v = -v;
  // strtol saturates at the 64-bit long range; the id keeps the low 32 bits.
  const max = (1n << 63n) - 1n;
  if (v > max) v = max;
  if (v < -max - 1n) v = -max - 1n;
  return Number(BigInt.asUintN(32, v));
}

export function clonePerms(perms: readonly Perm[]): Perm[] {
  return perms.map((p) => ({ id: p.id, perms: p.perms }));
}

/**
 * Flag IGNORE on every non-owner entry whose domain is gone, or was created after
 * the node (generation) was written (C domain_adjust_node_perms). Returns the same
 * array when nothing changed, a new one otherwise.
 */
export function adjustPerms(perms: Perm[], generation: number, domainGeneration: (domid: number) => number | null): Perm[] {
  let out = perms;
  for (let i = 1; i < perms.length; i++) {
    const p = perms[i]!;
    if (p.perms & XS_PERM_IGNORE) continue;
    const g = domainGeneration(p.id);
    if (g !== null && g <= generation) continue;
    if (out === perms) out = clonePerms(perms);
    out[i]!.perms |= XS_PERM_IGNORE;
  }
  return out;
}
