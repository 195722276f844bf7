// The node requests: READ, DIRECTORY, DIRECTORY_PART, GET_PERMS, WRITE, MKDIR, RM,
// SET_PERMS (C xenstored core.c do_read ... do_set_perms). Each takes the request
// payload and returns the reply payload, or throws XsError.
//
// Permission errors follow C's rule that a failure must not reveal what the asker may
// not see: a missing node is ENOENT only if the nearest existing ancestor grants the
// asker the access it wanted; otherwise, like any refusal, EACCES.

import { basename, canonicalize, childPath, domainPath, parentOf } from "./paths.ts";
import type { Perm } from "./permissions.ts";
import { clonePerms, parsePerm, permFor, permToString, XS_PERM_IGNORE, XS_PERM_OWNER, XS_PERM_READ, XS_PERM_WRITE } from "./permissions.ts";
import { atoi, bytes, latin1, nulJoin, okPayload, onearg, strings, XENSTORE_PAYLOAD_MAX, XsError, type XsErrno } from "./protocol.ts";
import type { Ctx, Store } from "./store.ts";
import { childBytes, nodeSize, type Node } from "./tree.ts";
import type { WatchMatch } from "./watches.ts";

export interface OpEnv {
  store: Store;
  /** A change to `name`: queued in the transaction, or fired to every permitted watch now. */
  fire(ctx: Ctx, name: string, node: Node | null, match: WatchMatch, oldPerms: Perm[] | null): void;
  /** Whether a domain exists (permission entries naming others are flagged IGNORE). */
  domainExists(domid: number): boolean;
}

function canon(ctx: Ctx, env: OpEnv, path: string | null, allowSpecial: boolean): string {
  return canonicalize(path, { home: domainPath(ctx.who.domid), pathMax: env.store.quotas.pathMax(ctx.unpriv) }, allowSpecial);
}

/** The node, if the asker has all of `perm` on it; else ENOENT or EACCES as described above. */
function lookup(env: OpEnv, ctx: Ctx, name: string, perm: number): Node | XsErrno {
  const n = env.store.read(ctx, name);
  if (n && (permFor(ctx.who, n.perms) & perm) === perm) return n;
  const err = n ? "EACCES" : "ENOENT";
  return parentsGrant(env, ctx, name, perm) ? err : "EACCES";
}

function getNode(env: OpEnv, ctx: Ctx, name: string, perm: number): Node {
  const n = lookup(env, ctx, name, perm);
  if (typeof n === "string") throw new XsError(n);
  return n;
}

/** Whether the nearest existing ancestor gives the asker any of `perm` (C ask_parents). */
function parentsGrant(env: OpEnv, ctx: Ctx, name: string, perm: number): boolean {
  let p = name;
  let node: Node | null = null;
  do {
    p = parentOf(p);
    node = env.store.read(ctx, p);
  } while (!node && p !== "/");
  return node !== null && (permFor(ctx.who, node.perms) & perm) !== 0;
}

export function doRead(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const name = canon(ctx, env, onearg(payload), false);
  return getNode(env, ctx, name, XS_PERM_READ).value;
}

export function doDirectory(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const name = canon(ctx, env, onearg(payload), false);
  return bytes(childBytes(getNode(env, ctx, name, XS_PERM_READ)));
}

/**
 * "<generation>\0" then as many whole children ("name\0") from byte `offset` of the
 * child list as fit in one reply, then an extra "\0" once the list is complete
 * (C send_directory_part). The generation lets the client notice a change between parts.
 */
export function doDirectoryPart(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const args = strings(payload);
  if (args.length !== 2) throw new XsError("EINVAL");
  const node = getNode(env, ctx, canon(ctx, env, args[0]!, false), XS_PERM_READ);
  const off = atoi(args[1]!) >>> 0;
  const gen = `${node.generation}\0`;
  const all = childBytes(node);
  if (off >= all.length) return bytes(gen + "\0");
  const maxlen = XENSTORE_PAYLOAD_MAX - gen.length - 1;
  let len = 0;
  let complete = false;
  for (;;) {
    const end = all.indexOf("\0", off + len);
    const childLen = end - (off + len);
    if (len + childLen >= maxlen) break;
    len += childLen + 1;
    if (off + len === all.length) {
      complete = true;
      break;
    }
  }
  return bytes(gen + all.slice(off, off + len) + (complete ? "\0" : ""));
}

export function doGetPerms(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const name = canon(ctx, env, onearg(payload), true);
  return nulJoin(getNode(env, ctx, name, XS_PERM_READ).perms.map(permToString));
}

export function doWrite(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const nul = payload.indexOf(0);
  if (nul < 0) throw new XsError("EINVAL");
  const name = canon(ctx, env, latin1(payload.subarray(0, nul)), false);
  const value = payload.slice(nul + 1);
  const node = getOrMissing(env, ctx, name, XS_PERM_WRITE);
  if (node) {
    node.value = value;
    env.store.write(ctx, name, node);
  } else {
    createNode(env, ctx, name, value);
  }
  env.fire(ctx, name, null, "subtree", null);
  return okPayload();
}

export function doMkdir(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const name = canon(ctx, env, onearg(payload), false);
  if (!getOrMissing(env, ctx, name, XS_PERM_WRITE)) {
    createNode(env, ctx, name, new Uint8Array(0));
    env.fire(ctx, name, null, "subtree", null);
  }
  return okPayload();
}

export function doRm(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const name = canon(ctx, env, onearg(payload), false);
  const node = getOrMissing(env, ctx, name, XS_PERM_WRITE);
  if (!node) {
    // Already gone: fine, as long as the parent is there.
    if (env.store.read(ctx, parentOf(name))) return okPayload();
    throw new XsError("ENOENT");
  }
  if (name === "/") throw new XsError("EINVAL");
  rmNode(env, ctx, name);
  return okPayload();
}

/**
 * SET_PERMS "path\0perm\0perm\0...": only the owner (or a privileged connection) may,
 * and only a privileged one may hand the node to another owner.
 */
export function doSetPerms(env: OpEnv, ctx: Ctx, payload: Uint8Array): Uint8Array {
  const args = strings(payload);
  if (args.length < 2) throw new XsError("EINVAL");
  const n = args.length - 1;
  if (env.store.quotas.permsExceeded(n, ctx.unpriv)) throw new XsError("ENOSPC");
  const perms = args.slice(1).map(parsePerm);
  for (const p of perms) if (!env.domainExists(p.id)) p.perms |= XS_PERM_IGNORE;
  if (perms[0]!.perms & XS_PERM_IGNORE) throw new XsError("ENOENT");
  const name = canon(ctx, env, args[0]!, true);
  const node = getNode(env, ctx, name, XS_PERM_WRITE | XS_PERM_OWNER);
  if (ctx.unpriv && perms[0]!.id !== node.perms[0]!.id) throw new XsError("EPERM");
  const oldPerms = clonePerms(node.perms);
  node.perms = perms;
  env.store.write(ctx, name, node);
  env.fire(ctx, name, node, "subtree", oldPerms);
  return okPayload();
}

/** The node if it exists and the asker has `perm`; null if missing and creatable; else throws. */
function getOrMissing(env: OpEnv, ctx: Ctx, name: string, perm: number): Node | null {
  const n = lookup(env, ctx, name, perm);
  if (n === "ENOENT") return null;
  if (typeof n === "string") throw new XsError(n);
  return n;
}

/**
 * Create `name` and any missing ancestors (C construct_node/create_node). New nodes
 * inherit their parent's permissions; an unprivileged creator becomes their owner.
 * Every quota is checked before anything is written, so a refused request leaves
 * no partial path behind.
 */
function createNode(env: OpEnv, ctx: Ctx, name: string, value: Uint8Array): void {
  const store = env.store;
  const missing = [name];
  let parentName = parentOf(name);
  let parent = store.read(ctx, parentName);
  while (!parent) {
    if (parentName === "/") throw new XsError("ENOENT");
    missing.push(parentName);
    parentName = parentOf(parentName);
    parent = store.read(ctx, parentName);
  }
  if (store.quotas.nodesExceeded(store.ownedNodes(ctx, ctx.who.domid), missing.length, ctx.unpriv)) throw new XsError("ENOSPC");

  // Build top-down: parent first, then each missing level, the leaf last.
  const chain: { name: string; node: Node }[] = [{ name: parentName, node: parent }];
  for (let i = missing.length - 1; i >= 0; i--) {
    const above = chain[chain.length - 1]!.node;
    above.children.push(basename(missing[i]!));
    const perms = clonePerms(above.perms);
    if (ctx.unpriv) perms[0]!.id = ctx.who.domid;
    chain.push({ name: missing[i]!, node: { perms, value: i === 0 ? value : new Uint8Array(0), children: [], generation: 0 } });
  }

  let ownMemory = 0;
  for (const { name: n, node } of chain) {
    const size = nodeSize(node);
    if (store.quotas.nodeSizeExceeded(size, ctx.unpriv)) throw new XsError("ENOSPC");
    if (node.perms[0]!.id === ctx.who.domid) ownMemory += size + n.length;
  }
  if (store.quotas.memoryExceeded(ctx.account, ownMemory, ctx.unpriv)) throw new XsError("ENOMEM");

  // Write bottom-up, as C does: the leaf, the new levels, then the existing parent.
  for (let i = chain.length - 1; i >= 0; i--) store.write(ctx, chain[i]!.name, chain[i]!.node, true);
}

/**
 * Remove `name` and everything below it (C rm_node). Each removed node fires its own
 * exact watches, deepest first; the removed root fires as a subtree change last.
 */
export function rmNode(env: OpEnv, ctx: Ctx, name: string): void {
  const store = env.store;
  const parentName = parentOf(name);
  const parent = store.read(ctx, parentName);
  if (!parent) throw new XsError("EINVAL");
  const order: { name: string; node: Node }[] = [];
  const stack: { name: string; node: Node; next: number }[] = [];
  const root = store.read(ctx, name);
  if (root) stack.push({ name, node: root, next: 0 });
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.children.length) {
      const child = childPath(top.name, top.node.children[top.next++]!);
      const n = store.read(ctx, child);
      if (n) stack.push({ name: child, node: n, next: 0 });
    } else {
      order.push(stack.pop()!);
    }
  }
  for (const { name: n, node } of order) {
    env.fire(ctx, n, node, n === name ? "subtree" : "exact", null);
    store.remove(ctx, n);
  }
  const i = parent.children.indexOf(basename(name));
  if (i >= 0) parent.children.splice(i, 1);
  store.write(ctx, parentName, parent, true);
}
