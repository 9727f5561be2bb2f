/**
 * CSV inventory: one Api per row. A header row names the columns (case, spaces, dashes and underscores ignored):
 *   name (also "api", "api name")            required
 *   base URL ("base_url", "baseUrl", "url")  required column; cell may hold several URLs separated by ";" or spaces
 *   owner ("team"), lifecycle, exposure, repository ("repo", "repository url"), secrets (";"-separated), description
 * Comma- or tab-separated (the delimiter of the header row). Unknown columns are ignored. A row without a name or
 * with a malformed base URL is a line error (the rest ingests); an unknown lifecycle/exposure value is a warning and
 * left unset. Rows describe Apis, not endpoints (describesEndpoints=false).
 */
import { Readable } from "node:stream";
import { parse as parseStream, type CsvError } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { ParseError, type InventoryApi, type ParseContext, type Parser, type SourceFile } from "../../../contract";
import { normaliseExposure, normaliseLifecycle } from "../openapi/extract";

type Column = "name" | "url" | "owner" | "lifecycle" | "exposure" | "repository" | "secrets" | "description";

const HEADERS: Record<string, Column> = {
  name: "name",
  api: "name",
  apiname: "name",
  baseurl: "url",
  baseurls: "url",
  url: "url",
  urls: "url",
  owner: "owner",
  team: "owner",
  ownerteam: "owner",
  lifecycle: "lifecycle",
  exposure: "exposure",
  repository: "repository",
  repo: "repository",
  repositoryurl: "repository",
  secrets: "secrets",
  secret: "secrets",
  description: "description",
};

const normaliseHeader = (cell: string) => cell.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Column index per known column; the first occurrence of a column wins. */
function headerMap(cells: string[]): Map<Column, number> {
  const map = new Map<Column, number>();
  cells.forEach((cell, index) => {
    const column = HEADERS[normaliseHeader(cell)];
    if (column && !map.has(column)) map.set(column, index);
  });
  return map;
}

function delimiterOf(headerLine: string): "," | "\t" {
  return !headerLine.includes(",") && headerLine.includes("\t") ? "\t" : ",";
}

function firstLine(text: string): string {
  for (const line of text.split(/\r?\n/, 20)) if (line.trim() !== "") return line;
  return "";
}

function headerCells(line: string): string[] | undefined {
  try {
    const rows = parseSync(line, { delimiter: delimiterOf(line), relax_quotes: true, trim: true }) as string[][];
    return rows[0];
  } catch {
    return undefined;
  }
}

/** A base URL we accept: absolute http(s)/ws(s), a relative path, or a scheme-less host[:port][/path]. */
const URL_FORMS = [
  /^(https?|wss?):\/\/[^\s/?#]+(\/\S*)?$/i,
  /^\/\S*$/,
  /^(localhost|([a-z0-9-]+\.)+[a-z0-9-]+)(:\d+)?(\/\S*)?$/i,
];

async function* lineChunks(file: SourceFile): AsyncIterable<string> {
  for await (const line of file.lines()) yield `${line}\n`;
}

export const parser: Parser<"inventory"> = {
  id: "csv-inventory",
  family: "inventory",
  label: "CSV inventory",
  detect(head) {
    const line = firstLine(head);
    if (line === "" || /^\s*[{[<]/.test(line)) return 0;
    const cells = headerCells(line);
    if (!cells || cells.length < 2) return 0;
    const columns = headerMap(cells);
    return columns.has("name") && columns.has("url") ? 0.9 : 0;
  },
  async *parse(file: SourceFile, ctx: ParseContext) {
    const head = await file.head();
    const delimiter = delimiterOf(firstLine(head));
    const csv = parseStream({
      delimiter,
      bom: true,
      // No trim option: csv-parse does not resynchronise after a bad quote when trimming; cells are trimmed below.
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error: CsvError | undefined) => {
        const line = typeof error?.lines === "number" ? error.lines : 0;
        ctx.lineError(line, `unreadable CSV record: ${error?.message ?? "syntax error"}`);
        return undefined;
      },
    });
    const source = Readable.from(lineChunks(file));
    source.on("error", (error) => csv.destroy(error));
    source.pipe(csv);
    const stop = () => {
      source.destroy();
      csv.destroy();
    };

    let columns: Map<Column, number> | undefined;
    let rows = 0;
    for await (const entry of csv as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = entry;
      const line = info.lines;
      if (!columns) {
        columns = headerMap(record);
        if (!columns.has("name") || !columns.has("url")) {
          stop();
          throw new ParseError("not a CSV inventory: the header row needs a name column and a base URL column", line);
        }
        continue;
      }
      if (++rows % 1000 === 0 && ctx.signal?.aborted) {
        stop();
        throw new ParseError("ingest cancelled");
      }
      const cell = (column: Column): string => {
        const index = columns?.get(column);
        return index === undefined ? "" : (record[index] ?? "").trim();
      };
      if (record.every((value) => value.trim() === "")) continue;
      const api = rowToApi(cell, line, ctx);
      if (api) yield api;
    }
    if (!columns) throw new ParseError("not a CSV inventory: the file has no header row");
  },
};

function rowToApi(cell: (column: Column) => string, line: number, ctx: ParseContext): InventoryApi | undefined {
  const name = cell("name");
  if (name === "") {
    ctx.lineError(line, "missing name");
    return undefined;
  }
  const urls = cell("url")
    .split(/[;\s]+/)
    .filter((u) => u !== "");
  if (urls.some((u) => !URL_FORMS.some((form) => form.test(u)))) {
    ctx.lineError(line, `invalid base URL "${cell("url")}" for ${name}`);
    return undefined;
  }
  const api: InventoryApi = {
    name,
    catalogName: name,
    baseUrls: [...new Set(urls.map((u) => u.replace(/\/+$/, "") || "/"))],
    describesEndpoints: false,
    endpoints: [],
  };
  const owner = cell("owner");
  if (owner !== "") api.owner = owner;
  const description = cell("description");
  if (description !== "") api.description = description;
  const repository = cell("repository");
  if (repository !== "") api.repository = repository;
  const lifecycle = cell("lifecycle");
  if (lifecycle !== "") {
    const value = normaliseLifecycle(lifecycle);
    if (value) api.lifecycle = value;
    else ctx.warn(`unknown lifecycle "${lifecycle}" for ${name} ignored`, line);
  }
  const exposure = cell("exposure");
  if (exposure !== "" && exposure.toLowerCase() !== "unknown") {
    const value = normaliseExposure(exposure);
    if (value) api.exposure = value;
    else ctx.warn(`unknown exposure "${exposure}" for ${name} ignored`, line);
  }
  const secrets = cell("secrets")
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (secrets.length > 0) api.secrets = secrets;
  return api;
}
