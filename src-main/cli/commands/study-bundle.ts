import { resolve } from 'node:path';
import { writeStudyBundle } from '../../core/study/bundle/write-bundle';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { studyIdOf } from './study-run';

const usage = 'aligner study bundle ID --out FILE.tar.gz [--db PATH] [--json]';

/** `aligner study bundle ID --out FILE`: the study's reproducibility bundle (see docs/reproducibility.md). */
export const studyBundleCommand: Command = {
  path: ['study', 'bundle'],
  summary:
    "write a study's reproducibility bundle: study file, split membership by image SHA-256, seeds, app version, regions, results",
  usage,
  options: { out: { type: 'string' } },
  run: ({ values, positionals, workspace }) => {
    if (positionals.length !== 1) throw new CliError(`give one study id; usage: ${usage}`);
    const studyId = studyIdOf(positionals[0] as string);
    const out = typeof values.out === 'string' ? values.out.trim() : '';
    if (out === '') throw new CliError(`--out FILE is required; usage: ${usage}`);
    const result = writeStudyBundle(workspace().db, { studyId, outFile: resolve(out) });
    return {
      json: result,
      text:
        `wrote the bundle of study ${result.studyId} to ${result.outFile}: ${result.runs} runs, ${result.images} images, ` +
        `${result.regions} regions, ${(result.bytes / 1e3).toFixed(1)} kB in ${result.seconds.toFixed(1)} s\n` +
        `  re-run elsewhere: aligner study run --bundle ${result.outFile}`,
    };
  },
};
