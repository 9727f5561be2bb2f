"use client";
import { type DragEvent, useRef, useState } from "react";
import { JobProgress } from "./job-progress";

interface Item {
  key: string;
  name: string;
  size: number;
  progress: number;
  state: "queued" | "uploading" | "processing" | "job" | "error";
  jobId?: string;
  error?: string;
}

/** Sends one file; resolves with the id of the background job that ingests it (202 from /api/ingest). */
function upload(file: File, onProgress: (fraction: number) => void, onUploaded: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/ingest");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.upload.onload = onUploaded;
    xhr.onerror = () => reject(new Error("network error"));
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { jobId?: string; error?: string };
        if (xhr.status === 202 && body.jobId) resolve(body.jobId);
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

export function Upload() {
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
        const jobId = await upload(
          item.file,
          (progress) => patch(item.key, { progress }),
          () => patch(item.key, { state: "processing", progress: 1 }),
        );
        // The next file uploads while this one is ingested; jobs run in order on the server.
        patch(item.key, { state: "job", jobId });
      } catch (error) {
        patch(item.key, { state: "error", error: error instanceof Error ? error.message : String(error) });
      }
    }
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
              {item.state === "processing" ? <span className="muted">uploaded; starting the ingest…</span> : null}
              {item.state === "error" ? (
                <span role="alert" className="error">
                  {item.error}
                </span>
              ) : null}
              {item.state === "job" && item.jobId ? <JobProgress jobId={item.jobId} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
