/** The Annotate view's tools and every keyboard shortcut, listed once (help overlay and README). */
export const tools = [
  { id: 'select', name: 'Select / move / reshape', key: 'V' },
  { id: 'polygon', name: 'Lasso (drag) or polygon (click vertices, Enter or double-click closes)', key: 'L' },
  { id: 'brush', name: 'Brush', key: 'B' },
  { id: 'eraser', name: 'Eraser', key: 'E' },
  { id: 'ellipse', name: 'Ellipse', key: 'O' },
  { id: 'rect', name: 'Rectangle', key: 'R' },
] as const;

export type ToolId = (typeof tools)[number]['id'];

export const shortcuts: readonly { readonly keys: string; readonly action: string }[] = [
  ...tools.map((t) => ({ keys: t.key, action: t.name })),
  { keys: '1 2 3', action: 'Choose the finding (nodule/mass, pleural effusion, edema)' },
  { keys: '[ ]', action: 'Brush/eraser radius smaller / larger' },
  { keys: 'Delete, Backspace', action: 'Delete the selected region' },
  { keys: 'Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)', action: 'Undo / redo (history kept across restarts)' },
  { keys: 'N or →, P or ←', action: 'Next / previous image of the worklist filter' },
  { keys: 'U', action: 'Next unannotated positive for the chosen finding' },
  { keys: 'X', action: 'Mark "no visible finding" for the chosen finding' },
  { keys: 'Q', action: 'Mark "uncertain" for the chosen finding' },
  { keys: 'H', action: "Hide / show the chosen finding's regions" },
  { keys: 'F', action: 'Fit the image to the window' },
  { keys: 'A', action: 'Actual size (1 image pixel = 1 screen pixel)' },
  { keys: 'Wheel', action: 'Zoom around the cursor' },
  { keys: 'Middle-drag, Space+drag', action: 'Pan' },
  { keys: 'Right-drag', action: 'Window (left/right) and level (up/down)' },
  { keys: 'W, Shift+W, Alt+W', action: 'Window presets lung / mediastinum / bone' },
  { keys: '0', action: "Reset the window to the file's default" },
  { keys: 'I', action: 'Invert' },
  { keys: 'Escape', action: 'Cancel the shape being drawn; clear the selection' },
  { keys: '?', action: 'Show / hide this help' },
];
