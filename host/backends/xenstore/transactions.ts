// Transactions, as C xenstored runs them (tools/xenstored/transaction.c).
//
// A transaction keeps a private copy of every node it touches (read or written,
// including the parents a write walks through and nodes it found missing), with the
// generation each had in the global store at first touch. Reads inside the
// transaction see the copies; nothing global changes until commit. Commit fails with
// EAGAIN when any node the transaction read has a different generation now (changed,
// created or deleted meanwhile); otherwise the modified copies replace the global
// nodes and the watch events the transaction caused fire then, once per node.

import type { Perm } from "./permissions.ts";
import type { Node } from "./tree.ts";
import { NO_GENERATION, type Tree } from "./tree.ts";
import type { WatchMatch } from "./watches.ts";

export interface Accessed {
  /** Global generation at first touch (NO_GENERATION: the node did not exist). */
  generation: number;
  /** Compare at commit: set when the first touch was a read. */
  checkGen: boolean;
  modified: boolean;
  /** The transaction's view: a private copy, or null if absent (never existed, or deleted here). */
  node: Node | null;
  /** Bytes this copy is accounted for (charged to the transaction's domain). */
  charged: number;
  /** Permissions the node had globally at first touch: watchers who could read it then hear of changes. */
  oldPerms: Perm[] | null;
  /** A watch event to fire for this node at commit, and how to match it. */
  fire: WatchMatch | null;
}

export class Transaction {
  readonly id: number;
  /** Global generation when the transaction started (it took one, like any change). */
  readonly generation: number;
  readonly accessed = new Map<string, Accessed>();
  /** Node-count changes per owner, applied to the accounts at commit. */
  readonly nodeDelta = new Map<number, number>();
  /** Something failed half way (a quota inside the transaction): commit refuses. */
  failed = false;
  nodeCreated = false;

  constructor(id: number, generation: number) {
    this.id = id;
    this.generation = generation;
  }

  addNodes(owner: number, delta: number): void {
    this.nodeDelta.set(owner, (this.nodeDelta.get(owner) ?? 0) + delta);
  }

  /**
   * Queue an event for a node changed inside the transaction (C queue_watches). A
   * subtree event replaces an exact one, not the reverse. A node never touched cannot
   * be queued: the transaction is then failed, as C does.
   */
  queueWatch(name: string, match: WatchMatch): void {
    const a = this.accessed.get(name);
    if (!a) {
      this.failed = true;
      return;
    }
    if (a.fire === null || match === "subtree") a.fire = match;
  }

  /** Whether any node read by the transaction changed globally since (C finalize_transaction). */
  conflicts(tree: Tree): boolean {
    for (const [name, a] of this.accessed) {
      if (!a.checkGen) continue;
      const g = tree.get(name)?.generation ?? NO_GENERATION;
      if (g !== a.generation) return true;
    }
    return false;
  }
}
