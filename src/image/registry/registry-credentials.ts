/**
 * Registry credentials the way the docker CLI stores them: `config.json` in
 * `$DOCKER_CONFIG` or `~/.docker`, with inline `auths` entries and credential
 * helpers (`credHelpers` per host, `credsStore` for all). Read lazily, only
 * when a registry asks for authentication, so anonymous pulls never touch it.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerConfigDir } from '../../engine/docker-endpoint.js';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
  /** Where they came from, for error messages: a file or a helper name. */
  source: string;
}

export interface CredentialLookup {
  credentials?: RegistryCredentials;
  /** Why none could be read although config.json names some, e.g. a missing helper. */
  problem?: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HELPER_TIMEOUT_MS = 30_000;

/** Docker Hub is stored under its legacy v1 URL by `docker login`. */
const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dockerConfigDir(env), 'config.json');
}

/** `https://host:5000/v2/` and `host:5000` name the same registry. */
function hostOfKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

function isDockerHub(host: string): boolean {
  return DOCKER_HUB_KEYS.some((key) => hostOfKey(key) === host);
}

/** The keys of `table` that name `host`, most specific spelling first. */
function keysForHost(table: Record<string, unknown>, host: string): string[] {
  const wanted = host.toLowerCase();
  const keys = Object.keys(table);
  const matches = keys.filter(
    (key) => hostOfKey(key) === wanted || (isDockerHub(wanted) && isDockerHub(hostOfKey(key))),
  );
  return matches.sort((a, b) => Number(hostOfKey(b) === wanted) - Number(hostOfKey(a) === wanted));
}

/**
 * Credentials for `host` (as the user wrote it: `docker.io`, `localhost:5000`).
 * Never throws for a missing or unreadable config: anonymous access may still work,
 * so problems are returned for the caller to mention if the registry refuses.
 */
export async function lookupCredentials(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
  runHelper: typeof runCredentialHelper = runCredentialHelper,
): Promise<CredentialLookup> {
  const path = dockerConfigPath(env);
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    return { problem: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (config === null || typeof config !== 'object') return { problem: `${path} is not a JSON object` };

  const helperKey = keysForHost(config.credHelpers ?? {}, host)[0];
  const helper = helperKey === undefined ? config.credsStore : config.credHelpers?.[helperKey];
  if (helper) {
    const serverUrl = isDockerHub(host.toLowerCase()) ? 'https://index.docker.io/v1/' : host;
    const fromHelper = await runHelper(helper, serverUrl);
    if (fromHelper.credentials || helperKey !== undefined) return fromHelper;
    // A global credsStore that knows nothing about this host: inline auths may still.
    const inline = inlineCredentials(config, host, path);
    return inline.credentials ? inline : fromHelper;
  }
  return inlineCredentials(config, host, path);
}

function inlineCredentials(config: DockerConfigFile, host: string, path: string): CredentialLookup {
  for (const key of keysForHost(config.auths ?? {}, host)) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    const credentials: RegistryCredentials = { source: path };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return { problem: `${path}: auths["${key}"].auth is not base64 of user:password` };
      credentials.username = decoded.slice(0, colon);
      credentials.password = decoded.slice(colon + 1);
    } else {
      if (entry.username !== undefined) credentials.username = entry.username;
      if (entry.password !== undefined) credentials.password = entry.password;
    }
    if (entry.identitytoken) credentials.identityToken = entry.identitytoken;
    if (credentials.password !== undefined || credentials.identityToken !== undefined) return { credentials };
  }
  return {};
}

/**
 * Runs `docker-credential-NAME get` with the server URL on stdin (the docker
 * credential-helper protocol). A missing helper or one that has no entry is not
 * an error here: the registry may allow anonymous pulls.
 */
export function runCredentialHelper(name: string, serverUrl: string): Promise<CredentialLookup> {
  const program = `docker-credential-${name}`;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: CredentialLookup) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    // A helper may wait on a locked keychain or a GUI prompt that never comes; do not hang with it.
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish({
        problem:
          error.code === 'ENOENT'
            ? `credential helper ${program} named in ${dockerConfigPath()} is not installed`
            : `credential helper ${program} failed: ${error.message}`,
      });
    });
    child.on('close', (code, signal) => {
      if (signal !== null) {
        return finish({
          problem: `credential helper ${program} did not answer within ${HELPER_TIMEOUT_MS / 1000} s`,
        });
      }
      if (code !== 0) {
        const said = (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
        // The protocol's way of saying "nothing stored for this server".
        if (/credentials not found/i.test(said)) return finish({});
        return finish({
          problem: `credential helper ${program} exited with ${code}${said ? `: ${said}` : ''}`,
        });
      }
      try {
        const reply = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!reply.Secret) return finish({});
        // "<token>" as the user name marks the secret as an identity (refresh) token.
        if (reply.Username === '<token>') {
          return finish({ credentials: { identityToken: reply.Secret, source: program } });
        }
        return finish({
          credentials: {
            ...(reply.Username ? { username: reply.Username } : {}),
            password: reply.Secret,
            source: program,
          },
        });
      } catch {
        finish({ problem: `credential helper ${program} did not print JSON` });
      }
    });
    child.stdin.on('error', () => {
      // The helper may exit before reading stdin; its exit status tells the story.
    });
    child.stdin.end(serverUrl);
  });
}
