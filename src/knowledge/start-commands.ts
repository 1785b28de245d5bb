/**
 * Commands that build or fetch when they run: in an image's start command
 * they make every container start compile the app or download its
 * dependencies, and make the image carry the toolchain to do so.
 */
import { posix } from 'node:path';

export interface StartTimeWork {
  /** What the command does at every start, for messages: "compiles the Go program". */
  does: string;
  /** What the image must carry for it. */
  needs: string;
}

const MAVEN = /^(?:mvn|mvnw|mvnd)$/;
const GRADLE = /^(?:gradle|gradlew)$/;
const MAVEN_RUN_GOALS = /^(?:spring-boot:run|exec:java|quarkus:dev|jetty:run|tomcat7?:run|liberty:dev)$/;
const GRADLE_RUN_TASKS = /^(?::?[\w-]+:)*(?:bootRun|run|quarkusDev|appRun)$/;
const NODE_PACKAGE_MANAGERS = new Set(['npm', 'yarn', 'pnpm', 'bun']);

/** The build or download a command line does at start, if any (`name` may be a path, `args` unquoted). */
export function startTimeWork(name: string, args: readonly string[]): StartTimeWork | undefined {
  const program = posix.basename(name);
  const words = args.filter((arg) => !arg.startsWith('-'));
  const [verb, second] = words;
  if (program === 'go' && verb === 'run')
    return { does: 'compiles the Go program', needs: 'the Go toolchain and the sources' };
  if (program === 'cargo' && (verb === 'run' || verb === 'r'))
    return { does: 'compiles the Rust program', needs: 'the Rust toolchain, the sources and target/' };
  if (MAVEN.test(program) && words.some((word) => MAVEN_RUN_GOALS.test(word)))
    return { does: 'builds the project with Maven', needs: 'the JDK, Maven, the sources and ~/.m2' };
  if (GRADLE.test(program) && words.some((word) => GRADLE_RUN_TASKS.test(word)))
    return { does: 'builds the project with Gradle', needs: 'the JDK, Gradle, the sources and ~/.gradle' };
  if (program === 'dotnet' && verb === 'run')
    return { does: 'builds the .NET project', needs: 'the .NET SDK and the sources' };
  if (program === 'ts-node' || (program === 'npx' && posix.basename(verb ?? '') === 'ts-node'))
    return { does: 'compiles the TypeScript sources', needs: 'ts-node, TypeScript and the devDependencies' };
  if (NODE_PACKAGE_MANAGERS.has(program)) {
    if (
      verb === 'ci' ||
      ((verb === 'install' || verb === 'i') && words.length === 1) ||
      (program === 'yarn' && verb === undefined && args.length === 0)
    )
      return { does: 'downloads the dependencies', needs: 'the package manager and network access' };
    const script = verb === 'run' ? second : program === 'npm' ? undefined : verb;
    if (script !== undefined && /^build(?::|$)/.test(script))
      return { does: 'builds the app', needs: 'the build tools and devDependencies' };
  }
  if (/^pip\d*(?:\.\d+)?$/.test(program) && verb === 'install')
    return { does: 'downloads and installs Python packages', needs: 'pip and network access' };
  if ((program === 'bundle' && verb === 'install') || (program === 'composer' && verb === 'install'))
    return { does: 'downloads the dependencies', needs: 'the package manager and network access' };
  return undefined;
}
