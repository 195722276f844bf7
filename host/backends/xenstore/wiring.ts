// What the toolstack keeps in XenStore for a PV domain, written and removed as
// Xen's libxl does it (libxl_create.c libxl__domain_make, libxl_dom.c
// libxl__build_post, libxl_console.c/libxl_device.c for console 0), with the same
// permissions, so a guest finds what it would find on Xen and may write only what
// it could write there:
//   n0 rN  (dom0 owns, the guest reads)   /local/domain/N, /vm/<uuid>, cpu, memory, device, control, console
//   nN     (the guest owns)               control/{shutdown,feature-*,sysrq}, data, drivers, feature, attr,
//                                         error, device/suspend/event-channel, console/backend-id
// Order on creation: writeDomainKeys, then XenStored.introduceDomain (which tells
// @introduceDomain watchers), then the domain runs.

import type { XenStored } from "./daemon.ts";
import { domainPath } from "./paths.ts";
import type { XsOps } from "./client.ts";
import { XsError } from "./protocol.ts";

export interface DomainKeys {
  name: string;
  /** Default: 00000000-0000-0000-0000-<domid in 12 hex digits> (deterministic, unlike libxl's random one). */
  uuid?: string;
  /** memory/target, KiB. */
  memoryKiB: number;
  /** memory/static-max, KiB (default memoryKiB). */
  maxMemoryKiB?: number;
  /** vCPUs online at boot. */
  vcpus: number;
  /** cpu/<i>/availability is written for i < maxVcpus (default vcpus); those past `vcpus` are "offline". */
  maxVcpus?: number;
  /** store/ring-ref (the store page's gfn/mfn, decimal) and store/port. */
  store?: { ringRef: number | bigint; port: number };
  /** PV console 0: its ring's mfn and event channel, and the backend domain (default 0). */
  console?: { ringRef: number | bigint; port: number; backendDomid?: number };
  /** /vm/<uuid>/image/*; ostype defaults to "linux". */
  image?: { ostype?: string; kernel?: string; ramdisk?: string; cmdline?: string };
  /** /vm/<uuid>/start_time as "SEC.CC" (virtual time: the host clock is never read). */
  startTime?: string;
}

export function defaultUuid(domid: number): string {
  return `00000000-0000-0000-0000-${domid.toString(16).padStart(12, "0")}`;
}

const ro = (domid: number, owner = 0) => [`n${owner}`, `r${domid}`];
const rw = (domid: number) => [`n${domid}`];

function mknod(t: XsOps, path: string, perms: string[]): void {
  t.write(path, "");
  t.setPerms(path, perms);
}

function tryRm(t: XsOps, path: string): void {
  try {
    t.rm(path);
  } catch (e) {
    if (!(e instanceof XsError && e.errno === "ENOENT")) throw e;
  }
}

/** dom0's own keys (xen-init-dom0). */
export function writeDom0Keys(xs: XenStored): void {
  xs.host.write("/local/domain/0/domid", "0");
  xs.host.write("/local/domain/0/name", "Domain-0");
}

/** Create /local/domain/<domid>, /vm/<uuid>, /libxl/<domid> and console 0 for a new PV domain. */
export function writeDomainKeys(xs: XenStored, domid: number, k: DomainKeys): void {
  xs.addDomain(domid);
  const dom = domainPath(domid);
  const uuid = k.uuid ?? defaultUuid(domid);
  const vm = `/vm/${uuid}`;
  const libxl = `/libxl/${domid}`;

  xs.host.transaction((t) => {
    tryRm(t, dom);
    mknod(t, dom, ro(domid));
    tryRm(t, vm);
    mknod(t, vm, ro(domid));
    tryRm(t, libxl);
    mknod(t, libxl, ["n0"]);
    mknod(t, `${libxl}/device`, ["n0"]);
    t.write(`${dom}/vm`, vm);
    t.write(`${dom}/name`, k.name);
    for (const d of ["cpu", "memory", "device", "control"]) mknod(t, `${dom}/${d}`, ro(domid));
    for (const d of ["control/shutdown", "control/feature-poweroff", "control/feature-reboot", "control/feature-suspend", "control/sysrq", "device/suspend/event-channel", "data", "drivers", "feature", "attr", "error"]) {
      mknod(t, `${dom}/${d}`, rw(domid));
    }
    t.write(`${vm}/uuid`, uuid);
    t.write(`${vm}/name`, k.name);
    t.write(`${dom}/control/platform-feature-multiprocessor-suspend`, "1");
    t.write(`${dom}/control/platform-feature-xs_reset_watches`, "1");
    t.write(`${libxl}/type`, "pv");
  });

  xs.host.transaction((t) => {
    t.write(`${dom}/memory/static-max`, String(k.maxMemoryKiB ?? k.memoryKiB));
    t.write(`${dom}/memory/target`, String(k.memoryKiB));
    t.write(`${dom}/memory/videoram`, "0");
    t.write(`${dom}/domid`, String(domid));
    if (k.store) {
      t.write(`${dom}/store/port`, String(k.store.port));
      t.write(`${dom}/store/ring-ref`, String(k.store.ringRef));
    }
    const max = k.maxVcpus ?? k.vcpus;
    for (let i = 0; i < max; i++) t.write(`${dom}/cpu/${i}/availability`, i < k.vcpus ? "online" : "offline");
    const img = k.image ?? {};
    t.write(`${vm}/image/ostype`, img.ostype ?? "linux");
    if (img.kernel !== undefined) t.write(`${vm}/image/kernel`, img.kernel);
    if (img.ramdisk !== undefined) t.write(`${vm}/image/ramdisk`, img.ramdisk);
    if (img.cmdline !== undefined) t.write(`${vm}/image/cmdline`, img.cmdline);
    if (k.startTime !== undefined) t.write(`${vm}/start_time`, k.startTime);
  });

  if (k.console) writeConsoleKeys(xs, domid, k.console);
}

/** Console 0's frontend (/local/domain/N/console) and backend (libxl__device_console_add). */
export function writeConsoleKeys(xs: XenStored, domid: number, c: { ringRef: number | bigint; port: number; backendDomid?: number }): void {
  const be = c.backendDomid ?? 0;
  const front = `${domainPath(domid)}/console`;
  const back = `${domainPath(be)}/backend/console/${domid}/0`;
  xs.host.transaction((t) => {
    tryRm(t, front);
    t.mkdir(front);
    t.setPerms(front, ro(domid, be));
    t.write(`${front}/backend`, back);
    // The one key the guest owns (libxl's "front" list), then the read-only ones ("ro_front").
    t.write(`${front}/backend-id`, String(be));
    t.setPerms(`${front}/backend-id`, [`n${domid}`, `r${be}`]);
    const roFront: [string, string][] = [
      ["limit", "1048576"],
      ["type", "xenconsoled"],
      ["output", "pty"],
      ["tty", ""],
      ["port", String(c.port)],
      ["ring-ref", String(c.ringRef)],
    ];
    for (const [key, v] of roFront) {
      t.write(`${front}/${key}`, v);
      t.setPerms(`${front}/${key}`, ro(domid, be));
    }
    tryRm(t, back);
    t.mkdir(back);
    t.setPerms(back, ro(domid, be));
    t.write(`${back}/frontend`, front);
    for (const [key, v] of [["frontend-id", String(domid)], ["online", "1"], ["state", "1"], ["protocol", "vt100"]] as const) t.write(`${back}/${key}`, v);
  });
}

/**
 * The domain is destroyed: remove what the toolstack wrote for it (its domain,
 * /vm and /libxl directories and its backends), then release it in the daemon,
 * which removes any node it still owns and tells @releaseDomain watchers.
 */
export function releaseDomain(xs: XenStored, domid: number): void {
  const dom = domainPath(domid);
  const h = xs.host;
  const vm = h.tryRead(`${dom}/vm`);
  for (const be of backendDomains(xs)) {
    const base = `${domainPath(be)}/backend`;
    for (const kind of safeDirectory(xs, base)) tryRm(h, `${base}/${kind}/${domid}`);
  }
  tryRm(h, dom);
  if (vm && vm.startsWith("/vm/")) tryRm(h, vm);
  tryRm(h, `/libxl/${domid}`);
  xs.releaseDomain(domid);
}

function safeDirectory(xs: XenStored, path: string): string[] {
  try {
    return xs.host.directory(path);
  } catch (e) {
    if (e instanceof XsError && e.errno === "ENOENT") return [];
    throw e;
  }
}

/** Domains that may hold backends: every /local/domain/<id> with a backend directory. */
function backendDomains(xs: XenStored): number[] {
  return safeDirectory(xs, "/local/domain")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((d) => xs.host.exists(`${domainPath(d)}/backend`));
}
