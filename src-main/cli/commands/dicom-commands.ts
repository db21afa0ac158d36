import type { Command } from '../command';
import { dicomInfoCommand } from './dicom-info';
import { dicomRenderCommand } from './dicom-render';

/** The `aligner dicom …` commands. */
export const dicomCommands: readonly Command[] = [dicomInfoCommand, dicomRenderCommand];
