/**
 * The multipart body of OpenAI's audio requests: one `file` part and text fields, list fields as repeated
 * `name[]` parts (what the `openai` clients send). Errors name the field, as OpenAI's do.
 */
import { InvalidRequestError, PayloadTooLargeError } from "@earshot/protocol";
import type { FastifyRequest } from "fastify";
import { readingMultipart } from "../http/multipart.js";
import { OpenAiParamError } from "./errors.js";

export interface AudioForm {
  file: { bytes: Buffer; filename: string };
  /** Text fields; `name[]` parts are collected under `name` as a list. */
  fields: Record<string, string | string[]>;
}

export async function readAudioForm(request: FastifyRequest, maxBytes: number): Promise<AudioForm> {
  if (!request.isMultipart()) {
    throw new InvalidRequestError(
      "Send the audio as multipart/form-data with a 'file' part and the other fields (model, response_format, …).",
    );
  }
  return readingMultipart(() => readParts(request, maxBytes));
}

async function readParts(request: FastifyRequest, maxBytes: number): Promise<AudioForm> {
  let file: AudioForm["file"] | undefined;
  const fields: AudioForm["fields"] = {};
  for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
    if (part.type === "file") {
      const bytes = await part.toBuffer().catch((err: { code?: string }) => {
        if (err.code !== "FST_REQ_FILE_TOO_LARGE") throw err;
        throw new OpenAiParamError(
          "file",
          new PayloadTooLargeError(`Maximum content size limit (${maxBytes} bytes) exceeded: the file is larger.`),
        );
      });
      if (part.fieldname === "file") file = { bytes, filename: part.filename };
      continue;
    }
    const value = String(part.value);
    if (part.fieldname.endsWith("[]")) {
      const name = part.fieldname.slice(0, -2);
      fields[name] = [...[fields[name] ?? []].flat(), value];
    } else {
      fields[part.fieldname] = value;
    }
  }
  if (!file) throw new OpenAiParamError("file", new InvalidRequestError("Missing required parameter: 'file'."));
  if (file.bytes.byteLength === 0) {
    throw new OpenAiParamError("file", new InvalidRequestError("The uploaded file is empty."));
  }
  return { file, fields };
}
