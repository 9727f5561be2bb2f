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

/**
 * The line handler of `id` over a range of a larger decoded text (`text.slice(start, end)` is the line): the
 * format's in-place scanner where it has one (Kong: kong-log/scan.ts, which answers exactly what the handler would,
 * or undefined to let it), else the handler on the sliced line. Blank lines give null (counted, not parsed).
 * Strings cut from the text are slices that keep the whole decoded window alive: whatever holds them for long must
 * copy them first (server/traffic/own-string.ts; the aggregator does).
 */
export function rangeHandler(id: string): ((text: string, start: number, end: number) => LineResult | null) | undefined {
  const handle = TRAFFIC_LINE_HANDLERS[id];
  if (handle === undefined) return undefined;
  const scanner = id === "kong-log" ? scanKongLine : undefined;
  return (text, start, end) => {
    const first = start < end ? text.charCodeAt(start) : 0;
    if (first <= 32 && isBlank(text.slice(start, end))) return null;
    return scanner?.(text, start, end) ?? handle(text.slice(start, end));
  };
}
