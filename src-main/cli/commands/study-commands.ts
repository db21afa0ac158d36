import type { Command } from '../command';
import { studyResumeCommand, studyRunCommand } from './study-run';
import { studyListCommand, studyStatusCommand } from './study-status';

/** The `aligner study …` commands. */
export const studyCommands: readonly Command[] = [
  studyRunCommand,
  studyStatusCommand,
  studyResumeCommand,
  studyListCommand,
];
