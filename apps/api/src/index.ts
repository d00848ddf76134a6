// What other packages may import from the API: types only (the web client bundles no server code).
export type { AppRouter, RouterInputs, RouterOutputs } from './trpc/router';
