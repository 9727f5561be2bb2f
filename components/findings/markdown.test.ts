// Comments are markdown written by people: what they write renders as formatting, never as script.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { MarkdownText } from "./markdown";

const render = (text: string) => renderToStaticMarkup(createElement(MarkdownText, { text }));

/** No element carries an event handler, no URL attribute a script scheme, and no script/iframe/object element exists. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<(script|iframe|object|embed|style)\b/i);
  expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\s(href|src|action|formaction)\s*=\s*["']?\s*(javascript|vbscript|data):/i);
}

describe("comment markdown", () => {
  it("renders formatting, code and safe links", () => {
    const html = render("Looking at it **today**, see [the runbook](https://example.com/runbook) and `curl -H x`\n\n- one\n- two");
    expect(html).toContain("<strong>today</strong>");
    expect(html).toContain('<a href="https://example.com/runbook" target="_blank" rel="noopener noreferrer nofollow">the runbook</a>');
    expect(html).toContain("<code>curl -H x</code>");
    expect(html).toContain("<li>one</li>");
  });

  it("shows <script> tags as text", () => {
    for (const text of ["<script>alert(document.cookie)</script>", "before <script>alert(1)</script> after", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"]) {
      const html = render(text);
      expectInert(html);
      expect(html).toContain("&lt;");
    }
    expect(render("<script>alert(1)</script>")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("renders onerror= handlers inert", () => {
    for (const text of ['<img src=x onerror="alert(1)">', "text <img src=x onerror=alert(1)> more", '<svg onload="alert(1)"></svg>', '<a href="#" onclick="alert(1)">x</a>']) {
      expectInert(render(text));
    }
  });

  it("drops javascript: links, in any spelling, and loads no images", () => {
    for (const text of [
      "[click](javascript:alert(1))",
      "[click](JaVaScRiPt:alert(1))",
      "[click](&#106;avascript:alert(1))",
      "[click]( javascript:alert(1))",
      "<javascript:alert(1)>",
      '<a href="javascript:alert(1)">click</a>',
      "[click](vbscript:msgbox(1))",
      "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "![x](javascript:alert(1))",
      "![x](https://evil.example/track.png)",
      "[ref]\n\n[ref]: javascript:alert(1)",
    ]) {
      const html = render(text);
      expectInert(html);
      expect(html).not.toMatch(/<img\b/i);
    }
  });
});
