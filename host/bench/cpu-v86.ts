// Timed runs of the i386 cpubench multiboot kernel on v86 (child process of host/bench/cpu.ts).
//   node --import tsx host/bench/cpu-v86.ts <kernel.elf> <iterations> jit|interp
// v86 boots a multiboot image without a BIOS: it loads the ELF and enters it in 32-bit
// protected mode with the command line in the multiboot information. The kernel writes its
// checksum to COM1 and halts with interrupts off, which v86 reports as "cpu-event-halt".
// The instruction count is v86's own counter (the one its UI turns into MIPS).
//
// A short untimed run comes first, in a separate emulator: V8 compiles v86's 2 MB of wasm
// lazily and tiers it up in the background, which on this VM takes seconds and varies a lot.
// The timed run starts with a fresh emulator, so v86's own JIT warm-up is still measured.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { V86, type Event as V86Event } from "v86";
import { checksumIn, cpuTime, printReport, warmupIterations, type RunReport } from "./cpu-sample.ts";

const [kernel, iterArg, mode] = process.argv.slice(2);
if (!kernel || !iterArg || (mode !== "jit" && mode !== "interp")) {
  console.error("usage: cpu-v86.ts <kernel.elf> <iterations> jit|interp");
  process.exit(2);
}

const wasmPath = createRequire(import.meta.url).resolve("v86/build/v86.wasm");
const image = readFileSync(kernel);

function runOnce(iterations: number): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const emulator = new V86({
      wasm_path: wasmPath,
      multiboot: { buffer: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) },
      cmdline: `iterations=${iterations}`,
      memory_size: 32 * 1024 * 1024,
      autostart: false,
      disable_jit: mode === "interp",
    });

    // v86's counter is 32 bits wide: sample it often enough that it cannot wrap twice unseen.
    let total = 0;
    let last = 0;
    const counter = (): number => {
      const now = emulator.get_instruction_counter();
      total += (now - last) >>> 0;
      last = now;
      return total;
    };

    let serial = "";
    let t0 = 0;
    let c0 = 0;
    const samples: Array<[number, number]> = [];
    let sampler: NodeJS.Timeout | undefined;

    emulator.add_listener("serial0-output-byte", (byte) => {
      serial += String.fromCharCode(byte);
    });
    emulator.add_listener("emulator-loaded", () => {
      last = emulator.get_instruction_counter();
      t0 = performance.now();
      c0 = cpuTime();
      samples.push([0, 0]);
      sampler = setInterval(() => samples.push([(performance.now() - t0) / 1000, counter()]), 100);
      void emulator.run();
    });
    // "cpu-event-halt" is sent by v86 but missing from its type declarations.
    emulator.add_listener("cpu-event-halt" as keyof V86Event, () => {
      const seconds = (performance.now() - t0) / 1000;
      const instructions = counter();
      const cpuSeconds = cpuTime() - c0;
      clearInterval(sampler);
      samples.push([seconds, instructions]);
      void emulator.stop();
      const checksum = checksumIn(serial);
      if (!checksum) reject(new Error(`the kernel halted without a checksum on the serial port:\n${serial}`));
      else resolve({ checksum, instructions, seconds, cpuSeconds, samples });
    });
  });
}

setTimeout(() => {
  console.error("v86: no halt after 20 minutes");
  process.exit(1);
}, 20 * 60 * 1000).unref();

try {
  await runOnce(warmupIterations(Number(iterArg)));
  printReport(await runOnce(Number(iterArg)));
} catch (e) {
  console.error(`v86: ${(e as Error).message}`);
  process.exit(1);
}
// A halted v86 keeps a slow timer going; the report is out, so end here.
process.exit(0);
