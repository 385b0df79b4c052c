// Which proxy a request goes through: never one for a loopback address (plain http to loopback is
// allowed because it never leaves this machine, and a proxy elsewhere would both carry it, with
// its credentials, across the network and reach its own host's loopback instead of ours); else
// `tridion:proxy` when set (every call, "direct" for none), otherwise the usual HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY environment (proxy-from-env). Agents are made once per proxy and keep the
// custom CA for the target's TLS; they check certificates whatever NODE_TLS_REJECT_UNAUTHORIZED
// says, at the proxy (an https proxy) and through the tunnel.
import type * as http from "node:http";
import type * as https from "node:https";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { isLoopbackHost } from "../config/transport";

export interface ProxyAgents {
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

export class ProxyRouter {
  private readonly agents = new Map<string, ProxyAgents>();

  /** `explicit`: the tridion:proxy setting ("direct" = no proxy); `ca`: trusted CAs for https targets. */
  constructor(
    private readonly explicit: string | undefined,
    private readonly ca: string[] | undefined,
  ) {}

  /** The proxy URL for a request URL, or undefined to connect directly. */
  proxyFor(url: string): string | undefined {
    const { hostname } = new URL(url);
    if (isLoopbackHost(hostname)) return undefined;
    if (this.explicit) return this.explicit === "direct" ? undefined : this.explicit;
    return getProxyForUrl(url) || undefined;
  }

  /** Agents that tunnel through the proxy for this URL, or undefined for a direct connection. */
  agentsFor(url: string): ProxyAgents | undefined {
    const proxy = this.proxyFor(url);
    if (!proxy) return undefined;
    let agents = this.agents.get(proxy);
    if (!agents) {
      agents = {
        httpAgent: new HttpProxyAgent(proxy, { keepAlive: true, ca: this.ca, rejectUnauthorized: true }),
        httpsAgent: new CheckedHttpsProxyAgent(proxy, this.ca),
      };
      this.agents.set(proxy, agents);
    }
    return agents;
  }
}

type TunnelOptions = Parameters<HttpsProxyAgent<string>["connect"]>[1];

/**
 * A CONNECT tunnel whose TLS to the target trusts the system's roots plus `ca` and checks the
 * certificate whatever NODE_TLS_REJECT_UNAUTHORIZED says. The agent's own options reach only the
 * connection to the proxy; the target's TLS is set up from the request's, so they are added here.
 */
class CheckedHttpsProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly ca: string[] | undefined,
  ) {
    super(proxy, { keepAlive: true, ca, rejectUnauthorized: true });
  }

  override connect(req: http.ClientRequest, opts: TunnelOptions) {
    return super.connect(req, { ...opts, ...(this.ca ? { ca: this.ca } : {}), rejectUnauthorized: true } as TunnelOptions);
  }
}
