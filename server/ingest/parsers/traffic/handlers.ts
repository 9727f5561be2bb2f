/**
 * The gateway-log line handlers by parser id, for the parse worker (line-worker.ts), which looks a handler up by
 * the id the main thread sends. Handlers are pure functions of one line.
 */
import { handle as awsApiGateway } from "./aws-apigateway/parser";
import { handle as envoyJson } from "./envoy-json/parser";
import { handle as envoyText } from "./envoy-text/parser";
import { handle as kongLog } from "./kong-log/parser";
import { handle as nginx } from "./nginx/parser";
import type { LineHandler } from "./shared";

export const TRAFFIC_LINE_HANDLERS: Record<string, LineHandler> = {
  "aws-apigateway": awsApiGateway,
  "envoy-json": envoyJson,
  "envoy-text": envoyText,
  "kong-log": kongLog,
  nginx,
};
