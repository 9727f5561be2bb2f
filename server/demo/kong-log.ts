/** Kong 3.8 file-log JSON lines, shaped like the real docs sample, from a compact event description (demo and tests). */

export interface GenEvent {
  /** Epoch ms. */
  time: number;
  method?: string;
  host?: string;
  /** Path with optional query. */
  path: string;
  status?: number;
  bytes?: number;
  latencyMs?: number;
  ip?: string;
  consumer?: string;
  scheme?: "http" | "https";
  service?: string;
  rateLimitHeaders?: boolean;
}

/** One Kong 3.8 file-log line shaped like the real docs sample (~1.5–2 KB). */
export function kongLine(e: GenEvent): string {
  const scheme = e.scheme ?? "https";
  const host = e.host ?? "localhost:8000";
  const status = e.status ?? 200;
  const id = (e.time.toString(16) + Math.floor(e.time % 997).toString(16)).padEnd(32, "0").slice(0, 32);
  const resHeaders: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(e.bytes ?? 512),
    date: new Date(e.time).toUTCString(),
    via: "1.1 kong/3.8.0.0-enterprise-edition",
    connection: "close",
    server: "gunicorn/19.9.0",
    "access-control-allow-origin": "*",
    "access-control-allow-credentials": "true",
    "x-kong-upstream-latency": String(Math.max(0, (e.latencyMs ?? 20) - 2)),
    "x-kong-proxy-latency": "1",
    "x-kong-request-id": id,
  };
  if (e.rateLimitHeaders) {
    resHeaders["ratelimit-limit"] = "600";
    resHeaders["ratelimit-remaining"] = "599";
  }
  const line = {
    response: { size: e.bytes ?? 512, headers: resHeaders, status },
    route: {
      updated_at: 1726782477,
      tags: [],
      response_buffering: true,
      path_handling: "v0",
      protocols: ["http", "https"],
      service: { id: "fb4eecf8-dec2-40ef-b779-16de7e2384c7" },
      https_redirect_status_code: 426,
      regex_priority: 0,
      name: `${e.service ?? "example"}_route`,
      id: "0f1a4101-3327-4274-b1e4-484a4ab0c030",
      strip_path: false,
      preserve_host: false,
      created_at: 1726782477,
      request_buffering: true,
      ws_id: "f381e34e-5c25-4e65-b91b-3c0a86cfc393",
      paths: ["/"],
    },
    workspace: "f381e34e-5c25-4e65-b91b-3c0a86cfc393",
    workspace_name: "default",
    tries: [{ balancer_start: e.time, balancer_start_ns: e.time * 1e6, ip: "34.237.204.224", balancer_latency: 0, port: 80, balancer_latency_ns: 27904 }],
    client_ip: e.ip ?? "192.168.65.1",
    request: {
      id,
      headers: { accept: "*/*", "user-agent": "HTTPie/3.2.3", host, connection: "keep-alive", "accept-encoding": "gzip, deflate" },
      uri: e.path,
      size: 139,
      method: e.method ?? "GET",
      querystring: {},
      url: `${scheme}://${host}${e.path}`,
    },
    upstream_uri: e.path,
    started_at: e.time,
    source: "upstream",
    upstream_status: String(status),
    latencies: { kong: 1, proxy: Math.max(0, (e.latencyMs ?? 20) - 2), request: e.latencyMs ?? 20, receive: 1 },
    ...(e.consumer ? { consumer: { username: e.consumer, id: `c-${e.consumer}` }, authenticated_entity: { id: `c-${e.consumer}` } } : {}),
    service: {
      write_timeout: 60000,
      read_timeout: 60000,
      updated_at: 1726782459,
      host: "upstream.internal",
      name: e.service ?? "example_service",
      id: "fb4eecf8-dec2-40ef-b779-16de7e2384c7",
      port: 80,
      enabled: true,
      created_at: 1726782459,
      protocol: "http",
      ws_id: "f381e34e-5c25-4e65-b91b-3c0a86cfc393",
      connect_timeout: 60000,
      retries: 5,
    },
  };
  return JSON.stringify(line);
}

