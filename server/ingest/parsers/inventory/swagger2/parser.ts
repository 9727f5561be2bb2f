import type { Parser } from "../../../contract";
import { detectSpecKind, parseSpecFile } from "../openapi/extract";

/** Swagger 2.0, JSON or YAML: one Api per document. Shares its reading with the OpenAPI parser. */
export const parser: Parser<"inventory"> = {
  id: "swagger2",
  family: "inventory",
  label: "Swagger 2.0 (JSON/YAML)",
  detect(head) {
    return detectSpecKind(head) === "swagger2" ? 0.95 : 0;
  },
  async *parse(file, ctx) {
    yield await parseSpecFile(file, ctx, "swagger2");
  },
};
