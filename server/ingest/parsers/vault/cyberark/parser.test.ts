import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { cyberarkOperation, parser } from "./parser";

const SAMPLE = "vault-audit/cyberark-pas-vault-audit-retrieve-ssh-key.log";

function record(fields: Record<string, unknown>): string {
  return JSON.stringify({
    format: "elastic",
    version: "1.0",
    syslog: {
      audit_record: {
        Rfc5424: "yes",
        IsoTimestamp: "2024-03-01T12:00:00Z",
        MessageID: "295",
        Issuer: "alice",
        Action: "Retrieve password",
        Safe: "payments-api",
        File: "Root\\db-admin",
        Station: "10.2.3.4",
        Reason: "",
        RequestId: "",
        ...fields,
      },
    },
  });
}

describe("cyberark parser: the real sample", () => {
  it("reads 3 Retrieve SSH Key events with exact fields", async () => {
    const { records, lineErrors, warnings } = await parseAll(parser, await sample(SAMPLE));
    expect(lineErrors).toEqual([]);
    expect(warnings).toEqual([]);
    const common = {
      source: "cyberark",
      secret: "PSM/Root/Operating System-UnixSSHKeys-67.43.156.15-adrian",
      operation: "read",
      action: "Retrieve SSH Key",
      identity: "Administrator",
      remoteAddress: "127.0.0.1",
      denied: false,
    };
    expect(records).toEqual([
      { time: Date.UTC(2021, 2, 11, 17, 43, 44), ...common },
      { time: Date.UTC(2021, 2, 11, 21, 8, 48), ...common },
      { time: Date.UTC(2021, 2, 15, 13, 18, 52), ...common },
    ]);
  });
});

describe("cyberark parser: synthetic input", () => {
  it("reads lines without a syslog header, with a legacy header, and uses the RFC 5424 header time as fallback", async () => {
    const text = [
      record({}),
      `Mar 08 02:57:42 VAULT ${record({ MessageID: "428", Action: "Retrieve SSH Key" })}`,
      `<5>1 2024-03-02T00:00:00Z VAULT ${record({ IsoTimestamp: "", RequestId: "42" })}`,
    ].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(lineErrors).toEqual([]);
    expect(records.map((e) => [e.time, e.secret, e.operation, e.requestId])).toEqual([
      [Date.UTC(2024, 2, 1, 12), "payments-api/Root/db-admin", "read", undefined],
      [Date.UTC(2024, 2, 1, 12), "payments-api/Root/db-admin", "read", undefined],
      [Date.UTC(2024, 2, 2), "payments-api/Root/db-admin", "read", "42"],
    ]);
  });

  it("maps actions and message ids", async () => {
    const text = [
      record({ MessageID: "24", Action: "CPM Change Password", Issuer: "PasswordManager" }),
      record({ MessageID: "31", Action: "CPM Reconcile Password" }),
      record({ MessageID: "57", Action: "CPM Change Password Failed", Reason: "Error: target unreachable" }),
      record({ MessageID: "50", Action: "Store File", File: "" }),
      record({ MessageID: "999", Action: "Store password" }),
      record({ MessageID: "998", Action: "Retrieve File" }),
      record({ MessageID: "997", Action: "Delete File" }),
      record({ MessageID: "308", Action: "Use Password" }),
      record({ MessageID: "996", Action: "Retrieve password", Reason: "Access denied: user has no retrieve authorization" }),
      record({ MessageID: "995", Action: "Add Safe Member" }),
      record({ MessageID: "7", Action: "Logon", Safe: "", File: "" }),
    ].join("\n");
    const { records, warnings } = await parseAll(parser, textSource(text));
    expect(records.map((e) => [e.action, e.operation, e.denied, e.error ?? null])).toEqual([
      ["CPM Change Password", "rotate", false, null],
      ["CPM Reconcile Password", "rotate", false, null],
      ["CPM Change Password Failed", "other", false, "Error: target unreachable"],
      ["Store File", "write", false, null],
      ["Store password", "write", false, null],
      ["Retrieve File", "read", false, null],
      ["Delete File", "delete", false, null],
      ["Use Password", "read", false, null],
      ["Retrieve password", "read", true, "Access denied: user has no retrieve authorization"],
      ["Add Safe Member", "other", false, null],
      // A Logon names no safe: an event of the vault itself, not of a secret.
      ["Logon", "login", false, null],
    ]);
    expect(records.at(-1)).toMatchObject({ secret: "", notSecret: true });
    expect(records.slice(0, -1).every((e) => e.notSecret === undefined)).toBe(true);
    expect(records[3]?.secret).toBe("payments-api"); // safe-level record
    expect(warnings).toEqual([{ message: "1 CyberArk audit record(s) name no safe (e.g. Logon): skipped" }]);
  });

  it("ignores failure words the user typed as a retrieve reason", async () => {
    const text = JSON.stringify({
      syslog: {
        audit_record: {
          IsoTimestamp: "2024-03-01T12:00:00Z",
          MessageID: "295",
          Action: "Retrieve password",
          Issuer: "bob",
          Safe: "S",
          File: "F",
          Reason: "(Action: Retrieve password)fixing failed deploy, access denied yesterday",
          PvwaDetails: { RetrieveReason: { General: { UserReason: "fixing failed deploy, access denied yesterday" } } },
        },
      },
    });
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((e) => e.denied)).toEqual([false]);
  });

  it("reports bad lines with line numbers", async () => {
    const text = [
      record({}),
      "<5>1 2024-03-01T00:00:00Z VAULT no json here",
      "<5>1 2024-03-01T00:00:00Z VAULT {broken",
      JSON.stringify({ syslog: { something: 1 } }),
      record({ IsoTimestamp: "" }),
      record({ Issuer: "carol" }),
    ].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(records.map((e) => e.identity)).toEqual(["alice", "carol"]);
    expect(lineErrors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(lineErrors[3]?.message).toMatch(/no usable time/);
  });

  it("rejects files that are not CyberArk audits", async () => {
    await expect(parseAll(parser, await sample("vault-audit/hashicorp-vault-audit-file.log"))).rejects.toBeInstanceOf(
      ParseError,
    );
    await expect(parseAll(parser, await sample("gateway-logs/nginx-combined-beats-access.log"))).rejects.toThrow(
      /not a CyberArk PAS Vault audit log/,
    );
  });
});

describe("cyberark parser: a file without secret events", () => {
  it("a file of only Logon/Logoff records is valid: notSecret events, no error", async () => {
    const text = [
      `<5>1 2024-03-01T12:00:00Z VAULT ${record({ MessageID: "7", Action: "Logon", Safe: "", File: "", Issuer: "alice" })}`,
      `<5>1 2024-03-01T12:30:00Z VAULT ${record({ MessageID: "308", Action: "Logoff", Safe: "", File: "", Issuer: "alice" })}`,
    ].join("\n");
    const { records, lineErrors, warnings } = await parseAll(parser, textSource(text, "cyberark.log"));
    expect(lineErrors).toEqual([]);
    expect(records.map((e) => [e.action, e.secret, e.notSecret, e.identity])).toEqual([
      ["Logon", "", true, "alice"],
      ["Logoff", "", true, "alice"],
    ]);
    expect(warnings).toEqual([{ message: "2 CyberArk audit record(s) name no safe (e.g. Logon): skipped" }]);
  });
});

describe("cyberarkOperation", () => {
  it("prefers known message ids over the action text", () => {
    expect(cyberarkOperation("428", "Something renamed").operation).toBe("read");
    expect(cyberarkOperation("7", "Logon").operation).toBe("login");
    expect(cyberarkOperation("4", "User Authentication")).toEqual({ operation: "other", denied: true, failed: true });
    expect(cyberarkOperation("60", "CPM Reconcile Password Failed")).toEqual({ operation: "other", denied: false, failed: true });
    expect(cyberarkOperation(undefined, "Update password").operation).toBe("write");
  });
});

describe("cyberark parser: regression (fuzz)", () => {
  it("regression (fuzz): a MessageID named like an Object.prototype member is not a known message id", async () => {
    expect(cyberarkOperation("constructor", "Retrieve password").operation).toBe("read");
    const { records } = await parseAll(parser, textSource(record({ MessageID: "toString", Action: "Update password" })));
    expect(records.map((e) => e.operation)).toEqual(["write"]);
  });
});
