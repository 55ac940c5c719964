/**
 * `GET /docs`: the OpenAPI document rendered as one HTML page on the server — operations by tag, their
 * parameters, bodies and responses, with the JSON Schemas folded under each. No script and no CDN: it works
 * offline and under any path prefix, and links to the two machine-readable documents it is made from.
 */
type Json = Record<string, unknown>;

const html = (text: unknown): string =>
  String(text ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/** Inline code spans (`x`) and paragraphs of an operation's description. */
const prose = (text: unknown): string =>
  String(text ?? "")
    .split(/\n{2,}/)
    .filter(Boolean)
    .map((p) => `<p>${html(p).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`)
    .join("");

const schemaBlock = (label: string, schema: unknown): string =>
  `<details><summary>${html(label)}</summary><pre>${html(JSON.stringify(schema, null, 2))}</pre></details>`;

function parametersTable(parameters: Json[]): string {
  if (parameters.length === 0) return "";
  const rows = parameters
    .map((p) => {
      const schema = (p.schema ?? {}) as Json;
      const type = schema.enum ? (schema.enum as unknown[]).join(" | ") : (schema.type ?? "any");
      return `<tr><td><code>${html(p.name)}</code></td><td>${html(p.in)}</td><td>${html(type)}</td><td>${
        p.required ? "yes" : ""
      }</td></tr>`;
    })
    .join("");
  return `<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>required</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function content(label: string, body: Json | undefined): string {
  const media = (body?.content ?? {}) as Record<string, Json>;
  return Object.entries(media)
    .map(([type, entry]) =>
      entry.schema && (entry.schema as Json).contentMediaType === undefined
        ? schemaBlock(`${label} ${type}`, entry.schema)
        : `<p>${html(label)} <code>${html(type)}</code></p>`,
    )
    .join("");
}

function operationHtml(method: string, path: string, op: Json): string {
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(([status, r]) => `<li><b>${html(status)}</b> ${html(r.description)}${content("", r)}</li>`)
    .join("");
  return `<section class="op" id="${html(op.operationId)}">
<h3><span class="method ${html(method)}">${html(method.toUpperCase())}</span> <code>${html(path)}</code></h3>
<p class="summary">${html(op.summary)}</p>${prose(op.description)}
${parametersTable((op.parameters ?? []) as Json[])}
${op.requestBody ? `<h4>Body</h4>${content("", op.requestBody as Json)}` : ""}
<h4>Responses</h4><ul>${responses}</ul></section>`;
}

export function docsPage(document: Json): string {
  const info = document.info as Json;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op.tags as string[] | undefined) ?? ["Other"])[0]!;
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const tags = [...byTag.keys()];
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(info.title)} ${html(info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f4f4;padding:.6rem;overflow:auto;max-height:30rem}
.op{border-top:1px solid #ddd;padding:.4rem 0}.summary{font-weight:600}
.method{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-size:12px;padding:1px 4px}
.get{background:#2f6f9f}.post{background:#2f8f4f}.put,.patch{background:#a06a10}.delete{background:#a33}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
</style>
<h1>${html(info.title)} <small>${html(info.version)}</small></h1>
${prose(info.description)}
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1), <a href="asyncapi.json">asyncapi.json</a> (AsyncAPI 3.0, WebSockets).</p>
<nav><ul>${tags.map((t) => `<li><a href="#tag-${html(t)}">${html(t)}</a></li>`).join("")}</ul></nav>
${tags.map((t) => `<h2 id="tag-${html(t)}">${html(t)}</h2>${byTag.get(t)!.join("\n")}`).join("\n")}
</html>
`;
}
