import { describe, expect, it } from "vitest";
import { classifyField, classifySchema, fieldTokens, schemaHasExamples } from "./classify";

describe("fieldTokens", () => {
  it("normalises camelCase, snake_case, kebab-case and acronyms the same way", () => {
    expect(fieldTokens("accessToken")).toEqual(["access", "token"]);
    expect(fieldTokens("access_token")).toEqual(["access", "token"]);
    expect(fieldTokens("access-token")).toEqual(["access", "token"]);
    expect(fieldTokens("IBANNumber")).toEqual(["iban", "number"]);
    expect(fieldTokens("addressLine1")).toEqual(["address", "line1"]);
  });
});

describe("classifyField", () => {
  it.each([
    ["email", "pii"],
    ["emailAddress", "pii"],
    ["e-mail", "pii"],
    ["phone", "pii"],
    ["phoneNumber", "pii"],
    ["mobile_number", "pii"],
    ["firstName", "pii"],
    ["last_name", "pii"],
    ["fullname", "pii"],
    ["surname", "pii"],
    ["street", "pii"],
    ["address", "pii"],
    ["billingAddress", "pii"],
    ["postcode", "pii"],
    ["zipCode", "pii"],
    ["date_of_birth", "pii"],
    ["dob", "pii"],
    ["birthDate", "pii"],
    ["ssn", "pii"],
    ["passportNumber", "pii"],
    ["tax_id", "pii"],
    ["nationalId", "pii"],
    ["cardNumber", "financial"],
    ["credit_card_number", "financial"],
    ["pan", "financial"],
    ["cvv", "financial"],
    ["IBAN", "financial"],
    ["bic", "financial"],
    ["accountNumber", "financial"],
    ["routing_number", "financial"],
    ["password", "credentials"],
    ["newPassword", "credentials"],
    ["secret", "credentials"],
    ["client_secret", "credentials"],
    ["token", "credentials"],
    ["accessToken", "credentials"],
    ["refresh_token", "credentials"],
    ["id_token", "credentials"],
    ["apiKey", "credentials"],
    ["api-key", "credentials"],
    ["diagnosis", "health"],
    ["medicalHistory", "health"],
    ["prescription", "health"],
    ["bloodType", "health"],
    ["health_record", "health"],
  ] as const)("%s → %s", (name, dataClass) => {
    expect(classifyField(name)).toBe(dataClass);
  });

  it.each([
    "tokenizer",
    "tokenized",
    "passwordless",
    "token_type",
    "tokenUrl",
    "expires_in",
    "refresh_token_expires_in",
    "email_verified",
    "isEmailVerified",
    "hasPassword",
    "password_changed_at",
    "max_tokens",
    "prompt_tokens",
    "ip_address",
    "remoteAddress",
    "mac_address",
    "username",
    "user_id",
    "displayName",
    "id",
    "status",
    "health",
    "number",
    "secretName",
  ])("%s is not classified", (name) => {
    expect(classifyField(name)).toBeUndefined();
  });

  it("takes the head noun (last term) of a compound", () => {
    expect(classifyField("reset_password_email")).toBe("pii");
    expect(classifyField("email_token")).toBe("credentials");
  });

  it("classifies a bare name only under a person parent", () => {
    expect(classifyField("name")).toBeUndefined();
    expect(classifyField("name", "Pet")).toBeUndefined();
    expect(classifyField("name", "Category")).toBeUndefined();
    expect(classifyField("name", "user")).toBe("pii");
    expect(classifyField("name", "owner")).toBe("pii");
    expect(classifyField("name", "Customer")).toBe("pii");
    expect(classifyField("name", "UserProfile")).toBe("pii");
    expect(classifyField("name", "person")).toBe("pii");
    expect(classifyField("name", "users")).toBe("pii");
  });

  it("classifies a bare number only under a card parent", () => {
    expect(classifyField("number", "card")).toBe("financial");
    expect(classifyField("number", "creditCard")).toBe("financial");
    expect(classifyField("number", "house")).toBeUndefined();
  });
});

describe("classifySchema", () => {
  it("returns dotted paths, arrays as [] and person names by parent", () => {
    const schema = {
      type: "object",
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        owner: { type: "object", properties: { name: { type: "string" }, email: { type: "string" } } },
        payments: {
          type: "array",
          items: { type: "object", properties: { card_number: { type: "string" }, amount: { type: "number" } } },
        },
        meta: { allOf: [{ properties: { accessToken: { type: "string" } } }] },
      },
    };
    const { fields, truncated } = classifySchema(schema);
    expect(truncated).toBe(false);
    expect(fields).toEqual([
      { path: "owner.name", dataClass: "pii" },
      { path: "owner.email", dataClass: "pii" },
      { path: "payments[].card_number", dataClass: "financial" },
      { path: "meta.accessToken", dataClass: "credentials" },
    ]);
  });

  it("uses the schema name at the root as the parent context", () => {
    const user = { type: "object", properties: { name: { type: "string" } } };
    const names = new Map<object, string>([[user, "User"]]);
    expect(classifySchema(user).fields).toEqual([]);
    expect(classifySchema(user, { schemaName: (s) => names.get(s) }).fields).toEqual([{ path: "name", dataClass: "pii" }]);
    expect(classifySchema({ type: "array", items: user }, { schemaName: (s) => names.get(s) }).fields).toEqual([
      { path: "[].name", dataClass: "pii" },
    ]);
  });

  it("terminates on object cycles", () => {
    const node: Record<string, unknown> = { type: "object", properties: { email: { type: "string" } } };
    (node.properties as Record<string, unknown>).friend = node;
    const { fields } = classifySchema(node);
    // The walk is cut where the schema re-enters itself: "friend" is walked no further.
    expect(fields).toEqual([{ path: "email", dataClass: "pii" }]);
  });

  it("follows $refs through the resolver and terminates on $ref cycles", () => {
    const components: Record<string, Record<string, unknown>> = {
      Node: { type: "object", properties: { password: { type: "string" }, next: { $ref: "#/Node" } } },
    };
    let calls = 0;
    const resolveRef = (node: Record<string, unknown>) => {
      calls++;
      return components[String(node.$ref).slice(2)];
    };
    const { fields } = classifySchema(
      { type: "object", properties: { head: { $ref: "#/Node" }, list: { type: "array", items: { $ref: "#/Node" } } } },
      { resolveRef },
    );
    expect(fields.map((f) => f.path)).toEqual(["head.password", "list[].password"]);
    expect(calls).toBeLessThan(10);
  });

  it("stops at depth 20 and says so", () => {
    let schema: Record<string, unknown> = { type: "object", properties: { ssn: { type: "string" } } };
    for (let i = 0; i < 30; i++) schema = { type: "object", properties: { child: schema } };
    const { fields, truncated } = classifySchema(schema);
    expect(truncated).toBe(true);
    expect(fields).toEqual([]);
    const shallow = classifySchema(schema, { maxDepth: 40 });
    expect(shallow.truncated).toBe(false);
    expect(shallow.fields).toHaveLength(1);
    expect(shallow.fields[0]?.path).toBe(`${"child.".repeat(30)}ssn`);
  });

  it("bounds the work on shared sub-schemas (combinatorial blow-up)", () => {
    let schema: Record<string, unknown> = { type: "object", properties: { email: { type: "string" } } };
    for (let i = 0; i < 19; i++) schema = { type: "object", properties: { a: schema, b: schema } };
    const { truncated } = classifySchema(schema);
    expect(truncated).toBe(true);
  });
});

describe("schemaHasExamples", () => {
  it("finds example/examples in nested schemas but not a property named example", () => {
    expect(schemaHasExamples({ type: "object", properties: { a: { type: "string", example: "x" } } })).toBe(true);
    expect(schemaHasExamples({ type: "array", items: { examples: ["x"] } })).toBe(true);
    expect(schemaHasExamples({ type: "object", properties: { example: { type: "string" } } })).toBe(false);
  });
});
