// Starts the real motcua binary on a free port with a fresh data directory,
// and stops it with SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export function binaryPath() {
  if (process.env.MOTCUA_BIN) return process.env.MOTCUA_BIN;
  const target = process.env.CARGO_TARGET_DIR || '/var/cache/motcua-target';
  return join(target, 'debug', 'motcua');
}

/**
 * Starts `motcua serve --listen 127.0.0.1:0 --data-dir <fresh>` with JSON logs
 * and resolves once the "motcua serving" line names the address.
 * Returns { baseUrl, stop(), logs }: `stop()` sends SIGTERM and resolves to
 * { code, signal } once the process has exited.
 */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: run \`cargo build -p motcua-cli\` (e2e/run.sh does)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-data-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, MOTCUA_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = []; // every parsed JSON log line (and raw text lines)
  let exit = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no "motcua serving" log line within ${timeoutMs} ms:\n${dump(logs)}`));
    }, timeoutMs);
    const onLine = (line) => {
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        logs.push({ raw: line });
        return;
      }
      logs.push(rec);
      if (rec?.fields?.message === 'motcua serving' && rec.fields.addr) {
        clearTimeout(timer);
        resolve(rec.fields.addr);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', onLine);
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`motcua exited before serving (${JSON.stringify(e)}):\n${dump(logs)}`));
    });
  });
  let addr;
  try {
    addr = await started;
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    baseUrl: `http://${addr}`,
    logs,
    async stop({ timeoutMs: stopTimeout = 15_000 } = {}) {
      if (exit === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeout);
      const result = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}

function dump(logs) {
  return logs.map((l) => (l.raw !== undefined ? l.raw : JSON.stringify(l))).join('\n');
}
