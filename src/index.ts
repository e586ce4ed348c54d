/**
 * shanfu: a terminal SDK for contactless acceptance of financial IC cards (UnionPay QuickPass).
 * The QA harness is its own entry point, `shanfu/qa` (src/qa), so a validator does not load it.
 */
export * from '../kernels/index.js';
export * from '../hal/index.js';
export * from './config/index.js';
export { createOdaProvider, withTestPki } from './config/oda-provider.js';
export { parseCapkDownload, type CapkJson } from './config/capk-download.js';
export * from './terminal/index.js';
export * from './profiles/index.js';
export * from './journal/index.js';
export * from './denylist/index.js';
export * from './uplink/index.js';
export { runDemo, type DemoOptions, type DemoSummary, type DemoTap, type ValidatorSummary } from './demo/city.js';
