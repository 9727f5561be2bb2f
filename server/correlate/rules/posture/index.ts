import type { Rule } from "../../rule";
import { cleartextTransport } from "./cleartext-transport";
import { documentationGaps } from "./documentation-gaps";
import { noAuthDeclared } from "./no-auth-declared";
import { ownerlessApi } from "./ownerless-api";
import { sensitiveDataExposure } from "./sensitive-data-exposure";
import { weakAuth } from "./weak-auth";

/** Static posture rules evaluated on the inventory (cleartext-transport also reads plain-HTTP traffic rollups). */
export const postureRules: Rule[] = [ownerlessApi, noAuthDeclared, weakAuth, cleartextTransport, sensitiveDataExposure, documentationGaps];
