/** Terminal configuration: validation, defaults, the JSON file format (README.md). */
export { validateConfig, defaultConfig, DEFAULT_CONFIG_JSON } from './terminal-config.js';
export type { TerminalConfig, RsaCapk, Sm2Capk, RevokedCertificate, AidConfig, DenyList, ZeroAmountHandling } from './terminal-config.js';
