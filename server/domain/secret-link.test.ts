import { describe, expect, it } from "vitest";
import { linkSecretToApis, secretSegments, type SecretLinkApi } from "./secret-link";

const api = (id: string, slug: string, extra: Partial<SecretLinkApi> = {}): SecretLinkApi => ({
  id,
  slug,
  aliases: [],
  explicitSecrets: [],
  ...extra,
});

const payments = api("a1", "payments-api");
const orders = api("a2", "orders");
const db = api("a3", "db");

describe("linkSecretToApis", () => {
  it("links a Vault KV path by a whole segment", () => {
    expect(linkSecretToApis("secret/data/payments-api/db", [payments, orders])).toEqual(["a1"]);
  });

  it("does not link on partial segments", () => {
    expect(linkSecretToApis("secret/data/payments-api-v2/db", [payments])).toEqual([]);
    expect(linkSecretToApis("secret/data/payments/db", [payments])).toEqual([]);
    expect(linkSecretToApis("secret/data/reorders/x", [orders])).toEqual([]);
  });

  it("links a Secrets Manager ARN by its name, handling the random suffix", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:payments-api/db-AbCdEf";
    expect(linkSecretToApis(arn, [payments, orders])).toEqual(["a1"]);
    // the suffix is stripped: "db-AbCdEf" is the secret "db"
    expect(linkSecretToApis(arn, [db])).toEqual(["a3"]);
    expect(linkSecretToApis("arn:aws:secretsmanager:us-east-1:123:secret:payments-api-AbCdEf", [payments])).toEqual([
      "a1",
    ]);
  });

  it("keeps a name that merely ends in six letters when an Api has that exact name", () => {
    const webapp = api("w", "payments-webapp");
    const pay = api("p", "payments");
    const partialArn = "arn:aws:secretsmanager:us-east-1:123:secret:payments-webapp";
    expect(linkSecretToApis(partialArn, [pay, webapp])).toEqual(["w"]);
  });

  it("never matches ARN service, region or account parts", () => {
    const region = api("r", "us-east-1");
    const service = api("s", "secretsmanager");
    const arn = "arn:aws:secretsmanager:us-east-1:123:secret:other/thing-AbCdEf";
    expect(linkSecretToApis(arn, [region, service])).toEqual([]);
    expect(secretSegments(arn)).toEqual(["other", "thing-abcdef"]);
  });

  it("links CyberArk safe or account names, splitting on backslashes too", () => {
    const safe = api("c1", "payments-api");
    expect(linkSecretToApis("payments-api/Root\\Operating System-x", [safe])).toEqual(["c1"]);
    expect(linkSecretToApis("PSM\\payments-api", [safe])).toEqual(["c1"]);
    expect(linkSecretToApis("vault:payments-api", [safe])).toEqual(["c1"]);
  });

  it("matches slugs and aliases case-insensitively", () => {
    const aliased = api("x", "billing", { aliases: ["Invoice-Service"] });
    expect(linkSecretToApis("secret/data/invoice-service/key", [aliased])).toEqual(["x"]);
    expect(linkSecretToApis("secret/data/BILLING/key", [aliased])).toEqual(["x"]);
  });

  it("returns every Api whose slug appears, without duplicates", () => {
    const both = api("b", "orders", { aliases: ["orders"] });
    expect(linkSecretToApis("secret/data/orders/payments-api", [payments, both])).toEqual(["a1", "b"]);
  });

  it("lets an explicit mapping win over slug segments", () => {
    const mapped = api("m", "ledger", { explicitSecrets: ["secret/data/payments-api/db"] });
    expect(linkSecretToApis("secret/data/payments-api/db", [payments, mapped])).toEqual(["m"]);
    // a different secret still links by slug
    expect(linkSecretToApis("secret/data/payments-api/other", [payments, mapped])).toEqual(["a1"]);
  });

  it("matches explicit mappings across KV v2, ARN/name and prefix forms", () => {
    const kv = api("kv", "x", { explicitSecrets: ["secret/payments/db"] });
    expect(linkSecretToApis("secret/data/payments/db", [kv])).toEqual(["kv"]);
    expect(linkSecretToApis("secret/metadata/payments/db", [kv])).toEqual(["kv"]);

    const byName = api("n", "x", { explicitSecrets: ["prod/ledger"] });
    expect(linkSecretToApis("arn:aws:secretsmanager:eu-west-1:1:secret:prod/ledger-Ab12Cd", [byName])).toEqual(["n"]);
    const byArn = api("a", "x", { explicitSecrets: ["arn:aws:secretsmanager:eu-west-1:1:secret:prod/ledger-Ab12Cd"] });
    expect(linkSecretToApis("prod/ledger", [byArn])).toEqual(["a"]);

    const folder = api("f", "x", { explicitSecrets: ["secret/data/team-a/*"] });
    expect(linkSecretToApis("secret/data/team-a/anything", [folder])).toEqual(["f"]);
    expect(linkSecretToApis("secret/data/team-ab/anything", [folder])).toEqual([]);
    const glob = api("g", "x", { explicitSecrets: ["secret/data/team-*"] });
    expect(linkSecretToApis("secret/data/team-ab/anything", [glob])).toEqual(["g"]);
    expect(linkSecretToApis("secret/data/other/anything", [glob])).toEqual([]);

    const safe = api("s", "x", { explicitSecrets: ["PaymentsSafe"] });
    expect(linkSecretToApis("PaymentsSafe/Root\\db-admin", [safe])).toEqual(["s"]);
    expect(linkSecretToApis("PaymentsSafe2/db-admin", [safe])).toEqual([]);
  });

  it("ignores empty secrets and empty slugs", () => {
    expect(linkSecretToApis("", [payments])).toEqual([]);
    expect(linkSecretToApis("secret//x", [api("e", "", { aliases: [""] })])).toEqual([]);
  });
});
