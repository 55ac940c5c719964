/** Helpers for live-streaming tests: PCM from the shared clips, paced sending, a TCP proxy that can cut links. */

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { transcode } from "./audio.js";

/** 16 kHz mono 16-bit little-endian samples of an audio file. */
export function pcm16(path: string, name: string): Buffer {
  return Buffer.from(transcode(path, ["-f", "s16le", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le"], name));
}

export const silence = (seconds: number): Buffer => Buffer.alloc(Math.round(seconds * 16_000) * 2);

/** Split bytes into chunks of `size` (the last may be shorter). */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface CuttableProxy {
  url: string;
  /** Destroy every open connection, as a network failure would. New connections still work. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP forwarder to `target` (`http://host:port`) whose connections can be cut mid-stream. */
export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const { connect } = await import("node:net");
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
