/**
 * shanfu: a terminal SDK for contactless acceptance of financial IC cards (UnionPay QuickPass).
 */
export * from '../kernels/index.js';
export * from '../hal/index.js';
export * from './config/index.js';
export { createOdaProvider, withTestPki } from './config/oda-provider.js';
export { driveTap } from './terminal/drive.js';
export type { Exchange, DriveOptions } from './terminal/drive.js';
