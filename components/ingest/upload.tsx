"use client";
import { useQueryClient } from "@tanstack/react-query";
import { type DragEvent, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";

interface RunResult {
  runId: string;
  status: string;
  format: string | null;
  family: string | null;
  counts: Record<string, number>;
  warnings: { message: string; line?: number }[];
  lineErrors: { line: number; message: string }[];
  errorCount: number;
  message: string | null;
}

interface Item {
  key: string;
  name: string;
  size: number;
  progress: number;
  state: "queued" | "uploading" | "processing" | "done" | "error";
  result?: RunResult;
  error?: string;
}

function upload(file: File, onProgress: (fraction: number) => void, onUploaded: () => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/ingest");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.upload.onload = onUploaded;
    xhr.onerror = () => reject(new Error("network error"));
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { runs?: RunResult[]; error?: string };
        if (body.runs?.[0]) resolve(body.runs[0]);
        else reject(new Error(body.error ?? `upload failed (${xhr.status})`));
      } catch {
        reject(new Error(`upload failed (${xhr.status})`));
      }
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v.toLocaleString("en")}`)
    .join(" · ");
}

export function Upload() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);

  const patch = (key: string, change: Partial<Item>) =>
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...change } : item)));

  async function start(files: File[]) {
    const queued = files.map((file, i) => ({
      key: `${Date.now()}-${i}-${file.name}`,
      name: file.name,
      size: file.size,
      progress: 0,
      state: "queued" as const,
      file,
    }));
    setItems((all) => [...queued.map(({ file: _file, ...item }) => item), ...all]);
    for (const item of queued) {
      patch(item.key, { state: "uploading" });
      try {
        const result = await upload(
          item.file,
          (progress) => patch(item.key, { progress }),
          () => patch(item.key, { state: "processing", progress: 1 }),
        );
        patch(item.key, { state: "done", result });
      } catch (error) {
        patch(item.key, { state: "error", error: error instanceof Error ? error.message : String(error) });
      }
    }
    await queryClient.invalidateQueries({ queryKey: trpc.ingest.runs.queryKey() });
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void start(Array.from(event.dataTransfer.files));
  }

  return (
    <section aria-label="Upload files">
      <div
        className={`dropzone${dragging ? " active" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop API inventories, scanner reports, gateway logs or vault audits here — several at once.</p>
        <p className="muted">The format is detected from the content. Identical content is recognised and skipped.</p>
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Files to ingest"
          data-testid="ingest-file-input"
          onChange={(e) => {
            void start(Array.from(e.target.files ?? []));
            e.target.value = "";
          }}
        />
      </div>
      {items.length > 0 ? (
        <ul aria-label="Uploads" style={{ listStyle: "none", padding: 0 }}>
          {items.map((item) => (
            <li key={item.key} className="panel" style={{ marginTop: 8 }} data-testid="upload-item">
              <strong>{item.name}</strong> <span className="muted">({(item.size / 1e6).toFixed(2)} MB)</span>{" "}
              {item.state === "uploading" ? <progress value={item.progress} max={1} aria-label={`Uploading ${item.name}`} /> : null}
              {item.state === "processing" ? <span className="muted">processing…</span> : null}
              {item.state === "error" ? (
                <span role="alert" className="error">
                  {item.error}
                </span>
              ) : null}
              {item.result ? (
                <div>
                  <span className={`badge ${item.result.status === "succeeded" ? "ok" : item.result.status === "duplicate" ? "" : "bad"}`}>
                    {item.result.status}
                  </span>
                  {item.result.format ? <span className="badge">format: {item.result.format}</span> : null}
                  <span>{summary(item.result.counts)}</span>
                  {item.result.message ? <p className={item.result.status === "failed" ? "error" : "muted"}>{item.result.message}</p> : null}
                  {item.result.warnings.length ? (
                    <details>
                      <summary>{item.result.warnings.length} warnings</summary>
                      <ul>
                        {item.result.warnings.map((w, i) => (
                          <li key={i}>
                            {w.line ? `line ${w.line}: ` : ""}
                            {w.message}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                  {item.result.errorCount ? (
                    <details>
                      <summary>{item.result.errorCount} lines could not be read</summary>
                      <ul>
                        {item.result.lineErrors.map((e, i) => (
                          <li key={i}>
                            line {e.line}: {e.message}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
