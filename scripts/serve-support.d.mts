// Types of scripts/serve-support.mjs (for the tests that load it).
import type { IncomingMessage } from "node:http";

export declare const CLI_SERVER_KEY: unique symbol;
export declare const LIFECYCLE_KEY: unique symbol;
export declare const PEER_HEADER: "x-postern-peer";
export declare const PEER_KEY_HEADER: "x-postern-peer-key";
export declare const PEER_REGISTRATION: unique symbol;
export declare function embeddedDataDir(url: string | undefined, root: string): string | null;
export declare function serverFilePath(env: Record<string, string | undefined>, root: string): string;
export declare function markPeer(req: IncomingMessage, key?: string): void;
export declare function registerPeerKey(): string;
export declare function newSecret(): string;
export declare function writeServerFile(file: string, entry: { pid: number; port: number; secret: string; dataDir: string }): void;
export declare function removeServerFile(file: string, pid?: number): void;
