/**
 * What static reachability needs from file contents: ELF facts (interpreter,
 * DT_NEEDED, RUNPATH) and the first line of scripts (`#!` interpreters), plus
 * whole small text files the loader reads (/etc/ld.so.conf and its includes).
 * One streamed pass over the layers that hold the wanted final files; other
 * contents are skipped, nothing is extracted.
 */
import { type ElfInfo, ElfReader } from '../analyze/elf.js';
import { type ContentRef, type FinalTree, scanContents } from '../analyze/final-tree.js';
import type { ContentSink } from '../image/tar/tar.js';
import type { Layer } from '../image/types.js';

/** Bytes kept from the start of every wanted file: enough for a `#!` line. */
const HEAD_BYTES = 512;
/** Text files read whole (ld.so.conf and friends) stay small. */
const TEXT_LIMIT = 256 * 1024;
/** Shell scripts are read whole to find the programs they run; an entrypoint script is a few kB. */
const SCRIPT_LIMIT = 256 * 1024;
const SHELL_BANG = /^#!\s*\S*\/(?:env\s+)?(?:sh|bash|dash|ash|ksh|zsh)\b/;

export interface FileFacts {
  /** ELF facts by node id (only files that are ELF). */
  elf: Map<number, ElfInfo>;
  /** The first bytes of each wanted file, by node id. */
  heads: Map<number, Buffer>;
  /** Whole contents of the requested text files, by node id. */
  texts: Map<number, string>;
  /** Whole text of every wanted file that is a shell script (`#!/bin/sh`, bash…), by node id. */
  scripts: Map<number, string>;
}

export interface ReadFileFactsOptions {
  /** Read ELF facts and heads of this file? */
  wanted: (id: number) => boolean;
  /** Read this file whole as text? */
  wantedText?: (id: number) => boolean;
  verify?: boolean;
  signal?: AbortSignal;
}

export async function readFileFacts(
  layers: readonly Layer[],
  final: FinalTree,
  options: ReadFileFactsOptions,
): Promise<FileFacts> {
  const facts: FileFacts = { elf: new Map(), heads: new Map(), texts: new Map(), scripts: new Map() };
  const items: Array<[ContentRef, number]> = [];
  for (const [id, ref] of final.content) {
    const text = options.wantedText?.(id) === true && ref.size <= TEXT_LIMIT;
    if (text || options.wanted(id)) items.push([ref, id]);
  }
  await scanContents(
    layers,
    items,
    (entry, ids) =>
      entry.type === 'file' && entry.size > 0 ? factSink(entry.size, ids, facts, options) : undefined,
    options,
  );
  return facts;
}

function factSink(size: number, ids: number[], facts: FileFacts, options: ReadFileFactsOptions): ContentSink {
  const wantText = ids.some((id) => options.wantedText?.(id)) && size <= TEXT_LIMIT;
  // Whether it is a script is known from its first bytes; until then a small file's text is kept.
  let maybeScript = size <= SCRIPT_LIMIT;
  let elf: ElfReader | undefined = new ElfReader(size, (info) => {
    if (info) for (const id of ids) facts.elf.set(id, info);
  });
  const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
  let headGot = 0;
  const text: Buffer[] = [];
  return {
    write(chunk) {
      if (headGot < head.length) headGot += chunk.copy(head, headGot, 0, head.length - headGot);
      if (maybeScript) maybeScript = isShellScript(head.subarray(0, headGot), headGot === head.length);
      if (wantText || maybeScript) text.push(chunk);
      if (elf) {
        elf.write(chunk);
        if (elf.satisfied) {
          elf.end();
          elf = undefined;
        }
      }
    },
    end() {
      elf?.end();
      elf = undefined;
      const whole = wantText || maybeScript ? Buffer.concat(text).toString('utf8') : undefined;
      for (const id of ids) {
        facts.heads.set(id, head.subarray(0, headGot));
        if (wantText) facts.texts.set(id, whole!);
        if (maybeScript && isShellScript(head.subarray(0, headGot), true)) facts.scripts.set(id, whole!);
      }
    },
  };
}

/**
 * Whether the file starts with a `#!` line naming a POSIX-family shell. With `complete` false
 * (more bytes may come), whether it may still turn out to be one.
 */
function isShellScript(head: Buffer, complete: boolean): boolean {
  if (head.length < 2) return !complete;
  if (head[0] !== 0x23 || head[1] !== 0x21) return false;
  const end = head.indexOf(0x0a);
  if (end < 0 && !complete) return true;
  return SHELL_BANG.test(head.subarray(0, end < 0 ? head.length : end).toString('latin1'));
}

/** `#!/usr/bin/env python3 -u` → ['/usr/bin/env', 'python3 -u'] as the kernel splits it (one optional argument). */
export function shebangOf(head: Buffer | undefined): { interpreter: string; argument?: string } | undefined {
  if (!head || head.length < 3 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const end = head.indexOf(0x0a);
  const line = head
    .subarray(2, end < 0 ? head.length : end)
    .toString('latin1')
    .trim();
  const match = /^(\S+)(?:\s+(.*))?$/.exec(line);
  if (!match) return undefined;
  const argument = match[2]?.trim();
  return { interpreter: match[1]!, ...(argument ? { argument } : {}) };
}
