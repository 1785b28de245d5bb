/**
 * HTTP proxies for registry reads, from the environment as Go programs (the
 * docker CLI and daemon) read it: HTTPS_PROXY for https URLs, HTTP_PROXY for
 * http URLs (upper case first, then lower case), NO_PROXY for the exceptions
 * (`*`, host names with their subdomains, `.domain`, IP addresses, CIDR
 * ranges, each optionally with `:port`). Loopback hosts are never proxied.
 * https goes through a CONNECT tunnel; http is sent to the proxy with the
 * absolute URL. Node 20's http module reads none of these variables itself.
 */
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { PareError } from '../util/errors.js';

export interface Proxy {
  url: URL;
  /** The variable it came from, for messages. */
  variable: string;
}

export interface ProxySettings {
  http?: Proxy;
  https?: Proxy;
  noProxy: string[];
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const settings: ProxySettings = { noProxy: [] };
  const https = readProxy(env, 'HTTPS_PROXY');
  const http = readProxy(env, 'HTTP_PROXY');
  if (https) settings.https = https;
  if (http) settings.http = http;
  const noProxy = env.NO_PROXY || env.no_proxy || '';
  settings.noProxy = noProxy
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  return settings;
}

function readProxy(env: NodeJS.ProcessEnv, name: string): Proxy | undefined {
  const lower = name.toLowerCase();
  const variable = env[name] ? name : env[lower] ? lower : undefined;
  if (!variable) return undefined;
  const value = (env[variable] as string).trim();
  // Go accepts a bare host:port and means http.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new PareError(`${variable}=${value}: not a valid proxy URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PareError(`${variable}=${value}: only http:// and https:// proxies are supported`);
  }
  return { url, variable };
}

/** The proxy for `url`, or undefined to connect directly. */
export function proxyFor(url: URL, settings: ProxySettings): Proxy | undefined {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return settings.noProxy.some((entry) => matchesNoProxy(entry, host, port)) ? undefined : proxy;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

function matchesNoProxy(entry: string, host: string, port: string): boolean {
  if (entry === '*') return true;
  if (entry.includes('/')) {
    const [network = '', bits = ''] = entry.split('/');
    const family = isIP(network);
    if (family === 0 || isIP(host) !== family) return false;
    const list = new BlockList();
    try {
      list.addSubnet(network, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    } catch {
      return false;
    }
    return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
  }
  let name = entry;
  let entryPort: string | undefined;
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    name = bracketed[1] ?? '';
    entryPort = bracketed[2];
  } else if (isIP(entry) !== 6) {
    const withPort = /^(.*):(\d+)$/.exec(entry);
    if (withPort) {
      name = withPort[1] ?? '';
      entryPort = withPort[2];
    }
  }
  if (entryPort !== undefined && entryPort !== port) return false;
  if (name.startsWith('*.')) name = name.slice(1);
  if (name.startsWith('.')) return host.endsWith(name);
  return host === name || host.endsWith(`.${name}`);
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function proxyPort(proxy: URL): number {
  return proxy.port ? Number(proxy.port) : proxy.protocol === 'https:' ? 443 : 80;
}

/**
 * Request options sending an http URL through `proxy`: the proxy is the
 * server, the path is the absolute URL.
 */
export function viaHttpProxy(
  url: URL,
  proxy: Proxy,
  headers: Record<string, string>,
): { module: typeof http | typeof https; options: http.RequestOptions } {
  return {
    module: proxy.url.protocol === 'https:' ? https : http,
    options: {
      protocol: proxy.url.protocol,
      hostname: proxy.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxyPort(proxy.url),
      path: url.href,
      headers: { ...headers, host: url.host, ...proxyAuthorization(proxy.url) },
    },
  };
}

/** An https agent whose connections are CONNECT tunnels through `proxy`. */
export class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: Proxy,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const host = String(options.hostname ?? options.host ?? '').replace(/^\[(.*)\]$/, '$1');
    const target = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`;
    const proxy = this.proxy.url;
    const connect = (proxy.protocol === 'https:' ? https : http).request({
      protocol: proxy.protocol,
      hostname: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxyPort(proxy),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...proxyAuthorization(proxy) },
      agent: false,
    });
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        done(
          Object.assign(
            new Error(
              `proxy ${proxy.host} (${this.proxy.variable}) answered HTTP ${response.statusCode} to CONNECT ${target}`,
            ),
            { code: 'ERR_PROXY_CONNECT' },
          ),
          socket,
        );
        return;
      }
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        socket,
        servername: isIP(host) === 0 ? host : undefined,
      } as tls.ConnectionOptions);
      done(null, secure);
    });
    connect.once('error', (error) => {
      done(
        Object.assign(new Error(`proxy ${proxy.host} (${this.proxy.variable}): ${error.message}`), {
          code: (error as NodeJS.ErrnoException).code,
        }),
        undefined as unknown as Duplex,
      );
    });
    connect.end();
    return undefined;
  }
}
