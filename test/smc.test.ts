// Self-modifying code: a write to a page holding decoded (cached) instructions invalidates them,
// whatever instruction does the write, including one inside the block being executed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EmuCpu, type CpuState } from "./cpu/emu.ts";

const CODE = 0x10000000n;
const DATA = 0x20000000n;
const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];

function run(build: (emit: (...b: number[]) => void, here: () => number) => void, extra: Array<[number, number[]]>): CpuState {
  const cpu = new EmuCpu();
  const code = new Uint8Array(256).fill(0x90);
  let p = 0;
  build((...b) => { code.set(b, p); p += b.length; }, () => p);
  for (const [at, bytes] of extra) code.set(bytes, at);
  cpu.map([
    { va: CODE, bytes: code, writable: true, executable: true },
    { va: DATA, bytes: new Uint8Array(4096), writable: true, executable: false },
  ]);
  const regs = Array<bigint>(16).fill(0n);
  regs[4] = DATA + 0x800n;
  const r = cpu.run({ regs, rip: CODE, rflags: 0x202n, xmm: new Uint8Array(256), mxcsr: 0x1f80, fsBase: 0n, gsBase: 0n }, 10_000);
  assert.equal(r.exception?.vector, 3, "ends at the int3");
  return r.state;
}

// The target at 0x80 returns 0 in eax until it is patched to return 0x1234.
const OLD = [0xb8, 0, 0, 0, 0, 0xc3];
const NEW = [0xb8, 0x34, 0x12, 0, 0, 0xc3, 0x90, 0x90];
const TARGET = 0x80;
const SOURCE = 0x60;

test("a 64-bit store patches code that already ran", () => {
  const s = run((emit, here) => {
    emit(0xe8, ...le32(TARGET - (here() + 5))); // call target (caches it)
    emit(0x48, 0x8b, 0x05, ...le32(SOURCE - (here() + 7))); // mov rax, [rip+source]
    emit(0x48, 0x89, 0x05, ...le32(TARGET - (here() + 7))); // mov [rip+target], rax
    emit(0xe8, ...le32(TARGET - (here() + 5))); // call target again
    emit(0xcc);
  }, [[TARGET, OLD], [SOURCE, NEW]]);
  assert.equal(s.regs[0], 0x1234n);
});

test("a 128-bit SSE store patches cached code", () => {
  const s = run((emit, here) => {
    emit(0xe8, ...le32(TARGET - (here() + 5)));
    emit(0x0f, 0x10, 0x05, ...le32(SOURCE - (here() + 7))); // movups xmm0, [rip+source]
    emit(0x0f, 0x11, 0x05, ...le32(TARGET - (here() + 7))); // movups [rip+target], xmm0
    emit(0xe8, ...le32(TARGET - (here() + 5)));
    emit(0xcc);
  }, [[TARGET, OLD], [SOURCE, [...NEW, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90]]]);
  assert.equal(s.regs[0], 0x1234n);
});

test("rep movsb patches cached code", () => {
  const s = run((emit, here) => {
    emit(0xe8, ...le32(TARGET - (here() + 5)));
    emit(0x48, 0x8d, 0x35, ...le32(SOURCE - (here() + 7))); // lea rsi, [rip+source]
    emit(0x48, 0x8d, 0x3d, ...le32(TARGET - (here() + 7))); // lea rdi, [rip+target]
    emit(0xb9, 6, 0, 0, 0); // mov ecx, 6
    emit(0xf3, 0xa4); // rep movsb
    emit(0xe8, ...le32(TARGET - (here() + 5)));
    emit(0xcc);
  }, [[TARGET, OLD], [SOURCE, NEW]]);
  assert.equal(s.regs[0], 0x1234n);
});

test("a store into the block being executed changes the next instruction", () => {
  // mov byte [rip+1], 0x01 rewrites the immediate of the following `mov eax, imm32`.
  const s = run((emit) => {
    emit(0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x07); // mov byte [rip + 1], 7 (rip = next insn; +1 = its imm)
    emit(0xb8, 0x00, 0x00, 0x00, 0x00); // mov eax, 0  -> becomes mov eax, 7
    emit(0xcc);
  }, []);
  assert.equal(s.regs[0], 7n);
});
