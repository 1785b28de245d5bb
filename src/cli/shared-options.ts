/**
 * The flags several commands share, defined once so that each means the same
 * thing, with the same words in its help, wherever it appears. docs/flags.md
 * documents the same meanings.
 */
import { Option } from 'commander';

/** Global: accepted before or after the command name. */
export function globalOptions(): Option[] {
  return [
    new Option(
      '-q, --quiet',
      'Print no progress or notes on stderr (warnings, errors and the result still print)',
    ).conflicts('verbose'),
    new Option(
      '--verbose',
      "Also print on stderr what pare decided and why (the config file used), and optimize's build output",
    ),
    new Option('--no-color', 'Never colour the output (also NO_COLOR=1; colour is only used on a terminal)'),
    new Option('--debug', "Show stack traces for pare's own errors"),
  ];
}

/** `--format`: the report's format; the report goes to stdout unless `--report FILE`. */
export function formatOption(formats: readonly string[]): Option {
  return new Option('--format <format>', 'Format of the report: on stdout, or in the --report FILE')
    .choices(formats)
    .default('text');
}

/** `--report FILE`: the report goes to a file; stdout keeps the text output. */
export function reportOption(
  description = "Write the report to FILE (in --format, else as FILE's extension says: .json, .sarif, .html); stdout then gets the text output",
): Option {
  return new Option('--report <file>', description);
}

/** `--output`: where the command's product (a Dockerfile, an image) is written; never the input. */
export function outputOption(product: string): Option {
  return new Option(
    `--output <${product.startsWith('image') ? 'transport:path' : 'file'}>`,
    `Write ${product}`,
  );
}

export function configOption(): Option {
  return new Option(
    '--config <file>',
    'Config file (default: .pare.json or "pare" in package.json, searched upwards from the project)',
  );
}

export function contextOption(): Option {
  return new Option('--context <dir>', "Build context directory (default: the Dockerfile's directory)");
}

export function targetOption(): Option {
  return new Option(
    '--target <stage>',
    'The stage that ships, as docker build --target (default: the last stage)',
  );
}

export function platformOption(): Option {
  return new Option('--platform <os/arch>', 'Image of a multi-platform index to read (default: linux/amd64)');
}

export function registryTimeoutOption(): Option {
  return new Option(
    '--timeout <seconds>',
    'Registry images: fail when reading takes longer (default: 1800; 0: no limit). A registry silent for 30 s fails at once',
  );
}

export function probeOptions(): Option[] {
  return [
    new Option(
      '--probe-cmd <args>',
      'Run the image with these arguments; exit code and stdout must match the original',
    ),
    new Option(
      '--probe-http <:port/path>',
      'GET this from the running container; status and body must match',
    ),
    new Option('--probe-up <seconds>', 'The container must still run after this long (default probe: 5 s)'),
    new Option(
      '--probe-env <KEY=VALUE>',
      'Environment of every container the probe starts, for apps that need settings to start (repeatable)',
    ).argParser(collect),
  ];
}

/** Repeatable options gather every value given. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
