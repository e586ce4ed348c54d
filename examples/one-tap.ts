/**
 * One QuickPass tap from an integrator's script: a kernel, a reader, the drive loop.
 * Run: node --import tsx examples/one-tap.ts [PERSONALITY] [AMOUNT_FEN]
 *
 * The reader here is the built-in virtual reader with a virtual card; on hardware, take a reader
 * from `openPcsc()` (shanfu/hal) instead — the kernel and the loop stay the same.
 */
import { QuickPassKernel, Outcome, reasonName } from '../kernels/qpboc/index.js';
import { defaultConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { driveTap } from '../src/terminal/drive.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { createCard } from '../hal/virtual/personalities.js';

const card = process.argv[2] ?? 'debit-ec';
const amount = Number(process.argv[3] ?? 200); // fen: 200 = ¥2.00

const config = withTestPki(defaultConfig()); // the test CA keys: TEST ONLY
const kernel = new QuickPassKernel(config, { oda: createOdaProvider(config) }); // allocate once, reuse per tap

const reader = new VirtualReader();
reader.present(createCard(card));
const session = await reader.waitForCard();
await driveTap(kernel, session, { amount });
await session.disconnect();
await reader.close();

const outcome = (Object.keys(Outcome) as string[])[kernel.outcome];
console.log(`${card}: ${outcome} (${reasonName(kernel.reason)}), ATC ${kernel.atc}, balance after ${kernel.balanceAfter} fen, ${kernel.apduCount} APDUs`);
