// Starts an ingest worker thread (the gateway-log parse worker, parsers/traffic/parallel.ts, and the shard workers,
// server/traffic/shards.ts) from the TypeScript sources: the same code runs under the CLI (tsx), the tests and
// `next start`, whose bundles do not contain a worker entry of their own.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register({ tsconfig: workerData.tsconfig });
await import(workerData.entry);
