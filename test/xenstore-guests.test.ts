// XenStore end to end: real guests (guests/xsconform, xsclient, xshostile, waiter) talking to
// the host's daemon through their store rings, the toolstack's domain keys, clean shutdown
// through control/shutdown, and the CLI (--shutdown-after, Ctrl-C, xenwasm xenstore).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hypervisor, type Domain } from "../host/index.ts";

const G = (name: string) => `build/guests/${name}.elf`;

function checkDaemon(hv: Hypervisor): void {
  const xs = hv.xenstore!.xs;
  assert.deepEqual(xs.verify(), []);
  assert.equal(xs.internalErrors, 0);
}

function assertPoweredOff(d: Domain, r: unknown): void {
  assert.deepEqual(r, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined }, d.console);
}

test("conformance suite through two guests' rings: message types, errors, transactions, watches, permissions", () => {
  const hv = new Hypervisor({ xenstore: true });
  const a = hv.createDomain({ kernel: G("xsconform"), memoryMiB: 8, cmdline: "a peer=2", name: "a" });
  const b = hv.createDomain({ kernel: G("xsconform"), memoryMiB: 8, cmdline: "b peer=1", name: "b" });
  // A directory too wide for one reply (E2BIG); only dom0 can make one.
  for (const d of [a, b]) for (let i = 0; i < 300; i++) hv.xenstore!.xs.host.write(`/local/domain/${d.id}/data/wide/child-${String(i).padStart(8, "0")}`, "");
  const r = hv.run({ maxSeconds: 120 });
  for (const d of [a, b]) {
    assert.doesNotMatch(d.console, /^FAIL /m, d.console);
    assert.doesNotMatch(d.console, /^SKIP /m, d.console);
    assert.match(d.console, /xsconform: \d+ passed, 0 failed/);
    assertPoweredOff(d, r.get(d));
  }
  // Every message type 0..26 and XS_INVALID was sent; every error string the store uses came back.
  for (const err of ["EINVAL", "EACCES", "EEXIST", "ENOENT", "ENOSPC", "EAGAIN", "E2BIG", "EPERM", "EBUSY", "ENOSYS"]) {
    assert.match(a.console, new RegExp(`^PASS .*${err}`, "m"), err);
  }
  const passes = (d: Domain) => (d.console.match(/^PASS /gm) ?? []).length;
  assert.ok(passes(a) >= 60 && passes(b) >= 60, `${passes(a)} / ${passes(b)} checks`);
  // The racing increments really raced (one side had to redo commits), and none was lost.
  const retries = [a, b].map((d) => Number(/retries after EAGAIN/.test(d.console) ? d.console.match(/(\d+) retries after EAGAIN/)![1] : 0));
  assert.ok(retries[0]! + retries[1]! > 0, "no commit had to be retried");
  assert.match(a.console, /PASS a: counter is 80/);
  assert.match(b.console, /PASS b: cannot read a's private node \(EACCES\)/);
  checkDaemon(hv);
});

test("a guest reads its domid and name, follows a key the host changes, powers off on control/shutdown", () => {
  const hv = new Hypervisor({ xenstore: true });
  const idle = hv.createDomain({ kernel: G("waiter"), memoryMiB: 8 });
  const d = hv.createDomain({ kernel: G("xsclient"), memoryMiB: 8 });
  const host = hv.xenstore!.xs.host;
  hv.run({ maxVirtualSeconds: 0.5 });
  assert.match(d.console, new RegExp(`xsclient: domid ${d.id}\n`));
  assert.match(d.console, /xsclient: name = "xsclient"/);
  assert.match(d.console, /xsclient: memory\/target = "8192"/);
  assert.match(d.console, /xsclient: cpu\/0\/availability = "online"/);
  assert.match(d.console, /xsclient: console\/type = "xenconsoled"/);
  assert.match(d.console, /xsclient: writing name: -13\n/, "name is read-only for the guest");
  assert.match(d.console, /xsclient: ready/);
  for (const msg of ["one", "two", "three"]) {
    host.write(`/local/domain/${d.id}/data/message`, msg);
    hv.run({ maxVirtualSeconds: 0.1 });
    assert.equal(host.read(`/local/domain/${d.id}/data/ack`), msg);
  }
  assert.equal((d.console.match(/watch data\/message msg fired/g) ?? []).length, 4, "the first event, then one per change");
  assert.equal(host.read(`/local/domain/${d.id}/control/feature-poweroff`), "1");
  assert.ok(hv.xenstore!.requestShutdown(d));
  const r = hv.run({ maxVirtualSeconds: 1 });
  assertPoweredOff(d, r.get(d));
  assert.match(d.console, /xenbus: shutdown requested \(poweroff\)/);
  assert.equal(host.read(`/local/domain/${d.id}/control/shutdown`), "", "the guest acknowledged");
  assert.equal(r.get(idle)!.kind, "timeout");
  hv.xenstore!.requestShutdown(idle, "reboot");
  const r2 = hv.run({ maxVirtualSeconds: 1 });
  const ri = r2.get(idle)!;
  assert.equal(ri.kind === "shutdown" && ri.reason, "reboot");
  checkDaemon(hv);
});

test("domain wiring: libxl's keys and permissions, @introduceDomain, @releaseDomain and the tree cleaned on destroy", () => {
  const hv = new Hypervisor({ xenstore: true });
  const host = hv.xenstore!.xs.host;
  const events: string[] = [];
  host.watch("@introduceDomain", "intro", (p) => events.push(p));
  host.watch("@releaseDomain", "release", (p) => events.push(p));
  events.length = 0;
  const d = hv.createDomain({ kernel: G("waiter"), memoryMiB: 16, vcpus: 2 });
  assert.deepEqual(events, ["@introduceDomain"]);
  const dom = `/local/domain/${d.id}`;
  assert.equal(host.read("/local/domain/0/name"), "Domain-0");
  assert.equal(host.read(`${dom}/name`), "waiter");
  assert.equal(host.read(`${dom}/domid`), String(d.id));
  assert.equal(host.read(`${dom}/memory/target`), "16384");
  assert.equal(host.read(`${dom}/memory/static-max`), "16384");
  assert.equal(host.read(`${dom}/cpu/0/availability`), "online");
  assert.equal(host.read(`${dom}/cpu/1/availability`), "online");
  assert.equal(host.read(`${dom}/store/port`), String(d.built.storeEvtchn));
  assert.equal(host.read(`${dom}/store/ring-ref`), String(d.built.storeMfn));
  assert.equal(host.read(`${dom}/console/port`), String(d.built.consoleEvtchn));
  assert.equal(host.read(`${dom}/console/ring-ref`), String(d.built.consoleMfn));
  assert.equal(host.read(`${dom}/console/backend`), `/local/domain/0/backend/console/${d.id}/0`);
  assert.equal(host.read(`${dom}/control/platform-feature-xs_reset_watches`), "1");
  assert.equal(host.read(`${dom}/control/platform-feature-multiprocessor-suspend`), "1");
  const vm = host.read(`${dom}/vm`);
  assert.equal(host.read(`${vm}/name`), "waiter");
  assert.deepEqual(host.getPerms(dom), ["n0", `r${d.id}`]);
  assert.deepEqual(host.getPerms(vm), ["n0", `r${d.id}`]);
  assert.deepEqual(host.getPerms(`${dom}/control`), ["n0", `r${d.id}`]);
  assert.deepEqual(host.getPerms(`${dom}/control/shutdown`), [`n${d.id}`]);
  assert.deepEqual(host.getPerms(`${dom}/data`), [`n${d.id}`]);
  assert.deepEqual(host.getPerms(`${dom}/console/port`), ["n0", `r${d.id}`]);
  hv.run({ maxVirtualSeconds: 0.2 });
  hv.xenstore!.requestShutdown(d);
  const r = hv.run({ maxVirtualSeconds: 1 });
  assertPoweredOff(d, r.get(d));
  assert.deepEqual(events, ["@introduceDomain", "@releaseDomain"], "shutdown tells @releaseDomain watchers");
  hv.xenstore!.domainDestroyed(d);
  assert.deepEqual(events, ["@introduceDomain", "@releaseDomain", "@releaseDomain"]);
  assert.equal(host.tryRead(dom), null);
  assert.equal(host.tryRead(vm), null);
  assert.equal(host.tryRead(`/libxl/${d.id}`), null);
  assert.equal(host.tryRead(`/local/domain/0/backend/console/${d.id}`), null);
  assert.deepEqual(host.directory("/local/domain"), ["0"]);
  checkDaemon(hv);
});

for (const [mode, error] of [["ringidx", 2], ["rspidx", 2], ["bighdr", 3]] as const) {
  test(`a guest that breaks its ring (${mode}) is cut off and can reconnect; another domain's store keeps working`, () => {
    const hv = new Hypervisor({ xenstore: true });
    const bad = hv.createDomain({ kernel: G("xshostile"), memoryMiB: 8, cmdline: mode });
    const good = hv.createDomain({ kernel: G("xsclient"), memoryMiB: 8 });
    const host = hv.xenstore!.xs.host;
    const r = hv.run({ maxVirtualSeconds: 2 });
    assertPoweredOff(bad, r.get(bad));
    assert.match(bad.console, new RegExp(`xshostile: ${mode}: error field ${error}\n`));
    assert.match(bad.console, /request on the broken ring: -5\n/);
    assert.match(bad.console, new RegExp(`recovered \\(domid ${bad.id}, error field 0\\)`));
    host.write(`/local/domain/${good.id}/data/message`, "still here");
    hv.run({ maxVirtualSeconds: 0.2 });
    assert.equal(host.read(`/local/domain/${good.id}/data/ack`), "still here");
    hv.xenstore!.requestShutdown(good);
    assertPoweredOff(good, hv.run({ maxVirtualSeconds: 1 }).get(good));
    checkDaemon(hv);
  });
}

// ---- the CLI ----

function xenwasm(...args: string[]) {
  return spawnSync(process.execPath, ["bin/xenwasm.js", ...args], { encoding: "utf8", timeout: 60_000 });
}

test("xenwasm run --shutdown-after 1: a guest that idles until told to stop exits 0", () => {
  const r = xenwasm("run", G("waiter"), "--shutdown-after", "1");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /waiter: waiting for control\/shutdown\nxenbus: shutdown requested \(poweroff\)\n/);
  assert.equal(r.stderr, "");
});

test("xenwasm run --shutdown-after: a guest that ignores it is destroyed after the grace period, exit 1", () => {
  const r = xenwasm("run", G("idle"), "--cmdline", "ticks=100000000", "--shutdown-after", "0.5", "--shutdown-grace", "1");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /idle: did not shut down within 1 s of being asked; destroyed/);
  const r2 = xenwasm("run", G("waiter"), "--shutdown-after", "x");
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--shutdown-after "x"/);
});

function runAsync(args: string[], onStdout: (text: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/xenwasm.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout!.on("data", (b: Buffer) => {
      stdout += b.toString();
      onStdout(stdout, child);
    });
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("Ctrl-C asks the guest to power off (exit 0); a second Ctrl-C destroys a guest that ignores it (exit 1)", async () => {
  let sent = false;
  const r = await runAsync(["run", G("waiter")], (out, child) => {
    if (!sent && out.includes("waiting for control/shutdown")) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /shutdown requested \(poweroff\)/);
  let n = 0;
  const r2 = await runAsync(["run", G("spin"), "--realtime"], (out, child) => {
    if (n === 0 && out.includes("spinning")) {
      n++;
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGINT"), 300);
    }
  });
  assert.equal(r2.code, 1, r2.stderr);
  assert.match(r2.stderr, /destroyed \(second interrupt\)/);
});

test("xenwasm xenstore ls|read|write|rm|watch against a running host's socket", async () => {
  const dir = mkdtempSync(join(tmpdir(), "xenwasm-xs-"));
  const sock = join(dir, "xs.sock");
  const xs = (...a: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ["bin/xenwasm.js", "xenstore", "--socket", sock, ...a], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      c.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
      c.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
      c.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  let started = false;
  const results: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
  const run = runAsync(["run", G("waiter"), "--xenstore-socket", sock, "--realtime"], (out, child) => {
    if (started || !out.includes("waiting for control/shutdown")) return;
    started = true;
    void (async () => {
      results.ls = await xs("ls", "/local/domain/1");
      results.read = await xs("read", "/local/domain/1/name", "/local/domain/1/domid");
      const watch = xs("watch", "-n", "2", "/local/domain/1/data");
      await new Promise((res) => setTimeout(res, 500));
      results.write = await xs("write", "/local/domain/1/data/x", "hello\\there");
      results.watch = await watch;
      results.readx = await xs("read", "/local/domain/1/data/x");
      results.rm = await xs("rm", "/local/domain/1/data/x");
      results.missing = await xs("read", "/local/domain/1/data/x");
      child.kill("SIGINT");
    })();
  });
  const r = await run;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(results.ls!.code, 0, results.ls!.stderr);
  assert.match(results.ls!.stdout, /^name = "waiter"$/m);
  assert.match(results.ls!.stdout, /^memory = ""\n static-max = "32768"\n target = "32768"\n/m);
  assert.match(results.ls!.stdout, /^cpu = ""\n 0 = ""\n  availability = "online"\n/m);
  assert.equal(results.read!.stdout, "waiter\n1\n");
  assert.equal(results.write!.code, 0, results.write!.stderr);
  assert.equal(results.watch!.stdout, "/local/domain/1/data\n/local/domain/1/data/x\n");
  assert.equal(results.readx!.stdout, "hello\\there\n");
  assert.equal(results.rm!.code, 0);
  assert.equal(results.missing!.code, 1);
  assert.match(results.missing!.stderr, /xenstore read: ENOENT/);
  const bad = xenwasm("xenstore", "--socket", sock, "frob", "/");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown xenstore command "frob"/);
  const gone = xenwasm("xenstore", "--socket", sock, "ls");
  assert.equal(gone.status, 1, "the socket went away with the host");
  assert.match(gone.stderr, /cannot connect/);
});
