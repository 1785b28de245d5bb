/** The container engine: find one, build, run, inspect, save; everything created is cleaned up. */
export type { CleanupAction, CleanupHandle } from './cleanup.js';
export { CleanupRegistry, processCleanup } from './cleanup.js';
export { type FindEngineOptions, findEngine } from './detect.js';
export { DockerCliEngine } from './docker-cli.js';
export type * from './engine.js';
export { MANAGED_LABEL, OWNER_LABEL } from './engine.js';
export {
  BuildFailedError,
  ContainerStartError,
  EngineCommandError,
  EngineUnavailableError,
  NoSuchImageError,
} from './errors.js';
export { PodmanCliEngine } from './podman.js';
