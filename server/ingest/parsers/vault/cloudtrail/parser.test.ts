import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:payments-api/db-AbCdEf";

function ev(name: string, extra: Record<string, unknown> = {}, source = "secretsmanager.amazonaws.com") {
  return {
    eventVersion: "1.08",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAEXAMPLE:ci",
      arn: "arn:aws:sts::123456789012:assumed-role/ci/ci",
      accessKeyId: "ASIAIOSFODNN7EXAMPLE",
    },
    eventTime: "2024-02-03T04:05:06Z",
    eventSource: source,
    eventName: name,
    awsRegion: "us-east-1",
    sourceIPAddress: "203.0.113.7",
    requestParameters: { secretId: ARN },
    responseElements: null,
    requestID: "req-1",
    eventID: `evt-${name}`,
    eventType: "AwsApiCall",
    ...extra,
  };
}

describe("cloudtrail parser: real samples", () => {
  it("KMS Decrypt made by Secrets Manager → one read of the secret", async () => {
    const { records, lineErrors, warnings } = await parseAll(
      parser,
      await sample("vault-audit/cloudtrail-kms-Decrypt-by-secretsmanager.json"),
    );
    expect(lineErrors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(records).toEqual([
      {
        time: Date.UTC(2018, 4, 31, 23, 36, 9),
        source: "cloudtrail",
        secret: "arn:aws:secretsmanager:us-east-2:111122223333:secret:test-secret-a1b2c3",
        operation: "read",
        action: "Decrypt",
        identity: "arn:aws:sts::111122223333:assumed-role/Admin/user01",
        remoteAddress: "secretsmanager.amazonaws.com",
        denied: false,
        requestId: "f333ec5c-7fc1-46b1-b985-cbda13719611",
        // Decrypt on behalf of Secrets Manager: an echo of the caller's GetSecretValue, keyed by name without suffix.
        coalesce: { key: "test-secret\u0000arn:aws:sts::111122223333:assumed-role/Admin/user01\u0000r", echo: true },
      },
    ]);
    expect(JSON.stringify(records)).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });

  it("the docs' GetSecretValue excerpt (no requestParameters) is kept under the account's unnamed-secret placeholder", async () => {
    const { records, lineErrors, warnings } = await parseAll(
      parser,
      await sample("vault-audit/cloudtrail-secretsmanager-GetSecretValue-vpce.json"),
    );
    expect(lineErrors).toEqual([]);
    expect(records).toEqual([
      {
        time: Date.UTC(2018, 0, 16, 5, 46, 57),
        source: "cloudtrail",
        secret: "arn:aws:secretsmanager:us-west-2:123456789012:secret:(unnamed)",
        operation: "read",
        action: "GetSecretValue",
        identity: "arn:aws:iam::123456789012:user/Anika",
        remoteAddress: "172.01.01.001",
        denied: false,
        requestId: "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE",
        coalesce: { key: "(unnamed)\u0000arn:aws:iam::123456789012:user/Anika\u0000r", echo: false },
      },
    ]);
    expect(warnings.map((w) => w.message)).toEqual([
      '1 Secrets Manager event(s) name no secret (requestParameters missing): recorded under the account\'s "(unnamed)" secret',
    ]);
  });

  it("the same excerpt with a secretId becomes a full event (tab-indented JSON is fine)", async () => {
    const file = await sample("vault-audit/cloudtrail-secretsmanager-GetSecretValue-vpce.json");
    const text = (await file.text()).replace('"readOnly":true,', '"readOnly":true,\n\t"requestParameters": {"secretId": "MyTestSecret"},');
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(lineErrors).toEqual([]);
    expect(records).toEqual([
      {
        time: Date.UTC(2018, 0, 16, 5, 46, 57),
        source: "cloudtrail",
        secret: "MyTestSecret",
        operation: "read",
        action: "GetSecretValue",
        identity: "arn:aws:iam::123456789012:user/Anika",
        remoteAddress: "172.01.01.001",
        denied: false,
        requestId: "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE",
        coalesce: { key: "MyTestSecret\u0000arn:aws:iam::123456789012:user/Anika\u0000r", echo: false },
      },
    ]);
  });
});

describe("cloudtrail parser: a trail without secret events", () => {
  it("a trail of only other services' events is valid: notSecret events, no error", async () => {
    const text = JSON.stringify({ Records: [ev("RunInstances", {}, "ec2.amazonaws.com"), ev("GetObject", { errorCode: "AccessDenied" }, "s3.amazonaws.com")] });
    const { records, lineErrors, warnings } = await parseAll(parser, textSource(text, "trail.json"));
    expect(lineErrors).toEqual([]);
    expect(records).toEqual([
      { time: Date.UTC(2024, 1, 3, 4, 5, 6), source: "cloudtrail", secret: "", operation: "other", action: "RunInstances", denied: false, notSecret: true, identity: "arn:aws:sts::123456789012:assumed-role/ci/ci", remoteAddress: "203.0.113.7", requestId: "evt-RunInstances" },
      { time: Date.UTC(2024, 1, 3, 4, 5, 6), source: "cloudtrail", secret: "", operation: "other", action: "GetObject", denied: true, notSecret: true, identity: "arn:aws:sts::123456789012:assumed-role/ci/ci", remoteAddress: "203.0.113.7", requestId: "evt-GetObject" },
    ]);
    expect(warnings.map((w) => w.message)).toEqual(["2 CloudTrail event(s) skipped as not about a secret (2 × not a Secrets Manager or KMS event)"]);
  });
});

describe("cloudtrail parser: shapes and mapping", () => {
  it("reads a Records file, mapping operations and skipping unrelated events", async () => {
    const records = [
      ev("GetSecretValue"),
      ev("PutSecretValue"),
      ev("UpdateSecret"),
      ev("CreateSecret", { requestParameters: { name: "new/secret" }, responseElements: { arn: `${ARN}x` } }),
      ev("RotateSecret"),
      ev("RotationSucceeded", {
        userIdentity: { accountId: "1", invokedBy: "secretsmanager.amazonaws.com" },
        requestParameters: null,
        additionalEventData: { SecretId: ARN },
        eventType: "AwsServiceEvent",
      }),
      ev("DeleteSecret", { requestParameters: null, responseElements: { aRN: ARN } }),
      ev("DescribeSecret"),
      ev("ListSecrets", { requestParameters: null }),
      ev("TagResource"),
      ev("RunInstances", {}, "ec2.amazonaws.com"),
      ev("Decrypt", { requestParameters: { keyId: "k" } }, "kms.amazonaws.com"),
      ev(
        "GenerateDataKey",
        { requestParameters: { encryptionContext: { SecretARN: ARN } }, userIdentity: { invokedBy: "secretsmanager.amazonaws.com" } },
        "kms.amazonaws.com",
      ),
    ];
    const all = await parseAll(parser, textSource(JSON.stringify({ Records: records })));
    // Unrelated events come as notSecret events (no secret), in file order.
    expect(all.records.filter((e) => e.notSecret).map((e) => [e.action, e.operation, e.secret])).toEqual([
      ["ListSecrets", "other", ""],
      ["RunInstances", "other", ""],
      ["Decrypt", "other", ""],
    ]);
    const out = { ...all, records: all.records.filter((e) => !e.notSecret) };
    expect(out.lineErrors).toEqual([]);
    expect(out.records.map((e) => [e.action, e.operation, e.secret])).toEqual([
      ["GetSecretValue", "read", ARN],
      ["PutSecretValue", "write", ARN],
      ["UpdateSecret", "write", ARN],
      ["CreateSecret", "write", "new/secret"],
      ["RotateSecret", "rotate", ARN],
      ["RotationSucceeded", "rotate", ARN],
      ["DeleteSecret", "delete", ARN],
      ["DescribeSecret", "list", ARN],
      ["TagResource", "other", ARN],
      ["GenerateDataKey", "write", ARN],
    ]);
    expect(out.records[5]?.identity).toBe("secretsmanager.amazonaws.com");
    expect(out.records[9]?.identity).toBe("secretsmanager.amazonaws.com");
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]?.message).toMatch(/^3 CloudTrail event\(s\) skipped/);
    expect(JSON.stringify(out.records)).not.toContain("ASIAIOSFODNN7EXAMPLE");
  });

  it("emits one event per secret of BatchGetSecretValue and skips filter-only batches", async () => {
    const text = [
      JSON.stringify(ev("BatchGetSecretValue", { requestParameters: { secretIdList: ["a/one", "b/two"] } })),
      JSON.stringify(ev("BatchGetSecretValue", { requestParameters: { filters: [{ key: "name", values: ["x"] }] } })),
    ].join("\n");
    const { records, warnings, lineErrors } = await parseAll(parser, textSource(text));
    expect(lineErrors).toEqual([]);
    expect(records.map((e) => [e.secret, e.operation, e.requestId, e.notSecret ?? false])).toEqual([
      ["a/one", "read", "evt-BatchGetSecretValue#0", false],
      ["b/two", "read", "evt-BatchGetSecretValue#1", false],
      // The filter-only batch names no secret.
      ["", "other", "evt-BatchGetSecretValue", true],
    ]);
    expect(warnings[0]?.message).toMatch(/1 × Secrets Manager BatchGetSecretValue names no secret/);
  });

  it("marks denials and keeps errors; a failed rotation is not a rotation", async () => {
    const text = [
      ev("GetSecretValue", { errorCode: "AccessDenied", errorMessage: "User: x is not authorized to perform: GetSecretValue" }),
      ev("GetSecretValue", { errorCode: "AccessDeniedException" }),
      ev("GetSecretValue", { errorCode: "ResourceNotFoundException", errorMessage: "Secrets Manager can't find the specified secret." }),
      ev("PutSecretValue", { errorCode: "ValidationException", errorMessage: "Access to KMS is not authorized" }),
      ev("RotationFailed", { additionalEventData: { SecretId: ARN }, requestParameters: null }),
    ]
      .map((e) => JSON.stringify(e))
      .join("\n");
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((e) => [e.operation, e.denied, e.error])).toEqual([
      ["read", true, "AccessDenied: User: x is not authorized to perform: GetSecretValue"],
      ["read", true, "AccessDeniedException"],
      ["read", false, "ResourceNotFoundException: Secrets Manager can't find the specified secret."],
      ["write", true, "ValidationException: Access to KMS is not authorized"],
      ["other", false, "rotation failed"],
    ]);
  });

  it("reads pretty-printed concatenated events and EventBridge envelopes", async () => {
    const text = `${JSON.stringify(ev("GetSecretValue"), null, 2)}\n${JSON.stringify({ "detail-type": "AWS API Call via CloudTrail", detail: ev("PutSecretValue") }, null, 2)}`;
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((e) => [e.action, e.time, e.identity, e.remoteAddress])).toEqual([
      ["GetSecretValue", Date.UTC(2024, 1, 3, 4, 5, 6), "arn:aws:sts::123456789012:assumed-role/ci/ci", "203.0.113.7"],
      ["PutSecretValue", Date.UTC(2024, 1, 3, 4, 5, 6), "arn:aws:sts::123456789012:assumed-role/ci/ci", "203.0.113.7"],
    ]);
  });

  it("reports bad lines with line numbers", async () => {
    const text = [
      JSON.stringify(ev("GetSecretValue")),
      "{not json}",
      JSON.stringify({ some: "object" }),
      JSON.stringify(ev("GetSecretValue", { eventTime: "never" })),
      JSON.stringify(ev("DeleteSecret")),
    ].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(records.map((e) => e.action)).toEqual(["GetSecretValue", "DeleteSecret"]);
    expect(lineErrors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(lineErrors[1]?.message).toMatch(/not a CloudTrail event/);
    expect(lineErrors[2]?.message).toMatch(/invalid or missing eventTime/);
  });

  it("rejects files that are not CloudTrail", async () => {
    const gateway = Array.from({ length: 20 }, (_, i) => JSON.stringify({ requestId: `r${i}`, ip: "1.2.3.4", httpMethod: "GET" }));
    await expect(parseAll(parser, textSource(gateway.join("\n")))).rejects.toBeInstanceOf(ParseError);
    await expect(parseAll(parser, await sample("vault-audit/cyberark-pas-vault-audit-retrieve-ssh-key.log"))).rejects.toThrow(
      /not an AWS CloudTrail log/,
    );
  });
});

describe("cloudtrail parser: regression (fuzz)", () => {
  it("regression (fuzz): an eventName named like an Object.prototype member is an operation of kind 'other'", async () => {
    const { records } = await parseAll(parser, textSource([ev("constructor"), ev("toString", { requestParameters: { encryptionContext: { SecretARN: ARN } } }, "kms.amazonaws.com")].map((e) => JSON.stringify(e)).join("\n")));
    expect(records.map((e) => [e.action, e.operation])).toEqual([
      ["constructor", "other"],
      ["toString", "other"],
    ]);
  });

  it("regression (fuzz): an eventTime nested 100,000 deep is a line error, not a stack overflow", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const text = [JSON.stringify(ev("GetSecretValue")), JSON.stringify(ev("PutSecretValue", { eventTime: "DEEP" })).replace('"DEEP"', deep)].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(records.map((e) => e.action)).toEqual(["GetSecretValue"]);
    expect(lineErrors).toEqual([{ line: 2, message: "PutSecretValue: invalid or missing eventTime (an array)" }]);
  });
});
