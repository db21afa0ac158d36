/** The findings a reader draws, with their display name, colour and palette key. */
export const palette = [
  { id: 'nodule', name: 'Nodule/mass', colour: '#ffb020', key: '1' },
  { id: 'effusion', name: 'Pleural effusion', colour: '#3fc1ff', key: '2' },
  { id: 'edema', name: 'Edema', colour: '#ff5c8a', key: '3' },
] as const;

export type FindingId = (typeof palette)[number]['id'];

export function colourOf(finding: string): string {
  return palette.find((p) => p.id === finding)?.colour ?? '#cccccc';
}
