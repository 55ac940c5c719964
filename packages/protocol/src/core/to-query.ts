/** Query-string encoding for clients: no zod, so the SDK can use it in a browser bundle. */

/** Typed option values → the string multimap a query string carries. Lists become repeated keys. */
export function toQuery(options: object): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  return params;
}
