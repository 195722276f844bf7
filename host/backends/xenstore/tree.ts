// The store: one flat map from absolute path to node, for the whole host, as C
// xenstored's node hashtable. A node holds its value as bytes, its permissions, its
// children's names (in creation order: DIRECTORY answers in that order) and the
// generation count of its last modification, which transactions compare to detect
// conflicts. The special watch nodes (@introduceDomain, @releaseDomain) live in the
// same map but are nobody's children.

import type { Perm } from "./permissions.ts";
import { clonePerms } from "./permissions.ts";

/** A node's generation before it exists (C NO_GENERATION). */
export const NO_GENERATION = -1;

export interface Node {
  perms: Perm[];
  value: Uint8Array;
  children: string[];
  generation: number;
}

export function cloneNode(n: Node): Node {
  return { perms: clonePerms(n.perms), value: n.value, children: n.children.slice(), generation: n.generation };
}

/** Bytes C xenstored accounts for a node record: header, permissions, data, children. */
export function nodeSize(n: Node): number {
  let childlen = 0;
  for (const c of n.children) childlen += c.length + 1;
  return 16 + 8 * n.perms.length + n.value.length + childlen;
}

/** The children list as C stores it ("a\0b\0"), for DIRECTORY and DIRECTORY_PART. */
export function childBytes(n: Node): string {
  let s = "";
  for (const c of n.children) s += c + "\0";
  return s;
}

export class Tree {
  private readonly nodes = new Map<string, Node>();
  /** Global generation counter; every modification and every transaction start takes ++generation. */
  generation = 0;

  get(name: string): Node | undefined {
    return this.nodes.get(name);
  }

  set(name: string, node: Node): void {
    this.nodes.set(name, node);
  }

  delete(name: string): void {
    this.nodes.delete(name);
  }

  get size(): number {
    return this.nodes.size;
  }

  nextGeneration(): number {
    return ++this.generation;
  }

  /** Every path in the store, for consistency checks. */
  names(): IterableIterator<string> {
    return this.nodes.keys();
  }
}
