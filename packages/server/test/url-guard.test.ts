/** Which addresses `{"url"}` fetches and callbacks may reach: public ones, and private ones only when allow-listed. */
import { describe, expect, it } from "vitest";
import { UrlGuard } from "../src/listen/fetch-url.js";

const lookup = (guard: UrlGuard, host: string) =>
  new Promise<{ code?: string; address?: unknown }>((resolve) =>
    guard.lookup(host, {}, (err, address) => resolve({ code: err?.code, address })),
  );

describe("UrlGuard", () => {
  const guard = new UrlGuard([]);

  it.each([
    ["93.184.215.14", true],
    ["2606:4700:4700::1111", true],
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["192.168.0.10", false],
    ["169.254.169.254", false],
    ["::1", false],
    ["fc00::1", false],
    ["::ffff:127.0.0.1", false],
    ["0.0.0.0", false],
  ])("address %s allowed: %s", (address, allowed) => {
    expect(guard.addressAllowed(address)).toBe(allowed);
  });

  it("lets allow-listed ranges, addresses and host names through", () => {
    const open = new UrlGuard(["10.0.0.0/8", "::1", "Media.Internal"]);
    expect(open.addressAllowed("10.9.8.7")).toBe(true);
    expect(open.addressAllowed("::1")).toBe(true);
    expect(open.addressAllowed("192.168.0.1")).toBe(false);
    expect(open.hostAllowed("media.internal")).toBe(true);
  });

  it("refuses other schemes and literal private addresses before connecting", () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/a", "http://127.0.0.1/a", "http://[::1]/a"]) {
      expect(() => guard.check(new URL(url)), url).toThrow(expect.objectContaining({ code: "URL_REFUSED" }));
    }
    expect(() => guard.check(new URL("https://example.com/a.wav"))).not.toThrow();
  });

  it("refuses a name that resolves to a private address when the socket connects", async () => {
    expect((await lookup(guard, "localhost")).code).toBe("EARSHOT_ADDRESS_REFUSED");
    expect((await lookup(new UrlGuard(["localhost"]), "localhost")).code).toBeUndefined();
  });
});
