/** The gateway-log parsers, in detection order (the pipeline picks the highest detect() score). */
import type { Parser } from "../../contract";
import { parser as awsApiGateway } from "./aws-apigateway/parser";
import { parser as envoyJson } from "./envoy-json/parser";
import { parser as envoyText } from "./envoy-text/parser";
import { parser as kongLog } from "./kong-log/parser";
import { parser as nginx } from "./nginx/parser";

export const trafficParsers: Parser<"traffic">[] = [kongLog, awsApiGateway, nginx, envoyJson, envoyText];
