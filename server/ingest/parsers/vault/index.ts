// Vault-audit parsers (family "vault"), in detection-priority order.
import type { Parser } from "../../contract";
import { parser as cloudtrail } from "./cloudtrail/parser";
import { parser as cyberark } from "./cyberark/parser";
import { parser as vaultAudit } from "./vault-audit/parser";

export const vaultParsers: Parser<"vault">[] = [vaultAudit, cloudtrail, cyberark];
