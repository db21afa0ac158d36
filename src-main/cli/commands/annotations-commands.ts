import type { Command } from '../command';
import { annotationsExportCommand } from './annotations-export';
import { annotationsImportCommand } from './annotations-import';

/** The `aligner annotations …` commands. */
export const annotationsCommands: readonly Command[] = [annotationsImportCommand, annotationsExportCommand];
