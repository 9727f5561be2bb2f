/**
 * CSV inventory: one Api per row. A header row names the columns (case, spaces, dashes and underscores ignored):
 *   name (also "api", "api name")            required
 *   base URL ("base_url", "baseUrl", "url")  required column; cell may hold several URLs separated by ";" or spaces
 *   owner ("team"), lifecycle, exposure, repository ("repo", "repository url"), secrets (";"-separated), description
 * Comma- or tab-separated (the delimiter of the header row). Unknown columns are ignored. A row without a name or
 * with a malformed base URL is a line error (the rest ingests); an unknown lifecycle/exposure value is a warning and
 * left unset. Rows describe Apis, not endpoints (describesEndpoints=false).
 */
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
    const key = normaliseHeader(cell);
    const column = Object.hasOwn(HEADERS, key) ? HEADERS[key] : undefined;
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

type CsvItem = { record: string[]; line: number } | { error: string; line: number };

/**
 * The CSV records of `lines` (RFC 4180: `"` quotes a field, `""` inside one is a quote, a quoted field may span
 * lines; rows may have any number of fields; empty lines are skipped). A record is reported on the line where it
 * ends. A quote in an unquoted field, or a quoted field followed by anything but a delimiter, makes the record
 * unreadable: one error for the record, the rest of that line is dropped, and reading resumes on the next line.
 * Each character is looked at a bounded number of times, whatever the quoting (csv-parse raised one error per stray
 * quote, each quoting the field so far: quadratic in the length of a line of quotes).
 */
async function* csvRecords(lines: AsyncIterable<string>, delimiter: string): AsyncGenerator<CsvItem> {
  let lineNo = 0;
  let record: string[] = [];
  let field = "";
  let quoting = false;
  for await (const line of lines) {
    lineNo++;
    if (!quoting && line.length === 0) continue;
    if (quoting) field += "\n";
    let p = 0;
    // The first quote at or after p, kept across the fields of the line (p only moves forward).
    let quote = -2;
    let error: string | undefined;
    for (;;) {
      if (!quoting) {
        if (line.charCodeAt(p) === 34) {
          quoting = true;
          p++;
        } else {
          const next = line.indexOf(delimiter, p);
          const end = next === -1 ? line.length : next;
          if (quote !== -1 && quote < p) quote = line.indexOf('"', p);
          if (quote !== -1 && quote < end) {
            error = `a quote inside an unquoted field (field ${record.length + 1})`;
            break;
          }
          record.push(line.slice(p, end));
          if (next === -1) {
            yield { record, line: lineNo };
            record = [];
            break;
          }
          p = end + 1;
          continue;
        }
      }
      quote = line.indexOf('"', p);
      if (quote === -1) {
        field += line.slice(p);
        break;
      }
      field += line.slice(p, quote);
      const after = line[quote + 1];
      if (after === '"') {
        field += '"';
        p = quote + 2;
        continue;
      }
      if (after === undefined || after === delimiter) {
        record.push(field);
        field = "";
        quoting = false;
        if (after === undefined) {
          yield { record, line: lineNo };
          record = [];
          break;
        }
        p = quote + 2;
        continue;
      }
      error = `a quoted field is followed by ${JSON.stringify(after)} instead of a delimiter (field ${record.length + 1})`;
      break;
    }
    if (error !== undefined) {
      yield { error, line: lineNo };
      record = [];
      field = "";
      quoting = false;
    }
  }
  if (quoting) yield { error: "a quoted field is not closed before the end of the file", line: lineNo };
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
    let columns: Map<Column, number> | undefined;
    let rows = 0;
    for await (const item of csvRecords(file.lines(), delimiter)) {
      if ("error" in item) {
        ctx.lineError(item.line, `unreadable CSV record: ${item.error}`);
        continue;
      }
      const { record, line } = item;
      if (!columns) {
        columns = headerMap(record);
        if (!columns.has("name") || !columns.has("url")) {
          throw new ParseError("not a CSV inventory: the header row needs a name column and a base URL column", line);
        }
        continue;
      }
      if (++rows % 1000 === 0 && ctx.signal?.aborted) throw new ParseError("ingest cancelled");
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
