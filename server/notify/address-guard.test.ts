// Webhooks refuse internal addresses (server-side request forgery): literals when saved, resolved names before each
// delivery; POSTERN_WEBHOOK_ALLOW_PRIVATE=1 lifts it.
import type { lookup } from "node:dns/promises";
import { afterEach, describe, expect, it } from "vitest";
import { isPublicAddress, literalRefusal, resolvedRefusal } from "./address-guard";
import { validateWebhookUrl } from "./webhooks";

function resolver(...addresses: string[]): typeof lookup {
  return (async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))) as unknown as typeof lookup;
}

afterEach(() => {
  delete process.env.POSTERN_WEBHOOK_ALLOW_PRIVATE;
});

describe("webhook address guard", () => {
  it.each([
    ["127.0.0.1", false], ["127.255.0.9", false], ["10.1.2.3", false], ["172.16.0.1", false], ["172.31.255.255", false],
    ["192.168.1.1", false], ["169.254.169.254", false], ["100.64.0.1", false], ["0.0.0.0", false], ["224.0.0.1", false],
    ["::1", false], ["::", false], ["fd00::1", false], ["fe80::1", false], ["::ffff:127.0.0.1", false], ["::ffff:a9fe:a9fe", false],
    ["172.32.0.1", true], ["8.8.8.8", true], ["100.128.0.1", true], ["2606:4700::1111", true], ["::ffff:8.8.8.8", true],
    ["not-an-ip", false],
  ])("%s is public: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it("refuses local literals and names when a webhook is saved, and names nothing else", () => {
    for (const url of ["http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x", "http://localhost:3000/", "http://api.localhost/", "http://[::ffff:10.0.0.1]/"]) {
      expect(() => validateWebhookUrl(url), url).toThrow(/private, loopback or link-local/);
    }
    expect(validateWebhookUrl("https://hooks.slack.com/services/T0/B0/x")).toBe("https://hooks.slack.com/services/T0/B0/x");
    expect(validateWebhookUrl("https://8.8.8.8/hook")).toBe("https://8.8.8.8/hook");
    expect(literalRefusal(new URL("https://internal.example.com/"))).toBeNull();
  });

  it("refuses a delivery to a name that resolves to an internal address (any of them)", async () => {
    expect(await resolvedRefusal(new URL("https://hooks.example.com/x"), resolver("93.184.215.14"))).toBeNull();
    expect(await resolvedRefusal(new URL("https://hooks.example.com/x"), resolver("93.184.215.14", "10.0.0.5"))).toMatch(/hooks\.example\.com resolves to 10\.0\.0\.5/);
    expect(await resolvedRefusal(new URL("https://rebound.example.com/x"), resolver("169.254.169.254"))).toMatch(/169\.254\.169\.254/);
  });

  it("allows internal receivers when the installation says so", async () => {
    process.env.POSTERN_WEBHOOK_ALLOW_PRIVATE = "1";
    expect(validateWebhookUrl("http://127.0.0.1:8080/hook")).toBe("http://127.0.0.1:8080/hook");
    expect(await resolvedRefusal(new URL("https://hooks.example.com/x"), resolver("10.0.0.5"))).toBeNull();
  });
});
