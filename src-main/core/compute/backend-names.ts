/** Compute backends in the order `auto` tries them (ARCHITECTURE.md §3). */
export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];
export const backendPreferences = ['auto', ...backendNames] as const;
export type BackendPreference = (typeof backendPreferences)[number];
