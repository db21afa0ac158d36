import type { Command } from '../command';
import { annotationsCommands } from './annotations-commands';
import { backendCommand } from './backend';
import { dicomCommands } from './dicom-commands';
import { exportCommands } from './export-commands';
import { importCommand } from './import';
import { metricsCommand } from './metrics';
import { simulateCommand } from './simulate';
import { studyBundleCommand } from './study-bundle';
import { studyCommands } from './study-commands';
import { studyReportCommand } from './study-report';
import { trainCommand } from './train';
import { workspaceInfoCommand } from './workspace-info';

/** Every CLI command. Later capabilities add theirs here. */
export const commands: readonly Command[] = [
  workspaceInfoCommand,
  backendCommand,
  importCommand,
  simulateCommand,
  trainCommand,
  ...studyCommands,
  ...dicomCommands,
  ...annotationsCommands,
  metricsCommand,
  ...exportCommands,
  studyReportCommand,
  studyBundleCommand,
];
