/** A voice as `GET /v1/models` lists it under `tts` (Deepgram's shape, artwork and samples left empty). */
import { z } from "zod";
import { ModelBaseSchema } from "../models.js";

export const TtsModelSchema = ModelBaseSchema.extend({
  metadata: z.object({
    accent: z.string(),
    age: z.string(),
    color: z.string(),
    image: z.string(),
    sample: z.string(),
    tags: z.array(z.string()),
    use_cases: z.array(z.string()),
  }),
});
export type TtsModel = z.infer<typeof TtsModelSchema>;
