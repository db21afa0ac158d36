/**
 * The aligner's shape (ARCHITECTURE.md §5): a ViT image encoder, one prompt vector per finding, a
 * cross-attention fusion whose head-averaged weights are the attention maps M_c, and the attention aligner
 * projector that refines M_c into P_c at mask resolution. A config is plain data (JSON in a run's config
 * and in a checkpoint's metadata); {@link modelConfigSchema} checks it wherever one comes in.
 */
import { z } from 'zod';
import { findings as productFindings } from '../library/findings';
import { InputError } from '../input-error';

export const presetNames = ['base', 'small', 'tiny', 'micro'] as const;
export type PresetName = (typeof presetNames)[number];

/**
 * Encoder sizes per preset. `base` is the paper's ViT-B/16; `micro` is for tests and the prototype in
 * SCIENCE-NOTES.md. Parameter counts with the three product findings and learned prompts (see
 * `countParameters` in aligner-model.ts, checked by tests/unit/model-aligner.test.ts):
 * base 87 770 268, small 22 061 724, tiny 5 575 068, micro 34 140.
 */
export const presets: Readonly<
  Record<PresetName, { imageSize: number; patchSize: number; width: number; depth: number; heads: number }>
> = {
  base: { imageSize: 224, patchSize: 16, width: 768, depth: 12, heads: 12 },
  small: { imageSize: 224, patchSize: 16, width: 384, depth: 12, heads: 6 },
  tiny: { imageSize: 224, patchSize: 16, width: 192, depth: 12, heads: 3 },
  micro: { imageSize: 64, patchSize: 8, width: 32, depth: 2, heads: 2 },
};

/**
 * Std of the learned prompt vectors at initialisation. 1.0, not the usual 0.02: with 0.02 the prompt's
 * cross-attention starts (and stays) uniform, which L_AL cannot move (SCIENCE-NOTES.md, finding 2).
 */
export const defaultPromptInitStd = 1.0;

const positiveInt = z.number().int().positive();

const promptSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('learned'), initStd: z.number().finite().positive().default(defaultPromptInitStd) })
    .strict(),
  z.object({ kind: z.literal('frozen'), vectors: z.array(z.array(z.number().finite())) }).strict(),
]);

/**
 * A complete, validated model config.
 * - `imageSize` S: input images are S×S, one channel. Divisible by `patchSize`.
 * - `patchSize` P: the patch grid is g×g with g = S/P, N = g² tokens.
 * - `width` D (divisible by `heads` H), `depth` L (transformer blocks), `mlpRatio` (default 4: the MLP's
 *   hidden width is mlpRatio·D).
 * - `findings` (C of them, default the product's three): the order of the logits and attention maps.
 * - `maskSize` R (default 4·g): the resolution of the aligner's output P_c and of the human masks Y.
 * - `prompt`: learned vectors (`initStd`, default 1.0) or frozen ones (C vectors of length D, e.g. from
 *   Med-KEBERT, read with {@link parsePromptVectorsFile}).
 * - `seed`: every initial weight derives from it and the weight's name.
 */
export const modelConfigSchema = z
  .object({
    preset: z.enum(presetNames),
    imageSize: positiveInt,
    patchSize: positiveInt,
    width: positiveInt,
    depth: positiveInt,
    heads: positiveInt,
    mlpRatio: positiveInt.default(4),
    findings: z.array(z.string().min(1)).min(1),
    maskSize: positiveInt.optional(),
    prompt: promptSchema.default({ kind: 'learned', initStd: defaultPromptInitStd }),
    seed: z.number().int().min(0).max(0xffffffff),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.imageSize % c.patchSize !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageSize'],
        message: `imageSize ${c.imageSize} is not divisible by patchSize ${c.patchSize}`,
      });
    }
    if (c.width % c.heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `width ${c.width} is not divisible by heads ${c.heads}`,
      });
    }
    if (new Set(c.findings).size !== c.findings.length) {
      ctx.addIssue({ code: 'custom', path: ['findings'], message: `findings repeat a name: ${c.findings.join(', ')}` });
    }
    if (c.prompt.kind === 'frozen') {
      if (c.prompt.vectors.length !== c.findings.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['prompt', 'vectors'],
          message: `${c.prompt.vectors.length} frozen prompt vectors for ${c.findings.length} findings`,
        });
      }
      c.prompt.vectors.forEach((v, i) => {
        if (v.length !== c.width) {
          ctx.addIssue({
            code: 'custom',
            path: ['prompt', 'vectors', i],
            message: `frozen prompt vector ${i} has length ${v.length}, the model width is ${c.width}`,
          });
        }
      });
    }
  })
  .transform((c) => ({ ...c, maskSize: c.maskSize ?? 4 * (c.imageSize / c.patchSize) }));

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type ModelConfigInput = z.input<typeof modelConfigSchema>;
export type PromptConfig = ModelConfig['prompt'];

/** What a caller may change in a preset: anything but the preset's name. */
export type ModelConfigOverrides = Partial<Omit<ModelConfigInput, 'preset'>>;

/**
 * The config of a preset with `overrides` applied (findings default to the product's three, seed to 0),
 * validated. Throws an {@link InputError} naming the field at fault.
 */
export function presetConfig(name: PresetName, overrides: ModelConfigOverrides = {}): ModelConfig {
  const preset = presets[name];
  if (!preset)
    throw new InputError(`unknown model preset '${String(name)}' (one of ${presetNames.join(', ')})`, 'preset');
  return parseModelConfig({ preset: name, ...preset, findings: [...productFindings], seed: 0, ...overrides });
}

/** Validates a config from outside (a run's JSON, a checkpoint); throws an {@link InputError}. */
export function parseModelConfig(input: unknown): ModelConfig {
  const result = modelConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new InputError(
      `invalid model config${field ? ` (${field})` : ''}: ${issue?.message ?? 'unknown error'}`,
      field,
    );
  }
  return result.data;
}

/** The patch grid's side g = S/P. */
export function gridSize(config: Pick<ModelConfig, 'imageSize' | 'patchSize'>): number {
  return config.imageSize / config.patchSize;
}

/**
 * Reads a frozen-prompt file `{ "finding": [D numbers], … }` and returns the vectors in `findings` order.
 * Every finding needs a vector of length `width`; a name the model does not know is an error too (a typo
 * would otherwise leave a finding without its vector silently). Errors name the finding at fault.
 */
export function parsePromptVectorsFile(json: string, findings: readonly string[], width: number): number[][] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new InputError(`prompt vectors file is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError('prompt vectors file must be an object { "finding": [numbers…] }');
  }
  const entries = data as Record<string, unknown>;
  const unknown = Object.keys(entries).filter((name) => !findings.includes(name));
  if (unknown.length > 0) {
    throw new InputError(
      `prompt vectors file names findings the model does not have: ${unknown.join(', ')} (model: ${findings.join(', ')})`,
    );
  }
  return findings.map((finding) => {
    const vector = entries[finding];
    if (vector === undefined) throw new InputError(`prompt vectors file has no vector for '${finding}'`, finding);
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new InputError(`prompt vector for '${finding}' must be an array of finite numbers`, finding);
    }
    if (vector.length !== width) {
      throw new InputError(
        `prompt vector for '${finding}' has length ${vector.length}, the model width is ${width}`,
        finding,
      );
    }
    return vector as number[];
  });
}
