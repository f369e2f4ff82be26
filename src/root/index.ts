export {
  type Destination,
  destinationOf,
  droppingAfterClose,
  giveOwnDestination,
  linesWrittenCounter,
  replaceDestination,
} from './destination.js';
export { closeBeforeStart, existingRootState, type RootState, setRootState, wasClosedBeforeStart } from './state.js';
