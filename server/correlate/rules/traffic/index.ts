import type { Rule } from "../../rule";
import { credentialStuffing } from "./credential-stuffing";
import { errorLeakage } from "./error-leakage";
import { exfiltrationAnomaly } from "./exfiltration-anomaly";
import { missingRateLimit } from "./missing-rate-limit";
import { newClientHarvesting } from "./new-client-harvesting";
import { objectEnumeration } from "./object-enumeration";
import { shadowApi } from "./shadow-api";
import { shadowEndpoint } from "./shadow-endpoint";
import { slowEnumeration } from "./slow-enumeration";
import { unauthenticatedAccess } from "./unauthenticated-access";
import { unusedEndpoint } from "./unused-endpoint";
import { zombie } from "./zombie";

/**
 * Traffic rules (DESIGN.md §3), evaluated on rollups (never raw logs). The traffic part of `cleartext-transport`
 * (plain-HTTP traffic to a non-local host, TrafficEndpointHour.plainHttp) is evaluated by the posture rule of that id, which
 * owns both parts so that one writer opens and resolves the finding.
 */
export const trafficRules: Rule[] = [
  shadowEndpoint,
  shadowApi,
  zombie,
  unusedEndpoint,
  unauthenticatedAccess,
  objectEnumeration,
  slowEnumeration,
  credentialStuffing,
  missingRateLimit,
  exfiltrationAnomaly,
  newClientHarvesting,
  errorLeakage,
];

/**
 * The traffic rules that signal an attack or abuse in progress (the "active attack signals" of the risk score and
 * the Attack signals page). The others — shadow, zombie, unused — describe the inventory, not an attacker.
 */
export const ATTACK_SIGNAL_RULE_IDS: readonly string[] = [
  unauthenticatedAccess.id,
  objectEnumeration.id,
  slowEnumeration.id,
  credentialStuffing.id,
  missingRateLimit.id,
  exfiltrationAnomaly.id,
  newClientHarvesting.id,
  errorLeakage.id,
];
