/**
 * The HAL's own cost per exchange (`npm run bench -- hal`), apart from what the card and the
 * transport cost:
 * - virtual: VirtualReader session.transceive vs calling the card emulator directly (and vs a
 *   bare `await` of it, the least an async API costs);
 * - hid: HidReader over the reader-firmware emulator; the time spent inside the device's write
 *   (firmware + card, measured around it) and one event-loop turn (the emulator answers on the
 *   next turn, as node-hid's read thread does) are subtracted;
 * - pcsc: SELECT PPSE through pcsclite → pcscd → vpcd → the vpcd bridge, with and without the
 *   quick-ACK route. The card emulator is timed where the bridge calls it (C-APDU arrived, answer
 *   about to be sent; same process, same clock), which splits an exchange into request leg, card,
 *   and response leg; the HAL's own part is PcscSession.transceive minus a raw pcsclite transmit
 *   on the same card handle. Skipped, with the reason, when pcscd / vpcd / pcsclite are absent.
 * These are async, so they are measured once when the file registers (as bench/terminal.bench.ts
 * does) and printed; the synchronous suite `hal-hid-codec` (the HID framing work of one exchange)
 * runs in the harness and carries the figures in its description.
 */
import { ConformanceCard, FCI_PPSE, LONG_DATA, SELECT_PPSE } from '../hal/conformance/test-card.js';
import type { CardEmulator } from '../hal/virtual/emulator.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { VpcdBridge, VPCD_PORT } from '../hal/virtual/vpcd.js';
import { hasQuickackRoute, PLAIN_HOST, QUICKACK_HOST } from '../hal/virtual/quickack.js';
import { emulatorBackend, HidFirmwareEmulator } from '../hal/hid/firmware-emulator.js';
import { shanfuFraming } from '../hal/hid/framing.js';
import { openHidReader } from '../hal/hid/reader.js';
import type { HidBackend, HidDevice } from '../hal/hid/device.js';
import type { PcscService, PcscSession } from '../hal/pcsc/index.js';
import type { PcscliteReader } from '../hal/pcsc/binding.js';
import type { Suite } from './harness.js';

const rx = new Uint8Array(1024);
const us = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

/** Mean ms per op over `n` ops (after `n / 10` warm-up ops), the lower of two rounds (a shared machine only adds time). */
async function meanMs(n: number, op: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < Math.max(1, n / 10); i++) await op();
  let best = Infinity;
  for (let round = 0; round < 2; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await op();
    best = Math.min(best, (performance.now() - t0) / n);
  }
  return best;
}

/** `inner`, with its transmit timed where the vpcd bridge calls it (the C-APDU has arrived; the answer goes out next). */
function timedCard(inner: CardEmulator): { card: CardEmulator; arrived: number; answered: number } {
  const t = { card: inner, arrived: 0, answered: 0 };
  const transmit = (capdu: Uint8Array) => {
    t.arrived = performance.now();
    const r = inner.transmit(capdu);
    t.answered = performance.now();
    return r;
  };
  t.card = new Proxy(inner, {
    get: (target, key) => {
      if (key === 'transmit') return transmit;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return t;
}

async function virtual(): Promise<string> {
  const card = new ConformanceCard();
  card.powerOn();
  const N = 200_000;
  let direct = Infinity; // a plain loop: no await between calls
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) card.transmit(SELECT_PPSE);
    direct = Math.min(direct, (performance.now() - t0) / N);
  }
  const awaited = await meanMs(N, async () => card.transmit(SELECT_PPSE));
  const reader = new VirtualReader();
  reader.present(card);
  const s = await reader.waitForCard();
  const via = await meanMs(N, () => s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx));
  await reader.close();
  return (
    `virtual (SELECT PPSE, ${N} exchanges): card.transmit ${us(direct)}, awaited ${us(awaited)}, ` +
    `VirtualReader transceive ${us(via)} → HAL overhead ${us(via - direct)} per exchange (${us(via - awaited)} beyond one await)`
  );
}

async function hid(): Promise<string> {
  const fw = new HidFirmwareEmulator();
  fw.present(new ConformanceCard());
  // The device's write runs the firmware and the card synchronously: time it from outside.
  let inWrite = 0;
  const emu = emulatorBackend(fw);
  const backend: HidBackend = {
    devices: () => emu.devices(),
    open: (path) => {
      const d = emu.open(path);
      const write = d.write.bind(d);
      return Object.assign(d, {
        write(data: number[] | Buffer) {
          const t = performance.now();
          const n = write(data);
          inWrite += performance.now() - t;
          return n;
        },
      }) as HidDevice;
    },
  };
  // A slow poll (one round per 200 ms), so the measurement sees exchanges, not poll rounds.
  const reader = await openHidReader({ vendorId: fw.info.vendorId, productId: fw.info.productId, backend, pollIntervalMs: 200 });
  const s = await reader.waitForCard();
  const N = 20_000;
  const turn = await meanMs(N, () => new Promise((r) => setImmediate(r)));
  const run = async (capdu: Uint8Array) => {
    await meanMs(N / 10, () => s.transceive(capdu, capdu.length, rx));
    inWrite = 0;
    const total = await meanMs(N, () => s.transceive(capdu, capdu.length, rx));
    const device = inWrite / (N * 2.1); // warm-up + two rounds went through the device
    return { total, device, own: total - device - turn };
  };
  const select = await run(SELECT_PPSE);
  fw.followGetResponse = true;
  const long = await run(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00));
  await reader.close();
  return (
    `hid over the firmware emulator (${N} exchanges; one loop turn ${us(turn)}): SELECT PPSE ${us(select.total)} total, ` +
    `${us(select.device)} in the device (firmware + card) → adapter ${us(select.own)}; ` +
    `${LONG_DATA.length + 2}-byte answer chained over ${shanfuFraming.encodeResponse({ seq: 0, command: 'transceive', status: 'ok', data: new Uint8Array(LONG_DATA.length + 2) }).length} reports ${us(long.total)} total, ${us(long.device)} in the device → adapter ${us(long.own)}`
  );
}

/**
 * PcscSession over an in-process stand-in for a pcsclite reader that answers at once: the
 * adapter's own work per exchange (Buffer view, per-exchange timeout timer, 61xx/6Cxx check,
 * copy into rx) without pcscd's noise. Imports only the adapter, not pcsclite.
 */
async function pcscStandIn(): Promise<string> {
  const { PcscSession } = await import('../hal/pcsc/reader.js');
  const answer = Buffer.from([...FCI_PPSE, 0x90, 0x00]);
  const fake = {
    connected: true,
    transmit: (_d: Buffer, _n: number, _p: number, cb: (e: Error | null, d?: Buffer) => void) => cb(null, answer),
    disconnect: (_d: number, cb: (e: Error | null) => void) => cb(null),
  } as unknown as PcscliteReader;
  const session = new PcscSession({} as PcscService, 'stand-in', fake, 2, new Uint8Array(0), {});
  const buf = Buffer.from(SELECT_PPSE);
  const N = 200_000;
  const raw = await meanMs(N, () => new Promise<Buffer>((resolve, reject) => fake.transmit(buf, 4096, 2, (e, d) => (e ? reject(e) : resolve(d!)))));
  const via = await meanMs(N, () => session.transceive(SELECT_PPSE, SELECT_PPSE.length, rx));
  return `pcsc adapter over an in-process pcsclite stand-in (${N} exchanges): raw transmit as a promise ${us(raw)}, PcscSession.transceive ${us(via)} → HAL overhead ${us(via - raw)} per exchange`;
}

async function pcsc(): Promise<string[]> {
  const { pcscMissing, startPcscd } = await import('../test/pcsc-env.js');
  const missing = pcscMissing();
  if (missing) return [`pcsc: skipped (${missing})`];
  const { openPcsc } = await import('../hal/pcsc/index.js'); // loads pcsclite only here
  const env = await startPcscd();
  const quickack = await hasQuickackRoute();
  const paths = [
    { label: `quick-ACK (${QUICKACK_HOST})`, host: QUICKACK_HOST, port: VPCD_PORT, reader: 'Virtual PCD 00 00', n: 2000, skip: quickack ? undefined : env.quickack.reason ?? 'no quick-ACK route' },
    { label: `plain loopback (${PLAIN_HOST})`, host: PLAIN_HOST, port: VPCD_PORT + 1, reader: 'Virtual PCD 00 01', n: 40, skip: undefined },
  ];
  const lines: string[] = [];
  // pcscd must be up before a bridge's card enters: see "deadlock" in hal/virtual/vpcd.ts.
  const service = await openPcsc();
  const bridges: VpcdBridge[] = [];
  try {
    for (const p of paths) {
      if (p.skip) {
        lines.push(`pcsc via ${p.label}: skipped (${p.skip})`);
        continue;
      }
      const card = timedCard(new ConformanceCard());
      const bridge = new VpcdBridge(card.card, { host: p.host, port: p.port });
      bridges.push(bridge);
      bridge.present();
      const reader = await service.waitForReader(p.reader, AbortSignal.timeout(10_000));
      const s = (await reader.waitForCard(AbortSignal.timeout(10_000))) as PcscSession;
      const raw = service.lookup(p.reader)!.raw;
      const buf = Buffer.from(SELECT_PPSE);
      const rawTransmit = () =>
        new Promise<Buffer>((resolve, reject) => raw.transmit(buf, 4096, s.protocol, (e, d) => (e ? reject(e) : resolve(d!))));
      const hal = async () => {
        const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
        if (n !== FCI_PPSE.length + 2) throw new Error('bench: unexpected SELECT PPSE answer');
      };
      // Raw and HAL exchanges alternate, so both see the same machine load.
      const timed = { raw: [] as number[], hal: [] as number[], request: [] as number[], card: [] as number[], response: [] as number[] };
      for (let i = -Math.max(3, p.n / 10); i < p.n; i++) {
        let t0 = performance.now();
        await rawTransmit();
        if (i >= 0) timed.raw.push(performance.now() - t0);
        t0 = performance.now();
        await hal();
        const t1 = performance.now();
        if (i < 0) continue;
        timed.hal.push(t1 - t0);
        timed.request.push(card.arrived - t0);
        timed.card.push(card.answered - card.arrived);
        timed.response.push(t1 - card.answered);
      }
      const viaHal = { total: median(timed.hal), p99: p99(timed.hal), request: median(timed.request), card: median(timed.card), response: median(timed.response) };
      const viaRaw = { total: median(timed.raw), p99: p99(timed.raw) };
      const ms = (x: number) => `${x.toFixed(3)} ms`;
      lines.push(
        `pcsc via ${p.label}, ${p.n} SELECT PPSE each (medians): PcscSession.transceive ${ms(viaHal.total)} (p99 ${ms(viaHal.p99)}) = ` +
          `request leg ${ms(viaHal.request)} + card ${ms(viaHal.card)} + response leg ${ms(viaHal.response)}; ` +
          `raw pcsclite transmit ${ms(viaRaw.total)} (p99 ${ms(viaRaw.p99)}) → transport (pcsclite + pcscd + vpcd + TCP) ${ms(viaRaw.total - viaHal.card)}` +
          // With 40 samples of ~45 ms the difference of medians is noise; the stand-in figure is the exact one.
          (p.n >= 1000 ? `, HAL overhead ${us(viaHal.total - viaRaw.total)} per exchange (difference of medians)` : ''),
      );
      await s.disconnect();
    }
  } finally {
    for (const b of bridges) await b.stop();
    await service.close();
    await env.stop(); // only a pcscd this process started
  }
  return lines;
}

export async function register(add: (s: Suite) => void): Promise<void> {
  const lines = [await virtual(), await hid(), await pcscStandIn(), ...(await pcsc())];
  for (const l of lines) console.log(`hal: ${l}`);

  // The HID adapter's synchronous work for one exchange: the request framed by the host and
  // parsed by the firmware, the answer framed by the firmware and reassembled by the host.
  const f = shanfuFraming;
  const hostDecoder = f.responseDecoder();
  const fwDecoder = f.requestDecoder();
  const card = new ConformanceCard();
  card.powerOn();
  const roundTrip = (apdu: Uint8Array, answer: Uint8Array) => (i: number) => {
    const seq = i & 0xff;
    let req = null;
    for (const r of f.encodeRequest({ command: 'transceive', apdu }, seq)) req = fwDecoder.push(r);
    let res = null;
    for (const r of f.encodeResponse({ seq, command: 'transceive', status: 'ok', data: answer })) res = hostDecoder.push(r);
    return (req ? 1 : 0) + (res ? res.data.length : 0);
  };
  const fci = Uint8Array.from([...FCI_PPSE, 0x90, 0x00]);
  const long = Uint8Array.from([...LONG_DATA, 0x90, 0x00]);
  const reports = (answer: Uint8Array) => f.encodeResponse({ seq: 0, command: 'transceive', status: 'ok', data: answer }).length;
  add({
    name: 'hal-hid-codec',
    description: lines.join(' | '),
    reference: 'card.transmit SELECT PPSE (conformance card)',
    cases: [
      { name: 'card.transmit SELECT PPSE (conformance card)', fn: () => card.transmit(SELECT_PPSE)!.length },
      { name: `HID framing round trip, SELECT PPSE (1 + ${reports(fci)} reports)`, fn: roundTrip(SELECT_PPSE, fci) },
      { name: `HID framing round trip, ${long.length}-byte answer (1 + ${reports(long)} reports)`, fn: roundTrip(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), long) },
    ],
  });
}
