/**
 * `pare optimize` when the engine dies mid-build: a second dockerd of its own
 * (own data-root, exec-root, socket, and its own network namespace, so its
 * bridge and iptables never touch the engine the other tests use) is killed
 * with SIGKILL while pare builds a candidate. pare must say so in one line
 * (the engine's fault, not the Dockerfile's), exit 2, leave the user's files
 * alone, say what it could not remove, and the next run must remove it.
 *
 * The fixture's original build is quick and the rule-fix candidate's is slow:
 * the candidate is built with pare's proposed .dockerignore, which leaves `.git`
 * out, and the RUN sleeps when `.git` is missing. So the kill lands after pare
 * has a temporary image (the original) in the engine, the case cleanup matters for.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PARE_BIN, runPare } from '../helpers/cli.js';
import { BASE_IMAGE, describeWithEngine, engineGate, REQUIRED } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const DOCKERD = '/usr/sbin/dockerd';
const UNSHARE = '/usr/bin/unshare';

function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  for (const binary of [DOCKERD, UNSHARE]) if (!existsSync(binary)) return `${binary} is missing`;
  return undefined;
}

const engine = await engineGate();
const missing = engine.engine ? missingPrerequisite() : undefined;
const gate = missing ? { engine: undefined, missing } : engine;
if (missing && !REQUIRED) console.warn(`optimize-engine-death: skipped (${missing})`);

/** A dockerd of this test's own. */
class Daemon {
  private child: ChildProcess | undefined;
  readonly host: string;
  constructor(readonly root: string) {
    this.host = `unix://${join(root, 'docker.sock')}`;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.host };
  }

  async start(): Promise<void> {
    const log = openSync(join(this.root, 'dockerd.log'), 'a');
    // unshare --net: its own network namespace, so its docker0 and iptables rules are its own.
    // (`--bridge none` in the host's namespace would delete the host engine's docker0.)
    this.child = spawn(
      UNSHARE,
      [
        '--net',
        DOCKERD,
        '--data-root',
        join(this.root, 'data'),
        '--exec-root',
        join(this.root, 'exec'),
        '--pidfile',
        join(this.root, 'docker.pid'),
        '--host',
        this.host,
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    this.child.unref();
    for (let attempt = 0; attempt < 120; attempt += 1) {
      if (await this.answers()) return;
      await sleep(500);
    }
    const tail = await readFile(join(this.root, 'dockerd.log'), 'utf8').catch(() => '');
    throw new Error(
      `the test's dockerd did not answer within 60 s:\n${tail.split('\n').slice(-20).join('\n')}`,
    );
  }

  async answers(): Promise<boolean> {
    try {
      await run(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env: this.env, timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, signal);
    await Promise.race([exited, sleep(30_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGKILL');
      await Promise.race([exited, sleep(10_000)]);
    }
    // Its containerd dies with it, but not at once; a dockerd started meanwhile would wait for the old one.
    const containerd = Number(
      await readFile(join(this.root, 'exec', 'containerd', 'containerd.pid'), 'utf8').catch(() => ''),
    );
    if (!Number.isInteger(containerd) || containerd <= 0) return;
    for (let attempt = 0; attempt < 100 && alive(containerd); attempt += 1) {
      if (attempt === 50) process.kill(containerd, 'SIGKILL');
      await sleep(200);
    }
  }

  async docker(args: string[]): Promise<string> {
    return (await run(DOCKER, args, { env: this.env, timeout: 60_000 })).stdout;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line holds the marker (a RUN step orphaned by the killed daemon). */
async function killMarked(marker: string): Promise<void> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(marker)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

async function markedRunning(marker: string): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`echo ${marker}`)) return true;
  }
  return false;
}

/** Mounts the killed daemon left under its root (overlay, shm), so the directory can be removed. */
async function unmountUnder(root: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((path): path is string => path?.startsWith(`${root}/`) === true)
    .sort((a, b) => b.length - a.length);
  for (const path of mounts) await run('umount', ['-l', path]).catch(() => undefined);
}

describeWithEngine('pare optimize when the engine dies mid-build', gate, () => {
  let root: string;
  let daemon: Daemon;
  const marker = `pare-engine-death-${process.pid}`;

  beforeAll(async () => {
    // Short path: a unix socket path must stay under 108 bytes.
    root = await mkdtemp('/tmp/pare-dd-');
    daemon = new Daemon(root);
    await daemon.start();
    await run('bash', ['-c', `${DOCKER} save ${BASE_IMAGE} | DOCKER_HOST=${daemon.host} ${DOCKER} load -q`], {
      env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? '' },
      timeout: 300_000,
    });
  });

  afterAll(async () => {
    await killMarked(marker);
    if (daemon) await daemon.kill('SIGTERM');
    if (root) {
      await unmountUnder(root);
      await rm(root, { recursive: true, force: true });
    }
  });

  it('says the engine stopped (exit 2), keeps the files, and the next run removes what was left', async () => {
    const project = join(root, `project-${process.pid}`);
    await mkdir(join(project, '.git'), { recursive: true });
    await writeFile(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const dockerfile = [
      `FROM ${BASE_IMAGE}`,
      'COPY . /src',
      `RUN if [ -d /src/.git ]; then echo original; else echo ${marker} && sleep 60; fi`,
      'CMD ["sleep", "300"]',
      '',
    ].join('\n');
    await writeFile(join(project, 'Dockerfile'), dockerfile);

    const pare = spawn(process.execPath, [PARE_BIN, 'optimize', project, '--probe-up', '1'], {
      env: { ...daemon.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    pare.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    pare.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    const exited = new Promise<number | null>((resolve) => pare.on('exit', (code) => resolve(code)));

    // Mid-build: the slow candidate's RUN is running.
    const deadline = Date.now() + 180_000;
    while (!(stderr.includes('building the safe fixes Dockerfile') && (await markedRunning(marker)))) {
      if (pare.exitCode !== null || Date.now() > deadline) {
        pare.kill('SIGKILL');
        throw new Error(`pare never reached the candidate build:\n${stderr}`);
      }
      await sleep(200);
    }
    expect(await daemon.docker(['images', '-q', `pare-optimize/project-${process.pid}:original`])).not.toBe(
      '',
    );
    await daemon.kill('SIGKILL');

    const code = await Promise.race([exited, sleep(120_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') pare.kill('SIGKILL');
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    const errors = stderr.split('\n').filter((line) => line.startsWith('pare: error:'));
    expect(errors, stderr).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `the container engine at ${daemon.host.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} stopped responding during the build: `,
      ),
    );
    expect(stderr).not.toMatch(/fails to build before any change|failed to build \(an error in the build/);
    expect(stderr).not.toMatch(/^\s+at /m);
    // What pare could not remove with the engine down, it says, and who will.
    expect(stderr).toMatch(
      new RegExp(
        `pare: warning: could not remove image pare-optimize/project-${process.pid}:original: the container engine at .* is unreachable .*; the next \`pare optimize\` with this engine removes it`,
      ),
    );
    expect(await readFile(join(project, 'Dockerfile'), 'utf8')).toBe(dockerfile);
    expect((await readdir(project)).sort()).toEqual(['.git', 'Dockerfile']);
    await killMarked(marker);

    // The engine comes back; the image pare could not remove is still there until the next run.
    await daemon.start();
    expect(await daemon.docker(['images', '-q', '--filter', 'label=org.pare.managed'])).not.toBe('');
    const next = join(root, `next-${process.pid}`);
    await mkdir(next);
    await writeFile(join(next, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCMD ["sleep", "300"]\n`);
    // Nothing to improve without the closure (whose candidate this app would get): exit 1.
    const again = runPare(['optimize', next, '--probe-up', '1', '--no-closure'], { env: daemon.env });
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toMatch(/pare: removed what an earlier run left behind: image [0-9a-f]{12}/);
    expect(await daemon.docker(['ps', '--all', '--quiet'])).toBe('');
    expect(await daemon.docker(['images', '--quiet', '--filter', 'label=org.pare.managed'])).toBe('');
    expect(await daemon.docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toBe(`${BASE_IMAGE}\n`);
  });
});
