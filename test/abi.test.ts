// One source of truth for struct layouts: the core's offsets (assembly/abi/structs.ts, via
// host/gen/abi.ts) must equal what the guest library's C headers declare, as gcc lays them out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "../host/gen/abi.ts";

const fields: Array<[string, string, string]> = [
  ["SI_magic", "start_info_t", "magic"],
  ["SI_nr_pages", "start_info_t", "nr_pages"],
  ["SI_shared_info", "start_info_t", "shared_info"],
  ["SI_flags", "start_info_t", "flags"],
  ["SI_store_mfn", "start_info_t", "store_mfn"],
  ["SI_store_evtchn", "start_info_t", "store_evtchn"],
  ["SI_console_mfn", "start_info_t", "console.domU.mfn"],
  ["SI_console_evtchn", "start_info_t", "console.domU.evtchn"],
  ["SI_pt_base", "start_info_t", "pt_base"],
  ["SI_nr_pt_frames", "start_info_t", "nr_pt_frames"],
  ["SI_mfn_list", "start_info_t", "mfn_list"],
  ["SI_mod_start", "start_info_t", "mod_start"],
  ["SI_mod_len", "start_info_t", "mod_len"],
  ["SI_cmd_line", "start_info_t", "cmd_line"],
  ["SI_first_p2m_pfn", "start_info_t", "first_p2m_pfn"],
  ["SI_nr_p2m_frames", "start_info_t", "nr_p2m_frames"],
  ["VI_evtchn_upcall_pending", "vcpu_info_t", "evtchn_upcall_pending"],
  ["VI_evtchn_upcall_mask", "vcpu_info_t", "evtchn_upcall_mask"],
  ["VI_evtchn_pending_sel", "vcpu_info_t", "evtchn_pending_sel"],
  ["VI_arch_cr2", "vcpu_info_t", "arch.cr2"],
  ["VI_time", "vcpu_info_t", "time"],
  ["SH_vcpu_info", "shared_info_t", "vcpu_info"],
  ["SH_evtchn_pending", "shared_info_t", "evtchn_pending"],
  ["SH_evtchn_mask", "shared_info_t", "evtchn_mask"],
  ["SH_wc_version", "shared_info_t", "wc_version"],
  ["SH_wc_sec", "shared_info_t", "wc_sec"],
  ["SH_wc_nsec", "shared_info_t", "wc_nsec"],
  ["SH_wc_sec_hi", "shared_info_t", "wc_sec_hi"],
  ["SH_arch_max_pfn", "shared_info_t", "arch.max_pfn"],
];
const sizes: Array<[string, string]> = [
  ["START_INFO_SIZE", "start_info_t"],
  ["VCPU_INFO_SIZE", "vcpu_info_t"],
  ["TRAP_INFO_SIZE", "trap_info_t"],
];

test("core struct offsets equal the guest headers' (gcc offsetof)", () => {
  const dir = mkdtempSync(join(tmpdir(), "xenwasm-abi-"));
  const src = join(dir, "offsets.c");
  const lines = [
    // Only the guest library's headers: they are freestanding (stddef.h, stdint.h of their own).
    "#include <stddef.h>",
    '#include "xen/xen.h"',
    "int printf(const char *fmt, ...);",
    "int main(void) {",
    ...fields.map(([n, t, f]) => `  printf("${n} %zu\\n", offsetof(${t}, ${f}));`),
    ...sizes.map(([n, t]) => `  printf("${n} %zu\\n", sizeof(${t}));`),
    "  return 0;",
    "}",
  ];
  writeFileSync(src, lines.join("\n"));
  const exe = join(dir, "offsets");
  execFileSync("gcc", ["-std=gnu11", "-Wall", "-Werror", "-fno-builtin", "-nostdinc", "-I", "guests/lib/include", "-o", exe, src]);
  const out = execFileSync(exe, { encoding: "utf8" });
  const got = new Map(out.trim().split("\n").map((l) => l.split(" ") as [string, string]));
  const table = A as unknown as Record<string, number>;
  for (const [name] of [...fields, ...sizes]) {
    assert.equal(Number(got.get(name)), table[name], name);
  }
});
