import { unpinnedBaseImage } from '../../src/rules/base/unpinned-base-image.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(unpinnedBaseImage, {
  valid: [
    'FROM debian:12-slim\nCMD ["bash"]\n',
    'FROM golang:1.22 AS build\nRUN go version\nFROM scratch\nCOPY --from=build /x /x\n',
    'FROM alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n',
    { name: 'stage reference is not an image', code: 'FROM debian:12 AS base\nFROM base\nRUN true\n' },
    { name: 'unresolved ARG is left alone', code: 'ARG BASE\nFROM ${BASE}\n' },
    { name: 'ARG default resolves to a pinned tag', code: 'ARG V=3.12\nFROM python:${V}-slim\n' },
  ],
  invalid: [
    { code: 'FROM ubuntu\n', findings: [{ line: 1, message: 'has no tag', severity: 'info' }] },
    { code: 'FROM ubuntu:latest\n', findings: [{ line: 1, message: '"latest"' }] },
    {
      name: 'every stage is checked',
      code: 'FROM golang AS build\nRUN go build\nFROM alpine:latest\nCOPY --from=build /a /a\n',
      findings: [{ line: 1 }, { line: 3 }],
    },
    {
      name: 'registry with port',
      code: 'FROM localhost:5000/team/app\n',
      findings: [{ line: 1, message: 'no tag' }],
    },
    { name: 'ARG resolving to latest', code: 'ARG TAG=latest\nFROM node:${TAG}\n', findings: [{ line: 2 }] },
  ],
});
