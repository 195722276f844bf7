// Watches (C xenstored watch.c, with the depth extension of XENSTORE_SERVER_FEATURE_WATCHDEPTH).
//
// A watch is (path, token[, depth]). It fires once when set, then for every change of
// the watched node or a node below it (at most `depth` levels below when a depth was
// given). The event names the node that changed; a watch set with a relative path
// gets relative names back. Which watches a change reaches depends on the change:
//   subtree  a write, mkdir, set_perms, or the root of an rm: watches on the node or above it;
//   exact    a node removed below the root of an rm: only watches on exactly that node;
//   nodepth  @introduceDomain/@releaseDomain: watches on exactly that name without a depth;
//   depth    @introduceDomain/<domid>, @releaseDomain/<domid>: watches on exactly that
//            name, or on the special node with a depth of at least 1.

import { isChild } from "./paths.ts";
import { nulJoin } from "./protocol.ts";

export type WatchMatch = "exact" | "subtree" | "depth" | "nodepth";

export interface Watch {
  /** Canonical (absolute or special) path. */
  node: string;
  token: string;
  /** Levels below `node` that fire; -1: no limit (no depth given). */
  depth: number;
  /** Characters to strip from event paths: the home prefix of a relative watch. */
  prefixLen: number;
}

export function watchFires(w: Watch, name: string, match: WatchMatch): boolean {
  switch (match) {
    case "exact":
      return name === w.node;
    case "subtree":
      return isChild(name, w.node, w.depth);
    case "depth":
      return name === w.node || (w.depth > 0 && isChild(name, w.node, w.depth));
    case "nodepth":
      return name === w.node && w.depth < 0;
  }
}

/** The path an event for `name` carries to this watch. */
export function eventPath(w: Watch, name: string): string {
  return name.slice(Math.min(w.prefixLen, name.length));
}

export function eventPayload(path: string, token: string): Uint8Array {
  return nulJoin([path, token]);
}

/** Parse the optional depth argument: a plain non-negative decimal number. */
export function parseDepth(s: string | undefined): number | null {
  if (s === undefined) return -1;
  if (!/^\d{1,9}$/.test(s)) return null;
  return Number(s);
}
