/**
 * Dockerfile variable substitution (ARG/ENV) as BuildKit does it for
 * FROM, COPY, ENV, WORKDIR…: $NAME, ${NAME}, ${NAME:-default}, ${NAME:+alt},
 * ${NAME-default}, ${NAME+alt}. Unknown variables stay as written so rules can
 * tell "unresolved" apart from "empty".
 */
import { ExpansionBudget } from './limits.js';

export type Scope = Readonly<Record<string, string | undefined>>;

const VARIABLE_SOURCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/
  .source;

/** A variable's value in a scope; only the scope's own entries count, never `toString` and the like. */
export function valueIn(scope: Scope, name: string): string | undefined {
  return Object.hasOwn(scope, name) ? scope[name] : undefined;
}

export interface Substitution {
  value: string;
  /** Names that had no value in scope and were left as written. */
  unresolved: string[];
}

/**
 * Expands the variables of `text`. `budget` bounds what expansion may produce
 * (one budget per Dockerfile); past it an InputLimitError is thrown.
 */
export function substitute(
  text: string,
  scope: Scope,
  escapeChar = '\\',
  budget: ExpansionBudget = new ExpansionBudget(),
): Substitution {
  const unresolved: string[] = [];
  let result = '';
  let last = 0;
  // A fresh regex per call: defaults like ${A:-$B} recurse, and a shared lastIndex would loop.
  const VARIABLE = new RegExp(VARIABLE_SOURCE, 'g');
  for (let match = VARIABLE.exec(text); match; match = VARIABLE.exec(text)) {
    const start = match.index;
    if (start > 0 && text[start - 1] === escapeChar) {
      // `\$X` is a literal dollar: drop the escape, keep the text.
      result += text.slice(last, start - 1) + match[0];
      last = start + match[0].length;
      continue;
    }
    result += text.slice(last, start);
    last = start + match[0].length;
    const name = (match[1] ?? match[4])!;
    const operator = match[2];
    const word = match[3] ?? '';
    const value = valueIn(scope, name);
    const isSet = value !== undefined;
    const isNonEmpty = isSet && value !== '';
    // The default or alternative word is expanded (and charged) by the recursive call.
    const expandWord = () => substitute(word, scope, escapeChar, budget).value;
    const charged = (set: string) => {
      budget.charge(set.length);
      return set;
    };
    switch (operator) {
      case ':-':
        result += isNonEmpty ? charged(value) : expandWord();
        break;
      case '-':
        result += isSet ? charged(value) : expandWord();
        break;
      case ':+':
        result += isNonEmpty ? expandWord() : '';
        break;
      case '+':
        result += isSet ? expandWord() : '';
        break;
      default:
        if (isSet) result += charged(value);
        else {
          unresolved.push(name);
          result += match[0];
        }
    }
    budget.checkLength(result.length);
  }
  result += text.slice(last);
  return { value: result, unresolved };
}
