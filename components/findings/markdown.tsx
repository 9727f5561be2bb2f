/**
 * Comments are markdown, written by people. They are rendered by react-markdown (React elements, never innerHTML)
 * and then sanitised by rehype-sanitize with GitHub's schema: raw HTML is shown as the text it is (`<script>` and
 * `<img onerror=…>` are words on the page, not elements), only http(s), mailto and relative links keep their target
 * (`javascript:` URLs are dropped, in any spelling), and links open outside the app without a referrer. A plain
 * module: server components render it, client components may too.
 */
import Markdown from "react-markdown";
import rehypeSanitize from "rehype-sanitize";

interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}

/** A remark plugin: raw HTML in the markdown becomes literal text. */
function htmlAsText() {
  const walk = (node: MdNode) => {
    if (node.type === "html") node.type = "text";
    node.children?.forEach(walk);
  };
  return (tree: MdNode) => walk(tree);
}

export function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown
        remarkPlugins={[htmlAsText]}
        rehypePlugins={[rehypeSanitize]}
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow">
              {children}
            </a>
          ),
          // No images from comments: they would load from anywhere, with the reader's address.
          img: ({ alt }) => <span className="muted">[image{alt ? `: ${alt}` : ""}]</span>,
        }}
      >
        {text}
      </Markdown>
    </div>
  );
}
