/** Asking for a password on the terminal: the question on stderr, the answer read from stdin without echo. */
import { CliError, EXIT } from "./commands/shared";

/** Reads one line from the TTY on stdin with echo off. Ctrl-C (or the signal) stops with exit 130, Ctrl-D ends the line. */
export function promptHidden(question: string, signal?: AbortSignal): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise((resolve, reject) => {
    let answer = "";
    const wasRaw = input.isRaw;
    const finish = (error: Error | null) => {
      input.off("data", onData);
      signal?.removeEventListener("abort", onAbort);
      input.setRawMode(wasRaw);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onAbort = () => finish(new CliError("interrupted", EXIT.interrupted));
    const onData = (data: Buffer | string) => {
      for (const char of typeof data === "string" ? data : data.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish(null);
        if (char === "\u0003") return finish(new CliError("interrupted", EXIT.interrupted));
        if (char === "\u007f" || char === "\b") answer = Array.from(answer).slice(0, -1).join("");
        else if (char >= " ") answer += char;
      }
    };
    output.write(question);
    input.setRawMode(true);
    input.on("data", onData);
    input.resume();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
