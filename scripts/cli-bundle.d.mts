// Types of scripts/cli-bundle.mjs (for bench/cli.ts and the tests).
export declare function bundleLocation(root: string, outRoot?: string): { outRoot: string; manifest: string };
export declare function freshBundle(root: string, options?: { outRoot?: string }): string | null;
export declare function buildBundle(root: string, options?: { outRoot?: string; entry?: string }): Promise<string>;
export declare function ensureBundle(root: string, options?: { outRoot?: string; entry?: string }): Promise<string | null>;
