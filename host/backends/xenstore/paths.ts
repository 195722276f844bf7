// Path rules (C xenstored canonicalize(), get_parent(), watch.c is_child()).
//
// A path is made of A-Za-z0-9-/_@ only. A relative path (not starting with / or @)
// names a node under the connection's home, /local/domain/<domid>. "@..." names the
// special watch nodes and is accepted only where the protocol allows it. A path may
// not end in "/" (except "/" itself) or hold "//". An unprivileged connection's path
// may be at most path-max characters, not counting its own /local/domain/<domid>/.

import { XsError } from "./protocol.ts";

const VALID = /^[A-Za-z0-9\-/_@]*$/;

export function domainPath(domid: number): string {
  return `/local/domain/${domid >>> 0}`;
}

export interface PathPolicy {
  /** The connection's home for relative paths. */
  home: string;
  /** Largest allowed length (after the /local/domain/<domid>/ prefix), or null for none. */
  pathMax: number | null;
}

/** The absolute name of `node` for this connection, or EINVAL. */
export function canonicalize(node: string | null, policy: PathPolicy, allowSpecial: boolean): string {
  if (node === null || !VALID.test(node) || (node[0] === "@" && !allowSpecial)) throw new XsError("EINVAL");
  const name = node[0] === "/" || node[0] === "@" ? node : `${policy.home}/${node}`;
  if (name.endsWith("/") && name !== "/") throw new XsError("EINVAL");
  if (name.includes("//")) throw new XsError("EINVAL");
  if (policy.pathMax !== null && name.length - localOffset(name) > policy.pathMax) throw new XsError("EINVAL");
  return name;
}

/** Length of a leading "/local/domain/<up to 5 digits>/" (C's sscanf("%5u/%n")), else 0. */
function localOffset(name: string): number {
  const m = /^\/local\/domain\/\d{1,5}\//.exec(name);
  return m ? m[0].length : 0;
}

/** Whether a connection called the path relative (events then drop the home prefix). */
export function isRelative(node: string): boolean {
  return node[0] !== "/" && node[0] !== "@";
}

/** The parent's name: everything before the last "/" after the first char, else "/". */
export function parentOf(name: string): string {
  const slash = name.lastIndexOf("/");
  return slash > 0 ? name.slice(0, slash) : "/";
}

/** The last component (the name is never "/"). */
export function basename(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

export function childPath(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}

/**
 * Whether `name` is `watched` or lies below it, at most `depth` levels down
 * (depth < 0: any depth). "/" covers every node.
 */
export function isChild(name: string, watched: string, depth: number): boolean {
  let levels: number;
  if (watched === "/") {
    if (name[0] !== "/") return false;
    if (name === "/") return true;
    levels = name.split("/").length - 1;
  } else {
    if (!name.startsWith(watched)) return false;
    const rest = name.slice(watched.length);
    if (rest === "") return true;
    if (rest[0] !== "/") return false;
    levels = rest.split("/").length - 1;
  }
  return depth < 0 || levels <= depth;
}
