/**
 * The config file's shape (`.pare.json` or `.pare.yaml`, or the "pare" key of package.json),
 * validated with zod in strict mode so a misspelt key is an error, not a no-op.
 */
import { z } from 'zod';

const severity = z.enum(['error', 'warning', 'info']);
const ruleSetting = z.union([z.literal('off'), severity]);

const sizeValue = z.union([z.number().int().nonnegative(), z.string().min(1)]);

const baseImageEntrySchema = z
  .object({
    name: z.string().min(1),
    /** Uncompressed size in bytes, or a size string like "164MB". */
    size: sizeValue,
    libc: z.enum(['glibc', 'musl', 'none']),
    hasShell: z.boolean(),
    packageManager: z.enum(['apt', 'apk', 'dnf', 'yum', 'microdnf', 'none']),
    kind: z
      .enum(['toolchain', 'full-distro', 'slim', 'alpine', 'distroless', 'scratch', 'runtime'])
      .optional(),
    ecosystem: z
      .enum(['go', 'rust', 'c', 'java', 'node', 'python', 'ruby', 'php', 'dotnet', 'generic'])
      .optional(),
    /** ENV the image sets, e.g. {"PIP_NO_CACHE_DIR": "1"}: rules take it as set in every stage built on it. */
    env: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    /** Rule id → "off" or a severity. */
    rules: z.record(z.string(), ruleSetting).optional(),
    lint: z
      .object({
        failOn: z.enum(['error', 'warning', 'info', 'none']).optional(),
      })
      .strict()
      .optional(),
    /** Base images a team may use in final stages; empty or absent = no policy. */
    allowedBaseImages: z.array(z.string().min(1)).optional(),
    /** Extra or overriding entries of the base image catalogue. */
    baseImages: z.array(baseImageEntrySchema).optional(),
    optimize: z
      .object({
        /** How `pare optimize` decides the app still works. */
        probe: z
          .object({
            /** Command run in a fresh container: exit code and stdout must match the original's. */
            cmd: z.string().min(1).optional(),
            /** `:PORT/path` fetched from the running container: status and body must match. */
            http: z
              .string()
              .regex(/^:\d+(\/.*)?$/)
              .optional(),
            /** Seconds the container must stay up (default probe when nothing else is given). */
            up: z.number().positive().optional(),
            /** Environment of every container the probe starts (apps that need settings to start). */
            env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
          })
          .strict()
          .optional(),
        /**
         * C/C++ and Rust: false skips static linking (apps that need NSS or dlopen) and ships
         * the binary with exactly the shared libraries it loads. Default: try static first.
         */
        staticLinking: z.boolean().optional(),
        /** Where the optimized Dockerfile goes, relative to the original (default Dockerfile.pare). */
        output: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    inspect: z
      .object({
        budgets: z
          .object({
            maxSize: sizeValue.optional(),
            maxWasted: sizeValue.optional(),
            minEfficiency: z.number().min(0).max(100).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PareConfig = z.infer<typeof configSchema>;
