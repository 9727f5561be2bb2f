/**
 * The status counters a traffic_endpoint_hour row keeps (status2xx… as s2…, unauthenticated2xx as unauth2xx): the
 * aggregator's rows (aggregate.ts) and the draft spec's sums over them (draft-spec.ts) share these columns.
 * 401, 403, 404, 410 and 429 are also counted in s4.
 */
export interface StatusCounts {
  s2: number;
  s3: number;
  s4: number;
  s5: number;
  s401: number;
  s403: number;
  s404: number;
  s410: number;
  s429: number;
  /** 2xx answers to requests without a principal. */
  unauth2xx: number;
}
