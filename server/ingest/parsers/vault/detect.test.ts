// Every vault parser's detect() over every real sample: the right parser wins for vault files, and no vault parser
// claims (> 0.5) a gateway log, an inventory or a scan report.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEAD_BYTES } from "../../contract";
import { SAMPLES_DIR } from "../../test-utils";
import { vaultParsers } from "./index";

const EXPECTED: Record<string, string> = {
  "hashicorp-vault-audit-file.log": "vault-audit",
  "cloudtrail-kms-Decrypt-by-secretsmanager.json": "cloudtrail",
  "cloudtrail-secretsmanager-GetSecretValue-vpce.json": "cloudtrail",
  "cyberark-pas-vault-audit-retrieve-ssh-key.log": "cyberark",
};

function head(dir: string, file: string): string {
  return readFileSync(path.join(SAMPLES_DIR, dir, file), "utf8").slice(0, HEAD_BYTES);
}

describe("vault parser detection", () => {
  it("registers the three formats", () => {
    expect(vaultParsers.map((p) => p.id)).toEqual(["vault-audit", "cloudtrail", "cyberark"]);
  });

  const vaultFiles = readdirSync(path.join(SAMPLES_DIR, "vault-audit"));
  it("covers every vault sample", () => {
    expect([...vaultFiles].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of vaultFiles) {
    it(`picks ${EXPECTED[file]} for vault-audit/${file}`, () => {
      const text = head("vault-audit", file);
      const scores = vaultParsers.map((p) => ({ id: p.id, score: p.detect(text, file) }));
      const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
      expect(best.id).toBe(EXPECTED[file]);
      expect(best.score).toBeGreaterThan(0.5);
      for (const other of scores.filter((s) => s.id !== best.id)) expect(other.score).toBe(0);
    });
  }

  for (const dir of ["gateway-logs", "api-inventory", "scan-results"]) {
    for (const file of readdirSync(path.join(SAMPLES_DIR, dir))) {
      it(`no vault parser claims ${dir}/${file}`, () => {
        const text = head(dir, file);
        for (const p of vaultParsers) expect(p.detect(text, file), p.id).toBeLessThanOrEqual(0.5);
      });
    }
  }

  it("detects a CloudTrail Records file larger than the head, and a Vault record larger than the head", () => {
    const records = { Records: Array.from({ length: 400 }, (_, i) => ({ eventVersion: "1.08", eventSource: "secretsmanager.amazonaws.com", eventName: "GetSecretValue", eventID: `e${i}`, pad: "x".repeat(200) })) };
    const big = JSON.stringify(records).slice(0, HEAD_BYTES);
    expect(vaultParsers.find((p) => p.id === "cloudtrail")?.detect(big, "")).toBeGreaterThan(0.5);
    const vault = `{"time":"2024-01-01T00:00:00Z","type":"request","request":{"id":"x","path":"p","data":{"v":"${"h".repeat(HEAD_BYTES)}"}}}`.slice(0, HEAD_BYTES);
    expect(vaultParsers.find((p) => p.id === "vault-audit")?.detect(vault, "")).toBeGreaterThan(0.5);
    expect(vaultParsers.find((p) => p.id === "cloudtrail")?.detect(vault, "")).toBe(0);
  });
});
