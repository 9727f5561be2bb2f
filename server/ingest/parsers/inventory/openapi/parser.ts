import type { Parser } from "../../../contract";
import { detectSpecKind, parseSpecFile } from "./extract";

/** OpenAPI 3.0 / 3.1, JSON or YAML: one Api per document. */
export const parser: Parser<"inventory"> = {
  id: "openapi",
  family: "inventory",
  label: "OpenAPI 3.x (JSON/YAML)",
  detect(head) {
    return detectSpecKind(head) === "openapi3" ? 0.95 : 0;
  },
  async *parse(file, ctx) {
    yield await parseSpecFile(file, ctx, "openapi3");
  },
};
