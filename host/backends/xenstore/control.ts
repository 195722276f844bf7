// XS_CONTROL (privileged only): the xenstore-control commands that make sense for an
// in-process daemon (C xenstored control.c): check, print, quota, help. Commands that
// manage log files, memory reports or live update have no meaning here: EINVAL, as
// for an unknown command.

import { bytes, okPayload, strings, XsError } from "./protocol.ts";
import { QUOTA_NAMES, type Account, type QuotaLimits } from "./quota.ts";

const DESCRIPTIONS: Readonly<Record<keyof QuotaLimits, string>> = {
  nodes: "Nodes per domain",
  watches: "Watches per domain",
  outstanding: "Outstanding requests per domain",
  memory: "Total Xenstore memory per domain (error level)",
  transactions: "Active transactions per domain",
  transactionNodes: "Max. number of accessed nodes per transaction",
  nodePermissions: "Max. number of permissions per node",
  pathMax: "Max. length of a node path",
  nodeSize: "Max. size of a node",
};

const HELP: [string, string][] = [
  ["check", ""],
  ["print", "<string>"],
  ["quota", "[set <name> <val>|<domid>]"],
  ["help", ""],
];

export interface ControlEnv {
  limits: QuotaLimits;
  /** Consistency check of the store; returns the problems found. */
  check(): string[];
  log(line: string): void;
  /** A domain's account, if the domain is known. */
  account(domid: number): Account | undefined;
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number) => String(v).padStart(8);

export function doControl(env: ControlEnv, payload: Uint8Array): Uint8Array {
  const vec = strings(payload);
  if (vec.length === 0) throw new XsError("EINVAL");
  const [cmd, ...args] = vec as [string, ...string[]];
  switch (cmd) {
    case "check": {
      if (args.length) throw new XsError("EINVAL");
      for (const p of env.check()) env.log(`check_store: ${p}`);
      return okPayload();
    }
    case "print":
      if (args.length !== 1) throw new XsError("EINVAL");
      env.log(`control: ${args[0]}`);
      return okPayload();
    case "quota":
      return quota(env, args);
    case "help":
      if (args.length) throw new XsError("EINVAL");
      return text(HELP.map(([c, p]) => `${pad(c, 15)} ${p}\n`).join(""));
    default:
      throw new XsError("EINVAL");
  }
}

function quota(env: ControlEnv, args: string[]): Uint8Array {
  const keys = Object.keys(QUOTA_NAMES) as (keyof QuotaLimits)[];
  if (args.length === 0) {
    return text("Quota settings:\n" + keys.map((k) => `${pad(QUOTA_NAMES[k], 17)}: ${num(env.limits[k])} ${DESCRIPTIONS[k]}\n`).join(""));
  }
  if (args[0] === "set") {
    if (args.length !== 3) throw new XsError("EINVAL");
    const key = keys.find((k) => QUOTA_NAMES[k] === args[1]);
    const val = Number.parseInt(args[2]!, 10);
    if (!key || !(val >= 1)) throw new XsError("EINVAL");
    env.limits[key] = val;
    return okPayload();
  }
  if (args.length !== 1) throw new XsError("EINVAL");
  const domid = Number.parseInt(args[0]!, 10) >>> 0;
  const a = env.account(domid);
  if (!a) throw new XsError("ENOENT");
  const used: [string, number][] = [
    ["nodes", a.nodes],
    ["watches", a.watches],
    ["outstanding", a.outstanding],
    ["memory", a.memory],
    ["transactions", a.transactions],
  ];
  return text(`Domain ${domid}:\n` + used.map(([n, v]) => `${pad(n, 17)}: ${num(v)}\n`).join(""));
}

function text(s: string): Uint8Array {
  return bytes(s + "\0");
}
