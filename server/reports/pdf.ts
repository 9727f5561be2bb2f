/**
 * renderReportPdf: the report as a PDF made on the server with pdfkit (no browser, no service): a title page with
 * the summary numbers, two vector charts drawn with pdfkit's path API (failing controls per week, open findings per
 * control by severity), the per-control table, and a footer on every page with the generation time and the scope.
 * Its size depends on the number of controls only, never on the findings. Text uses the standard Helvetica fonts
 * (WinAnsi): nothing outside Latin-1 goes in.
 */
import PDFDocument from "pdfkit";
import { SEVERITIES, type Severity } from "@/server/domain/severity";
import type { Report } from "./schema";

const MARGIN = 40;
const A4 = { width: 595.28, height: 841.89 };
const CONTENT = A4.width - 2 * MARGIN;
const FOOTER_Y = A4.height - MARGIN + 10;

const STATUS_LABEL: Record<Report["controls"][number]["status"], string> = { passing: "passing", failing: "failing", not_assessed: "not assessed" };
const STATUS_COLOR: Record<Report["controls"][number]["status"], string> = { passing: "#1d7a3e", failing: "#b3261e", not_assessed: "#5f6368" };
const SEVERITY_COLOR: Record<Severity, string> = { critical: "#7f1d1d", high: "#c2410c", medium: "#b7791f", low: "#2b6cb0", info: "#718096" };
const SEVERITY_SHORT: Record<Severity, string> = { critical: "Crit", high: "High", medium: "Med", low: "Low", info: "Info" };

/** Latin-1 only (the standard fonts' encoding): other characters become "?" rather than garbage. */
function latin(text: string): string {
  return text.replace(/[\u2010-\u2015\u2212]/g, "-").replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[^\x20-\x7e\xa0-\xff\u2026]/g, "?");
}

const day = (iso: string) => iso.slice(0, 10);
const percent = (share: number | null) => (share === null ? "n/a" : `${Math.round(share * 100)} %`);

export function renderReportPdf(report: Report): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: latin(`${report.framework.name} ${report.framework.version} compliance report`),
      Author: "Postern",
      Subject: latin(report.scope.label),
      CreationDate: new Date(report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  titlePage(doc, report);
  doc.addPage();
  trendChart(doc, report);
  findingsChart(doc, report);
  doc.addPage();
  controlTable(doc, report);
  footers(doc, report);
  doc.end();
  return done;
}

type Doc = PDFKit.PDFDocument;

function titlePage(doc: Doc, r: Report): void {
  doc.font("Helvetica-Bold").fontSize(24).fillColor("#111").text("Compliance report", MARGIN, 120);
  doc.moveDown(0.4).fontSize(16).text(latin(`${r.framework.name} ${r.framework.version}`));
  doc.moveDown(0.8).font("Helvetica").fontSize(11).fillColor("#333");
  doc.text(latin(`Scope: ${r.scope.label}`));
  doc.text(`Period: ${day(r.period.from)} to ${day(r.period.to)}`);
  doc.text(`Evidence ingested: ${r.evidence.length ? r.evidence.join(", ") : "none"}`);
  doc.text(`Generated: ${r.generatedAt}`);

  doc.moveDown(2).font("Helvetica-Bold").fontSize(13).fillColor("#111").text("Summary");
  doc.moveDown(0.4);
  const s = r.summary;
  const rows: [string, string][] = [
    ["Controls", String(s.controls)],
    ["Passing", String(s.passing)],
    ["Failing", String(s.failing)],
    ["Not assessed", String(s.notAssessed)],
    ["Apis in scope", String(s.apisInScope)],
    ...SEVERITIES.map((sev): [string, string] => [`Open findings, ${sev}`, String(s.openFindings[sev])]),
    ["Closed within SLA", `${r.sla.closedWithinSla} of ${r.sla.closed} (${percent(r.sla.share)})`],
    ...SEVERITIES.filter((sev) => sev !== "info").map((sev): [string, string] => {
      const m = r.mttrDays[sev];
      return [`Mean time to remediate, ${sev}`, m.meanDays === null ? "n/a" : `${m.meanDays} days (${m.resolved} resolved)`];
    }),
  ];
  keyValues(doc, rows);
  doc.moveDown(1.5).font("Helvetica").fontSize(8.5).fillColor("#555");
  doc.text(
    "A control fails when an open finding (open, triaged or in progress) that maps to it stands at the end of the period; it is not assessed when no evidence source that covers it had been ingested. States are read from each finding's history, so a past period shows what was true then.",
    MARGIN,
    doc.y,
    { width: CONTENT },
  );
}

function keyValues(doc: Doc, rows: [string, string][]): void {
  doc.font("Helvetica").fontSize(10.5).fillColor("#222");
  for (const [key, value] of rows) {
    const y = doc.y;
    doc.text(latin(key), MARGIN, y, { width: 240 });
    doc.font("Helvetica-Bold").text(latin(value), MARGIN + 250, y, { width: CONTENT - 250 });
    doc.font("Helvetica");
    doc.y = Math.max(doc.y, y + 15);
  }
}

/** Y axis ticks: 0 and up to four round steps to at least `max`. */
function ticks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(Math.round(v));
  return out;
}

function axes(doc: Doc, x: number, y: number, w: number, h: number, yTicks: number[]): (v: number) => number {
  const top = yTicks[yTicks.length - 1]!;
  const scale = (v: number) => y + h - (v / top) * h;
  doc.lineWidth(0.5).strokeColor("#bbb");
  doc.font("Helvetica").fontSize(7).fillColor("#555");
  for (const t of yTicks) {
    doc.moveTo(x, scale(t)).lineTo(x + w, scale(t)).stroke();
    doc.text(String(t), x - 28, scale(t) - 3, { width: 24, align: "right", lineBreak: false });
  }
  doc.lineWidth(1).strokeColor("#333").moveTo(x, y).lineTo(x, y + h).lineTo(x + w, y + h).stroke();
  return scale;
}

function trendChart(doc: Doc, r: Report): void {
  doc.font("Helvetica-Bold").fontSize(13).fillColor("#111").text("Failing controls per week", MARGIN, MARGIN);
  const x = MARGIN + 30;
  const y = doc.y + 10;
  const w = CONTENT - 40;
  const h = 150;
  const values = r.trend.failingControls;
  const scale = axes(doc, x, y, w, h, ticks(Math.max(r.summary.controls > 0 ? 1 : 0, ...values)));
  const stepX = values.length > 1 ? w / (values.length - 1) : 0;
  const px = (i: number) => (values.length > 1 ? x + i * stepX : x + w / 2);
  doc.lineWidth(2).strokeColor("#b3261e");
  values.forEach((v, i) => (i === 0 ? doc.moveTo(px(i), scale(v)) : doc.lineTo(px(i), scale(v))));
  if (values.length > 1) doc.stroke();
  doc.fillColor("#b3261e");
  values.forEach((v, i) => doc.circle(px(i), scale(v), 2.2).fill());
  doc.font("Helvetica").fontSize(6.5).fillColor("#555");
  const every = Math.max(1, Math.ceil(values.length / 8));
  r.trend.points.forEach((p, i) => {
    if (i % every === 0 || i === values.length - 1) doc.text(day(p), px(i) - 22, y + h + 4, { width: 44, align: "center", lineBreak: false });
  });
  doc.y = y + h + 24;
}

function findingsChart(doc: Doc, r: Report): void {
  doc.font("Helvetica-Bold").fontSize(13).fillColor("#111").text("Open findings per control, by severity", MARGIN, doc.y + 10);
  const controls = r.controls;
  const x = MARGIN + 30;
  const y = doc.y + 10;
  const w = CONTENT - 40;
  const h = 170;
  const scale = axes(doc, x, y, w, h, ticks(Math.max(0, ...controls.map((c) => c.openTotal))));
  const slot = controls.length ? w / controls.length : w;
  const bar = Math.min(24, slot * 0.7);
  controls.forEach((c, i) => {
    let base = 0;
    const bx = x + i * slot + (slot - bar) / 2;
    for (const sev of SEVERITIES) {
      const v = c.open[sev];
      if (!v) continue;
      doc.rect(bx, scale(base + v), bar, scale(base) - scale(base + v)).fill(SEVERITY_COLOR[sev]);
      base += v;
    }
    doc.save();
    doc.font("Helvetica").fontSize(6).fillColor("#333");
    doc.rotate(-60, { origin: [bx + bar / 2, y + h + 4] });
    doc.text(latin(c.id), bx + bar / 2 - 40, y + h + 1, { width: 40, align: "right", lineBreak: false });
    doc.restore();
  });
  let lx = x;
  const ly = y + h + 40;
  doc.font("Helvetica").fontSize(7.5);
  for (const sev of SEVERITIES) {
    doc.rect(lx, ly, 8, 8).fill(SEVERITY_COLOR[sev]);
    doc.fillColor("#333").text(sev, lx + 11, ly, { lineBreak: false });
    lx += 60;
  }
  doc.y = ly + 20;
}

const COLUMNS: { key: string; label: string; width: number; align: "left" | "right" }[] = [
  { key: "id", label: "Control", width: 52, align: "left" },
  { key: "title", label: "Title", width: 208, align: "left" },
  { key: "status", label: "Status", width: 60, align: "left" },
  { key: "apis", label: "Apis", width: 35, align: "right" },
  ...SEVERITIES.map((s) => ({ key: s, label: SEVERITY_SHORT[s], width: 32, align: "right" as const })),
];

function controlTable(doc: Doc, r: Report): void {
  doc.font("Helvetica-Bold").fontSize(13).fillColor("#111").text("Controls", MARGIN, MARGIN);
  doc.font("Helvetica").fontSize(8).fillColor("#555").text("Open findings at the end of the period, by severity, and the Apis they are on.", { width: CONTENT });
  doc.moveDown(0.5);
  const header = () => {
    const y = doc.y;
    let cx = MARGIN;
    doc.font("Helvetica-Bold").fontSize(8).fillColor("#111");
    for (const col of COLUMNS) {
      doc.text(col.label, cx + 2, y, { width: col.width - 4, align: col.align, lineBreak: false });
      cx += col.width;
    }
    doc.lineWidth(0.8).strokeColor("#333").moveTo(MARGIN, y + 11).lineTo(MARGIN + CONTENT, y + 11).stroke();
    doc.y = y + 14;
  };
  header();
  for (const c of r.controls) {
    doc.font("Helvetica").fontSize(7.5);
    const title = latin(c.title);
    const titleHeight = doc.heightOfString(title, { width: COLUMNS[1]!.width - 4 });
    const rowHeight = Math.max(11, titleHeight) + 5;
    if (doc.y + rowHeight > FOOTER_Y - 20) {
      doc.addPage();
      doc.y = MARGIN;
      header();
    }
    const y = doc.y;
    const cells: Record<string, string> = {
      id: c.id,
      title,
      status: STATUS_LABEL[c.status],
      apis: String(c.apis),
      ...Object.fromEntries(SEVERITIES.map((s) => [s, String(c.open[s])])),
    };
    let cx = MARGIN;
    for (const col of COLUMNS) {
      const isStatus = col.key === "status";
      doc.font(col.key === "id" || isStatus ? "Helvetica-Bold" : "Helvetica").fillColor(isStatus ? STATUS_COLOR[c.status] : "#222");
      doc.text(cells[col.key]!, cx + 2, y, { width: col.width - 4, align: col.align, lineBreak: col.key === "title" });
      cx += col.width;
    }
    doc.lineWidth(0.3).strokeColor("#ccc").moveTo(MARGIN, y + rowHeight - 2).lineTo(MARGIN + CONTENT, y + rowHeight - 2).stroke();
    doc.y = y + rowHeight;
  }
}

function footers(doc: Doc, r: Report): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not open a new page
    doc.font("Helvetica").fontSize(7).fillColor("#666");
    doc.text(
      latin(`Postern - ${r.framework.name} ${r.framework.version} - ${r.scope.label} - generated ${r.generatedAt} - page ${i + 1} of ${range.count}`),
      MARGIN,
      FOOTER_Y,
      { width: CONTENT, align: "center", lineBreak: false },
    );
    doc.page.margins.bottom = bottom;
  }
}
