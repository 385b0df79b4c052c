// Which proxy a request goes through: `tridion:proxy` when set (every call, "direct" for none),
// otherwise the usual HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment (proxy-from-env), never for
// loopback addresses. Agents are made once per proxy and keep the custom CA for the target's TLS.
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
    if (this.explicit) return this.explicit === "direct" ? undefined : this.explicit;
    const { hostname } = new URL(url);
    if (isLoopbackHost(hostname)) return undefined;
    return getProxyForUrl(url) || undefined;
  }

  /** Agents that tunnel through the proxy for this URL, or undefined for a direct connection. */
  agentsFor(url: string): ProxyAgents | undefined {
    const proxy = this.proxyFor(url);
    if (!proxy) return undefined;
    let agents = this.agents.get(proxy);
    if (!agents) {
      agents = {
        httpAgent: new HttpProxyAgent(proxy, { keepAlive: true }),
        httpsAgent: new HttpsProxyAgent(proxy, { keepAlive: true, ca: this.ca }),
      };
      this.agents.set(proxy, agents);
    }
    return agents;
  }
}
