/**
 * Named terminal configurations for cases (`"terminal": "online"` or `{ "preset": "online", "config": {…} }`).
 * Each preset is a terminal config JSON (src/config/README.md) on top of DEFAULT_CONFIG_JSON; a case's
 * `config` fields replace the preset's; the test PKI is added unless the case says `testPki: false`.
 */
import { DEFAULT_CONFIG_JSON, validateConfig, type TerminalConfig } from '../config/terminal-config.js';
import { withTestPki } from '../config/oda-provider.js';
import { toHex } from '../../kernels/util/hex.js';
import type { TerminalSpec } from './case.js';

export const TERMINAL_PRESETS: Record<string, { description: string; config: Record<string, unknown> }> = {
  'offline-transit': {
    description: 'The default configuration: offline-only transit validator (TTQ 28000080), SM supported, no contact interface.',
    config: {},
  },
  online: {
    description: 'Online-capable reader with a contact interface (TTQ 36000080: qPBOC, contact, online PIN, signature).',
    config: { ttq: '36000080', offlineOnly: false, contactSupported: true },
  },
  'online-no-contact': {
    description: 'Online-capable reader without a contact interface (TTQ 26000080).',
    config: { ttq: '26000080', offlineOnly: false, contactSupported: false },
  },
  'offline-no-sm': {
    description: 'Offline-only reader that does not announce SM (DF69 = 00): SM2 cards answer without fDDA data.',
    config: { smSupported: false },
  },
};

/** The terminal configuration a case asks for. Throws RangeError for an unknown preset, ShanfuError for bad fields. */
export function terminalConfigFor(spec: TerminalSpec): TerminalConfig {
  const preset = TERMINAL_PRESETS[spec.preset];
  if (!preset) throw new RangeError(`terminal.preset: unknown preset '${spec.preset}' (known: ${Object.keys(TERMINAL_PRESETS).join(', ')})`);
  const config = validateConfig({ ...DEFAULT_CONFIG_JSON, ...preset.config, ...spec.config });
  if (spec.denyList.length > 0) {
    const denied = new Set(spec.denyList.map((d) => `${d.pan}/${d.psn ?? '*'}`));
    config.denyList = {
      isDenied(pan: Uint8Array, off: number, len: number, psn: number): boolean {
        const digits = toHex(pan, off, off + len).replace(/F+$/, '');
        return denied.has(`${digits}/*`) || (psn >= 0 && denied.has(`${digits}/${toHex(Uint8Array.of(psn))}`));
      },
    };
  }
  return spec.testPki ? withTestPki(config) : config;
}
