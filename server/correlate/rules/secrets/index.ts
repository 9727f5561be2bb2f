import type { Rule } from "../../rule";
import { overSharedSecret } from "./over-shared-secret";
import { secretAccessAnomaly } from "./secret-access-anomaly";
import { secretAccessDeniedBurst } from "./secret-access-denied-burst";
import { staleSecret } from "./stale-secret";

/** Secret-hygiene and privileged-access rules evaluated on vault audit rollups. */
export const secretRules: Rule[] = [staleSecret, overSharedSecret, secretAccessDeniedBurst, secretAccessAnomaly];
