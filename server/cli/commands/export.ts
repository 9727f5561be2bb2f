import { parseArgs } from "node:util";
import { EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, type ExportKind } from "../export";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase, write } from "./shared";

const HELP_TEXT = `Usage: postern export apis|endpoints|findings [--format json|csv] [--team SLUG]

Writes the inventory or the findings to stdout with stable field names.
  apis       one record per Api, with its endpoints, owner, auth kinds, data classes, risk score and factors
  endpoints  one record per endpoint, with its Api's name, slug and base URL
  findings   one record per finding, with its Api and endpoint

Options:
  --format json|csv  JSON array (default) or CSV (header row, nested fields dotted, lists joined with ";")
  --team SLUG        only what the team owns (findings: also those assigned to it)
  -h, --help         show this help`;

function isKind(value: string): value is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(value);
}

function isFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() =>
    parseArgs({ args, allowPositionals: true, strict: true, options: { ...HELP, format: { type: "string" }, team: { type: "string" } } }),
  );
  if (values.help) {
    await line(io.stdout, HELP_TEXT);
    return EXIT.ok;
  }
  const [kind, ...extra] = positionals;
  if (kind === undefined) throw new UsageError(`export needs what to export: ${EXPORT_KINDS.join(", ")}`);
  if (!isKind(kind)) throw new UsageError(`cannot export "${kind}" (choose ${EXPORT_KINDS.join(", ")})`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const format = values.format ?? "json";
  if (!isFormat(format)) throw new UsageError(`unknown export format "${format}" (choose json or csv)`);
  const team = values.team?.trim().toLowerCase();
  if (values.team !== undefined && !team) throw new UsageError("--team needs a team slug");

  const { writeExport, ExportError } = await import("../export");
  return withDatabase(io, async (prisma) => {
    try {
      await writeExport(prisma, kind, format, (chunk) => write(io.stdout, chunk), {
        ...(team ? { team } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } catch (error) {
      if (error instanceof ExportError) throw new CliError(error.message, io.signal?.aborted ? EXIT.interrupted : EXIT.failure);
      throw error;
    }
    return EXIT.ok;
  });
}

export const command: Command = { name: "export", summary: "export Apis, endpoints or findings as JSON or CSV", help: HELP_TEXT, run };
