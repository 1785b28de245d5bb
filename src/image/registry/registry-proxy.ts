/**
 * HTTP proxies for registry reads. Node 20's http module reads no proxy
 * variables, and undici's EnvHttpProxyAgent serves only fetch, so the
 * environment is read by proxy-from-env (HTTPS_PROXY for https URLs,
 * HTTP_PROXY for http URLs, lower case first, NO_PROXY) and requests go through
 * https-proxy-agent (CONNECT tunnels) and http-proxy-agent (absolute URLs).
 *
 * What pare adds, to behave like the docker CLI and daemon (Go programs):
 * loopback hosts are never proxied, ALL_PROXY is not read, a bare host:port
 * means http://, NO_PROXY's plain names also cover their subdomains and CIDR
 * ranges are honoured; and every failure to get through the proxy names the
 * variable the proxy came from.
 */
import type http from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { PareError } from '../../util/errors.js';

export interface Proxy {
  url: URL;
  /** The variable it came from, for messages. */
  variable: string;
}

/** The proxy for `url` from the environment, or undefined to connect directly. */
export function proxyFor(url: URL): Proxy | undefined {
  const env = process.env;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isLoopback(host) || bypassedByGoRules(url, host, env)) return undefined;
  if (!getProxyForUrl(url.href)) return undefined;
  // The same variable proxy-from-env took; ALL_PROXY (curl's, often a SOCKS proxy) is ignored, as docker does.
  const scheme = url.protocol.slice(0, -1);
  const variable = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`].find((name) => env[name]);
  if (!variable) return undefined;
  const value = (env[variable] as string).trim();
  // Go reads a bare host:port as http://, where proxy-from-env would take the request's scheme.
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
 * NO_PROXY entries that Go honours and proxy-from-env does not (it matches
 * plain names exactly and knows no address ranges): `example.com` also
 * covering `registry.example.com`, CIDR ranges such as `10.0.0.0/8`, and bare
 * IPv6 addresses.
 */
function bypassedByGoRules(url: URL, host: string, env: NodeJS.ProcessEnv): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const entries = (env.no_proxy || env.NO_PROXY || '').toLowerCase().split(/[\s,]+/);
  return entries.some((entry) => {
    // proxy-from-env would read a bare IPv6 address as host:port.
    const range = isIP(entry) === 6 ? `${entry}/128` : entry;
    const [network = '', bits] = range.split('/');
    if (bits !== undefined) {
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
    const [, name = entry, entryPort] = /^(.+?)(?::(\d+))?$/.exec(entry) ?? [];
    return isIP(host) === 0 && name !== '' && host.endsWith(`.${name}`) && (!entryPort || entryPort === port);
  });
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
