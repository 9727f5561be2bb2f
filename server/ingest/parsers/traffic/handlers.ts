/**
 * The gateway-log line handlers by parser id, for the parse worker (line-worker.ts), which looks a handler up by
 * the id the main thread sends. Handlers are pure functions of one line.
 */
import { handle as awsApiGateway } from "./aws-apigateway/parser";
import { handle as envoyJson } from "./envoy-json/parser";
import { handle as envoyText } from "./envoy-text/parser";
import { handle as kongLog } from "./kong-log/parser";
import { scanKongLine } from "./kong-log/scan";
import { handle as nginx } from "./nginx/parser";
import { isBlank, type LineHandler, type LineResult } from "./shared";

export const TRAFFIC_LINE_HANDLERS: Record<string, LineHandler> = {
  "aws-apigateway": awsApiGateway,
  "envoy-json": envoyJson,
  "envoy-text": envoyText,
  "kong-log": kongLog,
  nginx,
};

/** A line handler over a range of a larger decoded text (`text.slice(start, end)` is the line). */
export type RangeHandler = (text: string, start: number, end: number) => LineResult;

/**
 * The line handler of `id` over ranges: with `scan`, a format's in-place scanner where it has one (Kong:
 * kong-log/scan.ts, which answers exactly what the handler would, or undefined to let it), else the handler on the
 * sliced line. Blank lines give null (counted, not parsed).
 *
 * Only for readers whose events leave the thread (the parse worker posts them): strings the scanner cuts from the
 * decoded text are slices that keep all of it alive, which an aggregator holding them for hours must not do.
 */
export function rangeHandler(id: string, scan: boolean): ((text: string, start: number, end: number) => LineResult | null) | undefined {
  const handle = TRAFFIC_LINE_HANDLERS[id];
  if (handle === undefined) return undefined;
  const scanner = scan && id === "kong-log" ? scanKongLine : undefined;
  return (text, start, end) => {
    const first = start < end ? text.charCodeAt(start) : 0;
    if (first <= 32 && isBlank(text.slice(start, end))) return null;
    return scanner?.(text, start, end) ?? handle(text.slice(start, end));
  };
}
