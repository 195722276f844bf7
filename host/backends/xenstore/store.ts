// Node access for requests: the tree plus per-domain accounting, seen through the
// request's transaction when it has one (C xenstored read_node/write_node/db_* and
// transaction.c access_node/finalize_transaction).
//
// Reads hand out private copies (a handler edits them and writes them back). Every
// write takes a new generation. Owned-node counts and memory are kept per domain:
// global nodes are charged to their owner, a transaction's copies to the domain
// running it, until the transaction ends.

import type { Asker, Perm } from "./permissions.ts";
import { adjustPerms, clonePerms } from "./permissions.ts";
import { XsError } from "./protocol.ts";
import { Account, Quotas } from "./quota.ts";
import { Transaction } from "./transactions.ts";
import { cloneNode, NO_GENERATION, nodeSize, Tree, type Node } from "./tree.ts";
import type { WatchMatch } from "./watches.ts";

/** One request's view: who asks, and in which transaction. */
export interface Ctx {
  who: Asker;
  /** Bound by quotas (not dom0 / not a privileged domain). */
  unpriv: boolean;
  tx: Transaction | null;
  /** The asking domain's account. */
  account: Account;
}

/** A change that fires watches once it is globally visible. */
export interface Fired {
  name: string;
  match: WatchMatch;
  /** The node's permissions before the change, if it existed. */
  oldPerms: Perm[] | null;
}

export class Store {
  readonly tree = new Tree();
  readonly quotas: Quotas;
  private readonly accounts = new Map<number, Account>();
  /** Generation at which a domain came to exist, or null if it does not exist. */
  private readonly domainGeneration: (domid: number) => number | null;

  constructor(quotas: Quotas, domainGeneration: (domid: number) => number | null) {
    this.quotas = quotas;
    this.domainGeneration = domainGeneration;
  }

  account(domid: number): Account {
    let a = this.accounts.get(domid);
    if (!a) {
      a = new Account();
      this.accounts.set(domid, a);
    }
    return a;
  }

  peekAccount(domid: number): Account | undefined {
    return this.accounts.get(domid);
  }

  dropAccount(domid: number): void {
    this.accounts.delete(domid);
  }

  /** Nodes `owner` holds as this request sees it (global count plus its transaction's changes). */
  ownedNodes(ctx: Ctx, owner: number): number {
    return this.account(owner).nodes + (ctx.tx?.nodeDelta.get(owner) ?? 0);
  }

  /** The node as the request sees it, as a private copy, or null. Records it in the transaction. */
  read(ctx: Ctx, name: string): Node | null {
    const tx = ctx.tx;
    let n: Node | null;
    if (tx) {
      const a = tx.accessed.get(name) ?? this.touch(ctx, tx, name, true);
      n = a.node ? cloneNode(a.node) : null;
    } else {
      const g = this.tree.get(name);
      n = g ? cloneNode(g) : null;
    }
    if (n) n.perms = adjustPerms(n.perms, n.generation, this.domainGeneration);
    return n;
  }

  /**
   * Store `node` under `name` (created or replaced) with a fresh generation. Checks the
   * node-size and memory quotas first unless `noQuota` (C's no_quota_check callers).
   * The store keeps `node` itself: the caller must not change it afterwards.
   */
  write(ctx: Ctx, name: string, node: Node, noQuota = false): void {
    const size = nodeSize(node);
    if (!noQuota && this.quotas.nodeSizeExceeded(size, ctx.unpriv)) throw new XsError("ENOSPC");
    node.generation = this.tree.nextGeneration();
    node.perms = adjustPerms(node.perms, node.generation, this.domainGeneration);
    const tx = ctx.tx;
    if (tx) {
      const a = tx.accessed.get(name) ?? this.touch(ctx, tx, name, false);
      const cost = size + name.length;
      if (!noQuota && this.quotas.memoryExceeded(ctx.account, cost - a.charged, ctx.unpriv)) {
        tx.failed = true;
        throw new XsError("ENOMEM");
      }
      this.countOwners(ctx, a.node, node);
      ctx.account.memory += cost - a.charged;
      a.charged = cost;
      a.node = node;
      a.modified = true;
      return;
    }
    const old = this.tree.get(name) ?? null;
    const owner = this.account(node.perms[0]!.id);
    const cost = size + name.length;
    const refund = old && old.perms[0]!.id === node.perms[0]!.id ? nodeSize(old) + name.length : 0;
    if (!noQuota && owner === ctx.account && this.quotas.memoryExceeded(owner, cost - refund, ctx.unpriv)) throw new XsError("ENOMEM");
    this.countOwners(ctx, old, node);
    if (old) this.account(old.perms[0]!.id).memory -= nodeSize(old) + name.length;
    owner.memory += cost;
    this.tree.set(name, node);
  }

  /** Remove one node (its parent's child list is the caller's business). */
  remove(ctx: Ctx, name: string): void {
    const tx = ctx.tx;
    this.tree.nextGeneration();
    if (tx) {
      const a = tx.accessed.get(name) ?? this.touch(ctx, tx, name, false);
      this.countOwners(ctx, a.node, null);
      ctx.account.memory -= a.charged;
      a.charged = 0;
      a.node = null;
      a.modified = true;
      return;
    }
    const old = this.tree.get(name);
    if (!old) return;
    this.countOwners(ctx, old, null);
    this.account(old.perms[0]!.id).memory -= nodeSize(old) + name.length;
    this.tree.delete(name);
  }

  /** Node-count bookkeeping for a change from `before` to `after` (either may be absent). */
  private countOwners(ctx: Ctx, before: Node | null, after: Node | null): void {
    const was = before?.perms[0]!.id;
    const now = after?.perms[0]!.id;
    if (was === now) return;
    if (ctx.tx) {
      if (was !== undefined) ctx.tx.addNodes(was, -1);
      if (now !== undefined) ctx.tx.addNodes(now, 1);
      if (before === null) ctx.tx.nodeCreated = true;
      return;
    }
    if (was !== undefined) this.account(was).nodes--;
    if (now !== undefined) this.account(now).nodes++;
  }

  /** First touch of a node in a transaction: copy the global node and remember its generation. */
  private touch(ctx: Ctx, tx: Transaction, name: string, isRead: boolean) {
    if (this.quotas.transactionNodesExceeded(tx.accessed.size, ctx.unpriv)) {
      tx.failed = true;
      throw new XsError("ENOSPC");
    }
    const g = this.tree.get(name);
    const charged = g ? nodeSize(g) + name.length : 0;
    ctx.account.memory += charged;
    const a = {
      generation: g ? g.generation : NO_GENERATION,
      checkGen: isRead,
      modified: false,
      node: g ? cloneNode(g) : null,
      charged,
      oldPerms: g ? clonePerms(g.perms) : null,
      fire: null,
    };
    tx.accessed.set(name, a);
    return a;
  }

  /**
   * Commit: check quotas and conflicts, then make the transaction's changes global.
   * Returns the watch events to fire. The transaction's memory is released either way
   * by `endTransaction`.
   */
  commit(ctx: Ctx, tx: Transaction, unprivDomain: (domid: number) => boolean): Fired[] {
    if (tx.failed) throw new XsError("ENOMEM");
    if (tx.nodeCreated && ctx.unpriv) {
      for (const [domid, delta] of tx.nodeDelta) {
        if (delta > 0 && this.quotas.nodesTotalExceeded(this.account(domid).nodes + delta, unprivDomain(domid))) throw new XsError("ENOSPC");
      }
    }
    if (tx.conflicts(this.tree)) throw new XsError("EAGAIN");
    const fired: Fired[] = [];
    for (const [name, a] of tx.accessed) {
      if (a.modified) {
        const old = this.tree.get(name);
        if (old) this.account(old.perms[0]!.id).memory -= nodeSize(old) + name.length;
        if (a.node) {
          const n = cloneNode(a.node);
          n.generation = this.tree.nextGeneration();
          this.account(n.perms[0]!.id).memory += nodeSize(n) + name.length;
          this.tree.set(name, n);
        } else if (old) {
          this.tree.delete(name);
        }
      }
      if (a.fire) fired.push({ name, match: a.fire, oldPerms: a.oldPerms });
    }
    for (const [domid, delta] of tx.nodeDelta) this.account(domid).nodes += delta;
    return fired;
  }

  /**
   * Structure and node accounting (C check_store): every listed child exists once,
   * every node but the root and the special nodes is listed by its parent, and the
   * owned-node counts match. Returns the problems; also the global bytes per owner.
   */
  verify(): { problems: string[]; nodeMemory: Map<number, number> } {
    const problems: string[] = [];
    const owned = new Map<number, number>();
    const nodeMemory = new Map<number, number>();
    for (const name of this.tree.names()) {
      const n = this.tree.get(name)!;
      const owner = n.perms[0]?.id;
      if (owner === undefined) {
        problems.push(`${name}: no owner`);
        continue;
      }
      owned.set(owner, (owned.get(owner) ?? 0) + 1);
      nodeMemory.set(owner, (nodeMemory.get(owner) ?? 0) + nodeSize(n) + name.length);
      if (new Set(n.children).size !== n.children.length) problems.push(`${name}: duplicate child`);
      for (const c of n.children) if (!this.tree.get(name === "/" ? `/${c}` : `${name}/${c}`)) problems.push(`${name}: missing child ${c}`);
      if (name === "/" || name[0] === "@") continue;
      const slash = name.lastIndexOf("/");
      const parent = this.tree.get(slash > 0 ? name.slice(0, slash) : "/");
      if (!parent || !parent.children.includes(name.slice(slash + 1))) problems.push(`${name}: not listed by its parent`);
    }
    for (const [domid, a] of this.accounts) if (a.nodes !== (owned.get(domid) ?? 0)) problems.push(`d${domid}: counts ${a.nodes} nodes, owns ${owned.get(domid) ?? 0}`);
    for (const [domid, k] of owned) if (!this.accounts.has(domid)) problems.push(`d${domid}: owns ${k} nodes without an account`);
    return { problems, nodeMemory };
  }

  /** Drop a transaction's copies and their memory (after commit or abort). */
  endTransaction(account: Account, tx: Transaction): void {
    for (const a of tx.accessed.values()) account.memory -= a.charged;
    tx.accessed.clear();
    tx.nodeDelta.clear();
  }
}
