/** The HTTP listener's cap on connections per client address. */
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { limitConnectionsPerAddress } from "../src/http/guards.js";

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

async function start(max: number, exempt: (address: string) => boolean): Promise<number> {
  server = createServer((_req, res) => res.end("ok"));
  limitConnectionsPerAddress(server, max, exempt);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/** Connects and reports whether the server answered a request or cut the connection. */
function attempt(port: number): Promise<"answered" | "cut"> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
      if (answer.includes("ok")) resolve("answered");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer ? "answered" : "cut"));
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  });
}

describe("limitConnectionsPerAddress", () => {
  it("cuts connections beyond the cap at once, and counts a closed one as gone", async () => {
    const port = await start(3, () => false);
    expect(await Promise.all([attempt(port), attempt(port), attempt(port)])).toEqual(Array(3).fill("answered"));
    expect(await attempt(port)).toBe("cut");
    sockets[0]!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await attempt(port)).toBe("answered");
  });

  it("leaves exempt addresses (loopback, by default) uncounted", async () => {
    const port = await start(1, (address) => address.endsWith("127.0.0.1"));
    expect(await Promise.all([attempt(port), attempt(port), attempt(port)])).toEqual(Array(3).fill("answered"));
  });
});
