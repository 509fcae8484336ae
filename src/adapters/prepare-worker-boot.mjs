// Worker entry: register tsx's loader in this thread (workers do not inherit it), then load the TS worker.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
