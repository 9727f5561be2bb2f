import { parseArgs } from "node:util";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase, write } from "./shared";

const FRAMEWORKS = "owasp-api-2023|pci-dss-4.0|soc2|iso27001-2022|nist-csf-2.0";
const HELP_TEXT = `Usage: postern report --framework ${FRAMEWORKS} [--team SLUG | --api SLUG] [--from ISO] [--to ISO] --format pdf|csv|json

Writes a compliance report to stdout: per control of the framework its status (passing, failing, not assessed),
the open findings behind it by severity, the Apis they are on and its weekly trend; SLA compliance and mean time
to remediate of the period. A past period shows what was true then (from the findings' history).
  json  the report document
  pdf   the report as a PDF (binary: redirect it to a file)
  csv   the rows under it: control x finding (open or accepted at the period's end), no evidence

Options:
  --framework ID     ${FRAMEWORKS}
  --team SLUG        only the team's Apis
  --api SLUG         only this Api
  --from ISO         start of the period (default: 90 days before --to)
  --to ISO           end of the period (default: now)
  --format FORMAT    json (default), pdf or csv
  -h, --help         show this help

The CLI reads the whole organisation, as the database's operator.`;

function isoDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name} "${value}" is not an ISO 8601 date`);
  return date;
}

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...HELP, framework: { type: "string" }, team: { type: "string" }, api: { type: "string" }, from: { type: "string" }, to: { type: "string" }, format: { type: "string" } },
    }),
  );
  if (values.help) {
    await line(io.stdout, HELP_TEXT);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { isFrameworkId } = await import("@/server/compliance/frameworks");
  if (values.framework === undefined) throw new UsageError(`report needs --framework (${FRAMEWORKS})`);
  if (!isFrameworkId(values.framework)) throw new UsageError(`unknown framework "${values.framework}" (choose ${FRAMEWORKS})`);
  const format = values.format ?? "json";
  if (format !== "json" && format !== "pdf" && format !== "csv") throw new UsageError(`unknown report format "${format}" (choose pdf, csv or json)`);
  if (values.team !== undefined && values.api !== undefined) throw new UsageError("give --team or --api, not both");
  const from = isoDate("from", values.from);
  const to = isoDate("to", values.to);
  const framework = values.framework;

  const [{ reportRequest, reportParams }, { DomainError }] = await Promise.all([import("@/server/reports/schema"), import("@/server/domain/errors")]);
  const request = reportRequest.safeParse({ framework, team: values.team, api: values.api, from, to });
  if (!request.success) throw new UsageError(request.error.issues[0]?.message ?? "invalid report request");
  const params = reportParams(request.data);
  // The CLI is the database's operator: it reports on the whole organisation (as security would see it).
  const operator = { type: "user" as const, userId: "cli", email: "cli", role: "security" as const, teamIds: [] };
  return withDatabase(io, async (prisma) => {
    try {
      if (format === "csv") {
        const { streamReportCsv } = await import("@/server/reports/csv");
        for await (const chunk of streamReportCsv(prisma, operator, params, io.signal)) await write(io.stdout, chunk);
        if (io.signal?.aborted) throw new CliError("interrupted", EXIT.interrupted);
        return EXIT.ok;
      }
      const { buildReport } = await import("@/server/reports/build");
      const report = await buildReport(prisma, operator, params);
      if (format === "json") {
        await line(io.stdout, JSON.stringify(report, null, 2));
        return EXIT.ok;
      }
      const { renderReportPdf } = await import("@/server/reports/pdf");
      await write(io.stdout, await renderReportPdf(report));
      return EXIT.ok;
    } catch (error) {
      if (error instanceof DomainError) throw new CliError(error.message);
      throw error;
    }
  });
}

export const command: Command = { name: "report", summary: "write a compliance report (pdf, csv or json)", help: HELP_TEXT, run };
