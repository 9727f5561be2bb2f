import type { Rule } from "../../rule";
import { authWeakened } from "./auth-weakened";
import { cleartextTransport } from "./cleartext-transport";
import { documentationGaps } from "./documentation-gaps";
import { noAuthDeclared } from "./no-auth-declared";
import { ownerlessApi } from "./ownerless-api";
import { sensitiveDataAdded } from "./sensitive-data-added";
import { sensitiveDataExposure } from "./sensitive-data-exposure";
import { weakAuth } from "./weak-auth";

/**
 * Posture rules evaluated on the inventory (cleartext-transport also reads plain-HTTP traffic rollups; auth-weakened
 * and sensitive-data-added read the Apis' version history).
 */
export const postureRules: Rule[] = [
  ownerlessApi,
  noAuthDeclared,
  weakAuth,
  cleartextTransport,
  sensitiveDataExposure,
  documentationGaps,
  authWeakened,
  sensitiveDataAdded,
];
