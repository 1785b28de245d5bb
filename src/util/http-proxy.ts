/**
 * HTTP proxies for registry reads and for engines reached over tcp://, chosen
 * as the docker CLI and daemon (Go programs, golang.org/x/net/http/httpproxy)
 * choose them: HTTPS_PROXY for https URLs and HTTP_PROXY for http URLs, upper
 * case before lower case, ALL_PROXY not read, a bare host:port meaning
 * http://, loopback hosts never proxied, and NO_PROXY's entries read by Go's
 * rules. Node 20's http module reads no proxy variables, and undici's
 * EnvHttpProxyAgent serves only fetch; requests go through https-proxy-agent
 * (CONNECT tunnels) and http-proxy-agent (absolute URLs), and every failure to
 * get through the proxy names the variable the proxy came from.
 */
import type http from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { PareError } from './errors.js';

export interface Proxy {
  url: URL;
  /** The variable it came from, for messages. */
  variable: string;
}

/** The proxy for `url` from the environment, or undefined to connect directly. */
export function proxyFor(url: URL): Proxy | undefined {
  const env = process.env;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isLoopback(host)) return undefined;
  const scheme = url.protocol.slice(0, -1);
  const variable = [`${scheme.toUpperCase()}_PROXY`, `${scheme}_proxy`].find((name) => env[name]);
  if (!variable) return undefined;
  if (bypassed(url, host, env.NO_PROXY || env.no_proxy || '')) return undefined;
  const value = (env[variable] as string).trim();
  // Go reads a bare host:port as http://.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let proxy: URL;
  try {
    proxy = new URL(withScheme);
  } catch {
    throw new PareError(`${variable}=${value}: not a valid proxy URL`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new PareError(`${variable}=${value}: only http:// and https:// proxies are supported`);
  }
  return { url: proxy, variable };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/**
 * Whether NO_PROXY keeps `url` from the proxy, by Go's rules: `*` matches
 * everything; an address or a CIDR range matches addresses; `example.com`
 * matches it and its subdomains, `.example.com` and `*.example.com` only the
 * subdomains; an entry with a port matches only that port. Entries are
 * separated by commas (and, as curl allows, spaces).
 */
function bypassed(url: URL, host: string, noProxy: string): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const family = isIP(host);
  const sameAddress = (address: string): boolean => {
    const addressFamily = isIP(address);
    if (addressFamily === 0 || addressFamily !== family) return false;
    const list = new BlockList();
    list.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
    return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
  };
  return noProxy
    .toLowerCase()
    .split(/[\s,]+/)
    .some((entry) => {
      if (entry === '') return false;
      if (entry === '*') return true;
      if (entry.includes('/')) return inRange(host, family, entry);
      if (isIP(entry) !== 0) return sameAddress(entry);
      const [, name = '', entryPort] =
        /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^(.+?)(?::(\d+))?$/.exec(entry) ?? [];
      if (entryPort && entryPort !== port) return false;
      if (isIP(name) !== 0) return sameAddress(name);
      const suffix = name.startsWith('*.') ? name.slice(1) : name;
      return suffix.startsWith('.') ? host.endsWith(suffix) : host === suffix || host.endsWith(`.${suffix}`);
    });
}

function inRange(host: string, family: number, range: string): boolean {
  const [network = '', bits] = range.split('/');
  const networkFamily = isIP(network);
  if (networkFamily === 0 || networkFamily !== family) return false;
  const list = new BlockList();
  try {
    list.addSubnet(network, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
  return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

type ConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];
type ForwardedRequest = Parameters<HttpProxyAgent<string>['connect']>[0];

/** A failure to get through the proxy: the registry was never asked. */
export class ProxyError extends Error {
  readonly code: string | undefined;

  constructor(proxy: Proxy, problem: string, cause?: unknown) {
    super(
      `proxy ${proxy.url.host} (${proxy.variable})${problem}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'ProxyError';
    // The socket's code, so refused and reset connections are told apart (and retried) as without a proxy.
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'ERR_PROXY_CONNECT';
  }
}

function unreachable(proxy: Proxy, error: unknown): ProxyError {
  return new ProxyError(proxy, `: ${error instanceof Error ? error.message : String(error)}`, error);
}

/**
 * https through a CONNECT tunnel. https-proxy-agent hands a refused CONNECT
 * to the request as if the registry had answered it; here it fails instead,
 * so a 403 or 407 is not read as the registry's.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    private readonly source: Proxy,
    options: http.AgentOptions,
  ) {
    super(source.url, options);
  }

  override async connect(request: http.ClientRequest, options: ConnectOptions): Promise<Socket> {
    let status: number | undefined;
    request.once('proxyConnect', (answer: { statusCode: number }) => {
      status = answer.statusCode;
    });
    let socket: Socket;
    try {
      socket = await super.connect(request, options);
    } catch (error) {
      throw unreachable(this.source, error);
    }
    if (status !== undefined && status !== 200) {
      socket.destroy();
      const host = String(options.host);
      const target = `${isIP(host) === 6 ? `[${host}]` : host}:${options.port}`;
      throw new ProxyError(this.source, ` answered HTTP ${status} to CONNECT ${target}`);
    }
    return socket;
  }
}

/** http sent to the proxy with the absolute URL. */
class ForwardAgent extends HttpProxyAgent<string> {
  constructor(
    private readonly source: Proxy,
    options: http.AgentOptions,
  ) {
    super(source.url, options);
  }

  override async connect(request: ForwardedRequest, options: ConnectOptions): Promise<Socket> {
    try {
      return await super.connect(request, options);
    } catch (error) {
      throw unreachable(this.source, error);
    }
  }
}

/** An agent sending requests for `protocol` URLs through `proxy`. */
export function proxyAgent(proxy: Proxy, protocol: string, options: http.AgentOptions): http.Agent {
  return protocol === 'https:' ? new TunnelAgent(proxy, options) : new ForwardAgent(proxy, options);
}
