/**
 * Measures the HAL's per-exchange cost (run: node --import tsx scripts/hal-latency.ts [N]):
 *  - VirtualReader overhead: card.transmit alone vs session.transceive through the reader;
 *  - PC/SC via pcscd + vpcd: SELECT PPSE round trips, with and without the quick-ACK route
 *    (127.0.0.2 vs 127.0.0.1). Needs pcscd + vpcd + pcsclite; starts pcscd if needed.
 * Figures, not assertions (DESIGN: benchmarks never as timed test assertions).
 */
import { ConformanceCard, SELECT_PPSE } from '../hal/conformance/test-card.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { VpcdBridge } from '../hal/virtual/vpcd.js';
import { openPcsc } from '../hal/pcsc/index.js';
import { hasQuickackRoute, PLAIN_HOST, QUICKACK_HOST } from '../hal/virtual/quickack.js';
import { pcscMissing, startPcscd } from '../test/pcsc-env.js';

const N = Number(process.argv[2] ?? 200);
const rx = new Uint8Array(1024);

async function virtual(): Promise<void> {
  const card = new ConformanceCard();
  card.powerOn();
  const M = 200_000;
  for (let i = 0; i < 10_000; i++) card.transmit(SELECT_PPSE);
  let t = process.hrtime.bigint();
  for (let i = 0; i < M; i++) card.transmit(SELECT_PPSE);
  const direct = Number(process.hrtime.bigint() - t) / M;
  const r = new VirtualReader();
  r.present(card);
  const s = await r.waitForCard();
  for (let i = 0; i < 10_000; i++) await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
  t = process.hrtime.bigint();
  for (let i = 0; i < M; i++) await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
  const via = Number(process.hrtime.bigint() - t) / M;
  console.log(`virtual reader: card.transmit ${(direct / 1000).toFixed(2)} µs, via VirtualReader.transceive ${(via / 1000).toFixed(2)} µs → overhead ${((via - direct) / 1000).toFixed(2)} µs per exchange (${M} exchanges)`);
}

async function vpcd(host: string): Promise<number> {
  const bridge = new VpcdBridge(new ConformanceCard(), { host });
  bridge.present();
  const service = await openPcsc();
  try {
    const reader = await service.waitForReader('Virtual PCD 00 00');
    const s = await reader.waitForCard(AbortSignal.timeout(10_000));
    for (let i = 0; i < 5; i++) await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
      times.push(performance.now() - t);
    }
    await s.disconnect();
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / N;
    console.log(`vpcd via ${host}: ${N} SELECT PPSE, mean ${mean.toFixed(3)} ms, median ${times[N >> 1]!.toFixed(3)} ms, p95 ${times[Math.floor(N * 0.95)]!.toFixed(3)} ms`);
    return mean;
  } finally {
    await bridge.stop();
    await service.close();
  }
}

await virtual();
const missing = pcscMissing();
if (missing) console.log(`vpcd: skipped (${missing})`);
else {
  const env = await startPcscd();
  try {
    if (await hasQuickackRoute()) await vpcd(QUICKACK_HOST);
    else console.log(`vpcd via ${QUICKACK_HOST}: no quick-ACK route (${env.quickack.reason ?? 'not root'})`);
    await vpcd(PLAIN_HOST);
  } finally {
    await env.stop();
  }
}
