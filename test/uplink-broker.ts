/**
 * A real Eclipse Mosquitto for the uplink tests: own port, own config, own persistence directory,
 * so QoS 1 messages queued for a persistent subscriber survive a restart. Not a test file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

/** Why the broker tests cannot run here, or null. Under CI they must run (and fail loudly). */
export function brokerUnavailable(): string | null {
  if (process.env.CI) return null;
  return existsSync(MOSQUITTO) ? null : `mosquitto not installed at ${MOSQUITTO} (apt-get install mosquitto)`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export interface BrokerOptions {
  /** username → password; when given, anonymous clients are refused. */
  users?: Record<string, string>;
  /** TLS listener (PEM files); with requireClientCert, clients must present a certificate from `ca`. */
  tls?: { ca: string; cert: string; key: string; requireClientCert?: boolean };
  /** mosquitto max_inflight_messages (also its MQTT 5 Receive Maximum); default 100. */
  maxInflight?: number;
  /** mosquitto acl_file lines (e.g. `user BUS-1` / `topic read shanfu/#`). */
  acl?: string[];
}

export class Broker {
  readonly dir: string;
  readonly port: number;
  private proc: ChildProcess | null = null;
  log = '';

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  tls = false;

  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-mosquitto-'));
    const port = await freePort();
    mkdirSync(join(dir, 'data'));
    const conf = [
      `listener ${port} 127.0.0.1`,
      // Run as the current user (as root, mosquitto would switch to user mosquitto and could not write the temp dir).
      `user ${userInfo().username}`,
      `persistence true`,
      `persistence_location ${join(dir, 'data')}/`,
      // Keep every QoS 1 message queued for an offline persistent subscriber (default caps: 1000 / none).
      `max_queued_messages 0`,
      `max_inflight_messages ${options.maxInflight ?? 100}`,
      `log_dest stderr`,
      `log_type error`,
      `log_type warning`,
    ];
    if (options.users) {
      const pw = join(dir, 'passwd');
      writeFileSync(pw, '');
      for (const [u, p] of Object.entries(options.users)) {
        const r = spawnSync(MOSQUITTO_PASSWD, ['-b', pw, u, p], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      }
      conf.push(`allow_anonymous false`, `password_file ${pw}`);
    } else conf.push(`allow_anonymous true`);
    if (options.acl) {
      writeFileSync(join(dir, 'acl'), options.acl.join('\n') + '\n');
      conf.push(`acl_file ${join(dir, 'acl')}`);
    }
    if (options.tls) {
      conf.push(`cafile ${options.tls.ca}`, `certfile ${options.tls.cert}`, `keyfile ${options.tls.key}`);
      if (options.tls.requireClientCert) conf.push(`require_certificate true`);
    }
    writeFileSync(join(dir, 'mosquitto.conf'), conf.join('\n') + '\n');
    const b = new Broker(dir, port);
    b.tls = !!options.tls;
    await b.launch();
    return b;
  }

  /** Starts mosquitto and waits until it accepts connections. */
  async launch(): Promise<void> {
    if (this.proc) return;
    const p = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc = p;
    const until = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited with ${p.exitCode}: ${this.log}`);
      if (Date.now() > until) throw new Error(`mosquitto did not listen on ${this.port} within 10 s: ${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops mosquitto: SIGTERM saves the persistence file (queued QoS 1 messages) before exiting. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    if (p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await exited;
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}

/**
 * A throw-away PKI for TLS tests (openssl): a CA, a server certificate for 127.0.0.1 and a client
 * certificate, all P-256, in `dir`. Returns the file paths.
 */
export function makeTestPki(dir: string): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const f = (n: string) => join(dir, n);
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=shanfu test CA', '-days', '2');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [['server', '127.0.0.1', f('server.ext')], ['client', 'BUS-TLS', null]] as const) {
    run('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    run('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', ...(ext ? ['-extfile', ext] : []));
  }
  return { ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key') };
}

/**
 * The CLI (src/cli/dev.ts) bundled with esbuild into one file, once per test file: node starts it
 * in ~0.1 s, where `--import tsx` takes ~0.5 s (more on a loaded 2-core machine) per start.
 * Written under node_modules/.cache so its external packages resolve from the project.
 */
export async function bundleCli(name: string): Promise<string> {
  const out = resolve(`node_modules/.cache/shanfu-uplink-tests/${name}.mjs`);
  await build({ entryPoints: ['src/cli/dev.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: out, logLevel: 'error' });
  return out;
}
