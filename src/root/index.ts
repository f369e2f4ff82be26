export { linesWrittenCounter, replaceDestination } from './destination.js';
export { existingRootState, type RootState, setRootState } from './state.js';
