/**
 * `pare completion bash|zsh|fish`: a completion script derived from the
 * commander program itself, so a new command, flag or choice is completed
 * without anyone editing a script.
 */
import type { Command, Option } from 'commander';
import { PareError } from '../util/errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

interface FlagSpec {
  long: string;
  short?: string;
  description: string;
  /** Takes a value: the next word is not a flag. */
  value: boolean;
  choices?: readonly string[];
}

interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
}

export function completionScript(shell: string, program: Command): string {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new PareError(`unknown shell "${shell}" (expected ${SHELLS.join(', ')})`, {
      subject: 'completion',
    });
  }
  const globals = flagsOf(program.options as readonly Option[]);
  const commands = program.commands
    .filter((command) => command.name() !== 'help')
    .map((command) => ({
      name: command.name(),
      description: command.description(),
      flags: [...flagsOf(command.options as readonly Option[]), ...globals],
    }));
  commands.push({ name: 'help', description: 'Show help for a command', flags: [] });
  if (shell === 'bash') return bash(commands, globals);
  if (shell === 'zsh') return zsh(commands, globals);
  return fish(commands, globals);
}

function flagsOf(options: readonly Option[]): FlagSpec[] {
  return options
    .filter((option) => !option.hidden && option.long)
    .map((option) => ({
      long: option.long!,
      ...(option.short ? { short: option.short } : {}),
      description: shortDescription(option.description),
      value: option.required || option.optional,
      ...(option.argChoices ? { choices: option.argChoices } : {}),
    }));
}

/** The first clause is enough beside a flag; shells lay out their own columns. */
function shortDescription(text: string): string {
  return text.split(/[;(]/)[0]!.trim();
}

const commandNames = (commands: CommandSpec[]) => commands.map((command) => command.name);

function bash(commands: CommandSpec[], globals: FlagSpec[]): string {
  const words = (flags: FlagSpec[]) =>
    flags.flatMap((flag) => [flag.long, ...(flag.short ? [flag.short] : [])]);
  const choiceCases = commands.flatMap((command) =>
    command.flags
      .filter((flag) => flag.choices)
      .map((flag) => `      ${command.name}:${flag.long}) words="${flag.choices!.join(' ')}" ;;`),
  );
  const valueFlags = [
    ...new Set(
      commands
        .flatMap((command) => command.flags)
        .filter((f) => f.value && !f.choices)
        .map((f) => f.long),
    ),
  ];
  const optionCases = commands.map(
    (command) => `      ${command.name}) words="${words(command.flags).join(' ')}" ;;`,
  );
  return `# pare completion for bash. Load it with: eval "$(pare completion bash)"
# or save it as ~/.local/share/bash-completion/completions/pare
_pare() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${commandNames(commands).join('|')}) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -n "$command" ]]; then
    case "$command:$prev" in
${choiceCases.join('\n')}
    esac
    if [[ -n "$words" ]]; then
      COMPREPLY=($(compgen -W "$words" -- "$cur"))
      return
    fi
  fi
  case "$prev" in
    ${valueFlags.join('|') || '--'}) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$command" in
${optionCases.join('\n')}
      *) words="${words(globals).join(' ')}" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  elif [[ -z "$command" ]]; then
    COMPREPLY=($(compgen -W "${commandNames(commands).join(' ')}" -- "$cur"))
  elif [[ "$command" == help ]]; then
    COMPREPLY=($(compgen -W "${commandNames(commands).join(' ')}" -- "$cur"))
  fi
}
complete -o default -o bashdefault -F _pare pare
`;
}

/** Inside '…' in zsh. */
const zshSingle = (text: string) => text.replace(/'/g, "'\\''");
/** A description in _arguments' […] or after _describe's colon, inside '…'. */
const zshQuote = (text: string) => zshSingle(text.replace(/([[\]:\\])/g, '\\$1'));

function zsh(commands: CommandSpec[], globals: FlagSpec[]): string {
  const spec = (flag: FlagSpec) => {
    const names = flag.short ? `{${flag.short},${flag.long}}` : flag.long;
    const value = flag.choices ? `:value:(${flag.choices.join(' ')})` : flag.value ? ':value:_files' : '';
    return flag.short
      ? `${names}'[${zshQuote(flag.description)}]${value}'`
      : `'${names}[${zshQuote(flag.description)}]${value}'`;
  };
  const cases = commands.map(
    (command) =>
      `    ${command.name})\n      _arguments -s ${command.flags.map(spec).join(' \\\n        ')} '*:file:_files' ;;`,
  );
  return `#compdef pare
# pare completion for zsh. Load it with: source <(pare completion zsh)
# or save it as _pare in a directory of $fpath
_pare() {
  local -a commands
  commands=(
${commands.map((command) => `    '${command.name}:${zshQuote(command.description)}'`).join('\n')}
  )
  local i command=""
  for ((i = 2; i < CURRENT; i++)); do
    if [[ \${words[i]} != -* ]]; then command=\${words[i]}; break; fi
  done
  if [[ -z $command ]]; then
    _arguments -s ${globals.map(spec).join(' ')} '*::command:->command'
    _describe 'command' commands
    return
  fi
  case $command in
${cases.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _pare "$@"
else
  compdef _pare pare
fi
`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(commands: CommandSpec[], globals: FlagSpec[]): string {
  const names = commandNames(commands).join(' ');
  const flagLine = (flag: FlagSpec, condition: string) =>
    [
      'complete -c pare',
      condition,
      `-l ${flag.long.replace(/^--/, '')}`,
      flag.short ? `-s ${flag.short.replace(/^-/, '')}` : '',
      flag.choices ? `-x -a ${fishQuote(flag.choices.join(' '))}` : flag.value ? '-r -F' : '',
      `-d ${fishQuote(flag.description)}`,
    ]
      .filter(Boolean)
      .join(' ');
  const lines = [
    '# pare completion for fish. Load it with: pare completion fish | source',
    '# or save it as ~/.config/fish/completions/pare.fish',
    ...commands.map(
      (command) =>
        `complete -c pare -f -n '__fish_use_subcommand' -a ${command.name} -d ${fishQuote(command.description)}`,
    ),
    ...globals.map((flag) => flagLine(flag, '')),
    ...commands.flatMap((command) =>
      command.flags
        .filter((flag) => !globals.includes(flag))
        .map((flag) => flagLine(flag, `-n '__fish_seen_subcommand_from ${command.name}'`)),
    ),
    `complete -c pare -f -n '__fish_seen_subcommand_from help' -a ${fishQuote(names)}`,
  ];
  return `${lines.join('\n')}\n`;
}
