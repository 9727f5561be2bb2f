/** The scanner-result parsers, in detection order (ties go to the earlier one). */
import type { Parser } from "../../contract";
import { parser as crunch42 } from "./42crunch/parser";
import { parser as burpXml } from "./burp-xml/parser";
import { parser as nuclei } from "./nuclei/parser";
import { parser as sarif } from "./sarif/parser";
import { parser as stackhawk } from "./stackhawk/parser";
import { parser as zapJson } from "./zap-json/parser";
import { parser as zapXml } from "./zap-xml/parser";

export const scanParsers: Parser<"scan">[] = [sarif, zapJson, zapXml, nuclei, burpXml, stackhawk, crunch42];
