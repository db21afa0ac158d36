/**
 * The exported model folder (TensorFlow.js weights format), shared by the writer (model-export.ts) and the
 * reader (read-exported-model.ts):
 *
 *   model.json     { format, generatedBy, convertedBy, modelTopology: { class, config }, weightsManifest }
 *   weights.bin    every weight's float32 values, little-endian, in manifest order (tf.io.decodeWeights reads it)
 *   metadata.json  what the model expects and how it was trained (see {@link modelMetadataSchema})
 *
 * `modelTopology.config` is the ModelConfig that `createAlignerModel` builds the network from; the manifest's
 * names are the model's weight names (PyTorch state_dict style, see src-main/core/model/weights.ts).
 */
import { z } from 'zod';
import { trainConfigSchema } from '../../api/training-schemas';

export const modelFormat = 'aligner-weights';
export const modelTopologyClass = 'AlignerModel';
export const modelFiles = { model: 'model.json', weights: 'weights.bin', metadata: 'metadata.json' } as const;

const shapeSchema = z.array(z.number().int().nonnegative());

export const weightEntrySchema = z.object({ name: z.string().min(1), shape: shapeSchema, dtype: z.literal('float32') });
export type WeightEntry = z.infer<typeof weightEntrySchema>;

/** model.json. Unknown keys are tolerated (TF.js tools add some); what we read is checked. */
export const modelJsonSchema = z.object({
  format: z.literal(modelFormat),
  generatedBy: z.string(),
  convertedBy: z.null(),
  modelTopology: z.object({ class: z.literal(modelTopologyClass), config: z.unknown() }),
  weightsManifest: z
    .array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightEntrySchema) }))
    .min(1),
});
export type ModelJson = z.infer<typeof modelJsonSchema>;

/** x' = (x / 255 − mean) / std: the one normalisation the model was trained and evaluated with. */
export const normalisationFormula =
  "x' = (x / 255 − mean) / std, x the 8-bit windowed grayscale image (the file's default window, MONOCHROME1 " +
  'inverted) resized to S×S with both axes scaled (no letterbox): Lanczos-3 to 224×224, then area averaging ' +
  '(bilinear when S > 224) to S, rounded to 8 bits';

const tensorDescription = z.object({ shape: z.array(z.union([z.number().int(), z.null()])), description: z.string() });

export const modelMetadataSchema = z.object({
  app: z.object({ name: z.string(), version: z.string() }),
  format: z.literal(modelFormat),
  runId: z.number().int(),
  preset: z.string(),
  findings: z.array(z.string()).min(1),
  imageSize: z.number().int().positive(),
  patchSize: z.number().int().positive(),
  gridSize: z.number().int().positive(),
  maskSize: z.number().int().positive(),
  normalisation: z.object({ mean: z.number(), std: z.number().positive(), formula: z.string() }),
  input: tensorDescription.extend({ dtype: z.literal('float32') }),
  outputs: z.object({ logits: tensorDescription, attention: tensorDescription, aligned: tensorDescription }),
  weightLayout: z.string(),
  training: trainConfigSchema,
  bestEpoch: z.number().int().nullable(),
  valAuc: z.number().nullable(),
  testAuc: z.number().nullable(),
  backend: z.string().nullable(),
  device: z.string().nullable(),
  exportedAt: z.string(),
  parameterCount: z.number().int().nonnegative(),
  weights: z.object({ file: z.string(), bytes: z.number().int().nonnegative(), tensors: z.number().int() }),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

/** The model's input and outputs in words (src-main/core/model/aligner-model.ts, AlignerOutputs). */
export function describeTensors(
  imageSize: number,
  findings: readonly string[],
  grid: number,
  maskSize: number,
): Pick<ModelMetadata, 'input' | 'outputs'> {
  const c = findings.length;
  return {
    input: {
      shape: [null, imageSize, imageSize, 1],
      dtype: 'float32',
      description: `images [B, ${imageSize}, ${imageSize}, 1]: one grayscale channel, normalised (see normalisation)`,
    },
    outputs: {
      logits: {
        shape: [null, c],
        description: `z [B, ${c}]: one logit per finding in the order of findings (${findings.join(', ')}); p_c = σ(z_c)`,
      },
      attention: {
        shape: [null, c, grid, grid],
        description: `M_c [B, ${c}, ${grid}, ${grid}]: the prompt-to-patch cross-attention weights averaged over heads; each map sums to 1`,
      },
      aligned: {
        shape: [null, c, maskSize, maskSize],
        description: `P_c [B, ${c}, ${maskSize}, ${maskSize}] in (0, 1): the attention aligner's refined map, compared with the human mask in training`,
      },
    },
  };
}

export const weightLayout =
  'Weights are named as PyTorch state_dict keys (blocks.0.attn.qkv.weight). Linear weights are stored [in, out] ' +
  '(x·W, the transpose of nn.Linear.weight); the aligner convolutions im2col-style [9·Cin, Cout]. ' +
  'modelTopology.config is the ModelConfig that createAlignerModel (src-main/core/model) builds the network from.';
