import { describe, expect, it } from "vitest";
import { ParseError, type VaultEvent } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { createVaultAuditParser, parser, vaultOperation } from "./parser";

const SAMPLE = "vault-audit/hashicorp-vault-audit-file.log";

function line(o: Record<string, unknown>): string {
  return JSON.stringify(o);
}

function req(id: string | undefined, extra: Record<string, unknown> = {}, type = "request"): Record<string, unknown> {
  return {
    time: "2024-05-01T10:00:00.123456789Z",
    type,
    auth: {
      client_token: "hmac-sha256:aaaa",
      accessor: "hmac-sha256:bbbb",
      display_name: "approle-ci",
      entity_id: "ent-1",
    },
    request: {
      ...(id === undefined ? {} : { id }),
      operation: "read",
      client_token: "hmac-sha256:cccc",
      path: "secret/data/payments-api/db",
      remote_address: "10.0.0.5",
    },
    ...extra,
  };
}

function byId(events: VaultEvent[], id: string): VaultEvent {
  const e = events.find((x) => x.requestId === id);
  if (!e) throw new Error(`no event ${id}`);
  return e;
}

describe("vault-audit parser: the real sample", () => {
  it("pairs request/response into 5 events with exact fields", async () => {
    const { records: all, lineErrors, warnings } = await parseAll(parser, await sample(SAMPLE));
    expect(lineErrors).toEqual([]);
    // The 4 KMIP records come as notSecret events of their own (no secret path).
    const kmip = all.filter((e) => e.secret === "");
    expect(kmip.map((e) => [e.action, e.notSecret])).toEqual(Array(4).fill([expect.stringMatching(/^kmip-/), true]));
    const records = all.filter((e) => e.secret !== "");
    expect(records).toHaveLength(5);

    expect(byId(records, "cd09708b-11cc-2985-648b-cfe262cf7e50")).toEqual({
      time: Date.UTC(2020, 11, 1, 20, 29, 4, 356),
      source: "vault",
      secret: "sys/capabilities-self",
      operation: "write",
      action: "update",
      identity: "e4f5c67a-6f7e-789d-ae56-a1fe3ae23046",
      remoteAddress: "67.43.156.13",
      denied: false,
      notSecret: true,
      requestId: "cd09708b-11cc-2985-648b-cfe262cf7e50",
    });
    expect(byId(records, "24ac580b-805a-d9ee-4d0d-7046932f4e05")).toEqual({
      time: Date.UTC(2021, 6, 19, 17, 19, 0, 673),
      source: "vault",
      secret: "internal-ca/issue/internal-server",
      operation: "write",
      action: "update",
      remoteAddress: "10.6.8.34",
      denied: true,
      error: "permission denied",
      requestId: "24ac580b-805a-d9ee-4d0d-7046932f4e05",
    });
    expect(byId(records, "0042ad1b-1400-7eb7-5e25-1dfc898c1998")).toMatchObject({
      time: Date.UTC(2021, 5, 29, 17, 26, 11, 402),
      secret: "secret/data/apps/continuous-delivery/aws-bucket-sse-c",
      operation: "read",
      action: "read",
      identity: "token-375f9cb3-4355-42c7-eab5-029f8a310ca7-runner", // no entity_id: display_name
      remoteAddress: "10.6.8.36",
      denied: false,
    });
    expect(byId(records, "3aa3f349-b55a-53e3-a795-dd4137d64299")).toMatchObject({
      time: Date.UTC(2021, 5, 29, 18, 1, 29, 545),
      secret: "secret/data/apps/home-assistant/secrets_yaml",
      operation: "read",
      identity: "token-c1d6c089-2f46-ff11-5988-38636bddf8d9-homeassistant",
      remoteAddress: "10.6.8.34",
      denied: false,
    });
    // The help request has no id and no response: still one event.
    const help = records.find((e) => e.action === "help");
    expect(help).toEqual({
      time: Date.UTC(2021, 11, 30, 17, 11, 12, 468),
      source: "vault",
      secret: "ca/roles/example",
      operation: "other",
      action: "help",
      identity: "e4f5c67a-6f7e-789d-ae56-a1fe3ae23046",
      remoteAddress: "10.6.8.34",
      denied: false,
    });
    // The 4 KMIP records are recognised but skipped, with a warning.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^4 audit record\(s\) of other types \(e\.g\. KMIP\)/);
  });

  it("never outputs an HMAC, a client token or an accessor", async () => {
    const { records } = await parseAll(parser, await sample(SAMPLE));
    const text = JSON.stringify(records);
    expect(text).not.toContain("hmac-sha256:");
    expect(text).not.toContain("9cc3baa3c2bd7a4b"); // client_token hash of line 1
    expect(text).not.toContain("eb605bd7f8a5ceb9"); // accessor hash of line 1
  });
});

describe("vault-audit parser: synthetic input", () => {
  it("never copies HMAC'd identities, addresses or request ids", async () => {
    const r = req("hmac-sha256:1111", {
      auth: { display_name: "hmac-sha256:2222", entity_id: "" },
      error: "token hmac-sha256:3333 is invalid",
    });
    (r.request as Record<string, unknown>).remote_address = "hmac-sha256:4444";
    const { records } = await parseAll(parser, textSource(line(r)));
    expect(records).toHaveLength(1);
    expect(JSON.stringify(records)).not.toContain("hmac-sha256:");
    expect(records[0]).toMatchObject({ error: "token [hmac] is invalid", denied: false });
    expect(records[0]?.identity).toBeUndefined();
    expect(records[0]?.requestId).toBeUndefined();
  });

  it("reads pretty-printed, concatenated objects and pairs them", async () => {
    const a = JSON.stringify(req("r1"), null, 2);
    const b = JSON.stringify(req("r1", { response: { data: { value: "hmac-sha256:dd" } } }, "response"), null, 4);
    const c = JSON.stringify(req("r2", { error: "1 error occurred:\n\t* permission denied\n\n" }));
    const { records, lineErrors } = await parseAll(parser, textSource(`${a}\n${b}${c}\n`));
    expect(lineErrors).toEqual([]);
    expect(records.map((e) => [e.requestId, e.denied, e.error])).toEqual([
      ["r1", false, undefined],
      ["r2", true, "permission denied"],
    ]);
    expect(records[0]).toMatchObject({
      time: Date.UTC(2024, 4, 1, 10, 0, 0, 123),
      identity: "ent-1",
      secret: "secret/data/payments-api/db",
    });
  });

  it("reports bad lines with their line numbers and ingests the rest", async () => {
    const text = [
      line(req("a")),
      "garbage here",
      line(req("a", {}, "response")),
      '{"time": "2024-05-01T10:00:00Z", "type": "request", "request": {"id": "trunc',
      line({ hello: "world" }),
      line(req("b", { time: "yesterday" })),
      line(req("c")),
    ].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(records.map((e) => e.requestId)).toEqual(["a", "c"]);
    expect(lineErrors.map((e) => e.line)).toEqual([2, 4, 5, 6]);
    expect(lineErrors[0]?.message).toMatch(/outside a JSON object/);
    expect(lineErrors[1]?.message).toMatch(/unterminated string/);
    expect(lineErrors[2]?.message).toMatch(/not a Vault audit record/);
    expect(lineErrors[3]?.message).toMatch(/invalid or missing time/);
  });

  it("emits a response without a request, and requests whose response never came", async () => {
    const text = [line(req("x", {}, "response")), line(req("y")), line(req("z"))].join("\n");
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((e) => e.requestId)).toEqual(["x", "y", "z"]);
  });

  it("bounds the pending map, emitting the oldest request alone", async () => {
    const small = createVaultAuditParser({ maxPending: 2 });
    const text = [req("1"), req("2"), req("3"), req("1", {}, "response"), req("3", {}, "response")]
      .map(line)
      .join("\n");
    const { records } = await parseAll(small, textSource(text));
    // "1" is flushed when "3" arrives, so its late response becomes a second, response-only event.
    expect(records.map((e) => e.requestId)).toEqual(["1", "1", "3", "2"]);
  });

  it("rejects a file that is not a Vault audit log", async () => {
    const kong = Array.from({ length: 25 }, (_, i) => line({ request: { method: "GET", uri: `/x/${i}` }, response: { status: 200 } }));
    await expect(parseAll(parser, textSource(kong.join("\n")))).rejects.toBeInstanceOf(ParseError);
    await expect(parseAll(parser, textSource("just\nsome\ntext\n"))).rejects.toThrow(/not a HashiCorp Vault audit log/);
    await expect(parseAll(parser, textSource(""))).rejects.toThrow(/no records/);
  });

  it("accepts a file whose first 19 records are bad but the 20th is good", async () => {
    const lines = [...Array.from({ length: 19 }, () => "bad"), line(req("ok"))];
    const { records, lineErrors } = await parseAll(parser, textSource(lines.join("\n")));
    expect(records).toHaveLength(1);
    expect(lineErrors).toHaveLength(19);
  });

  it("streams a generated 200k-line log", async () => {
    const pairs = 100_000;
    async function* lines(): AsyncIterable<string> {
      for (let i = 0; i < pairs; i++) {
        const id = `id-${i}`;
        const path = i % 10 === 0 ? "database/rotate-role/app" : `secret/data/app-${i % 50}/db`;
        const op = i % 10 === 0 ? "update" : "read";
        const base = `"auth":{"client_token":"hmac-sha256:ab","entity_id":"e${i % 7}"},"request":{"id":"${id}","operation":"${op}","path":"${path}","remote_address":"10.1.1.1"}`;
        yield `{"time":"2024-01-01T00:00:00.000000001Z","type":"request",${base}}`;
        yield `{"time":"2024-01-01T00:00:00.000000002Z","type":"response",${base}${i % 1000 === 0 ? ',"error":"permission denied"' : ""}}`;
      }
    }
    const file = { name: "big.log", size: null, head: async () => "", text: async () => "", lines };
    const counts = { events: 0, rotate: 0, read: 0, denied: 0 };
    const ctx = { options: {}, warn: () => {}, lineError: () => {} };
    for await (const e of parser.parse(file, ctx)) {
      counts.events++;
      if (e.operation === "rotate") counts.rotate++;
      if (e.operation === "read") counts.read++;
      if (e.denied) counts.denied++;
    }
    expect(counts).toEqual({ events: 100_000, rotate: 10_000, read: 90_000, denied: 100 });
  });
});

describe("vault-audit parser: a file without secret events", () => {
  it("a file of only sys/ calls and KMIP records is valid: notSecret events, no error", async () => {
    const sys = (id: string, path: string) => req(id, { request: { id, operation: "read", path, remote_address: "10.0.0.5" } });
    const text = [line(sys("s1", "sys/health")), line(sys("s2", "sys/mounts")), line(req("k1", {}, "kmip-request"))].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text, "audit.log"));
    expect(lineErrors).toEqual([]);
    expect(records.map((e) => [e.action, e.secret, e.notSecret])).toEqual([
      ["kmip-request", "", true],
      ["read", "sys/health", true],
      ["read", "sys/mounts", true],
    ]);
  });
});

describe("vaultOperation", () => {
  it.each([
    ["read", "secret/data/x", "read"],
    ["list", "secret/metadata/", "list"],
    ["create", "secret/data/x", "write"],
    ["update", "secret/data/x", "write"],
    ["patch", "secret/data/x", "write"],
    ["delete", "secret/data/x", "delete"],
    ["update", "sys/rotate", "rotate"],
    ["update", "database/rotate-root/pg", "rotate"],
    ["update", "transit/keys/k/rotate", "rotate"],
    ["read", "database/rotate-role/x", "read"],
    ["update", "auth/userpass/login/bob", "login"],
    ["update", "auth/approle/login", "login"],
    ["help", "secret/data/x", "other"],
    [undefined, "secret/data/x", "other"],
  ] as const)("%s %s → %s", (op, path, expected) => {
    expect(vaultOperation(op, path)).toBe(expected);
  });
});
