import { nodePackageCache } from '../../src/rules/packages/node-package-cache.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(nodePackageCache, {
  valid: [
    {
      name: '`yarn --version` prints a version',
      code: 'FROM alpine:3.20\nRUN apk add --no-cache yarn && yarn --version\n',
    },
    'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n',
    {
      name: 'yarn cache clean',
      code: 'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile --production && yarn cache clean\n',
    },
    {
      name: 'cache mount on /root/.npm',
      code: '# syntax=docker/dockerfile:1\nFROM node:20-slim\nRUN --mount=type=cache,target=/root/.npm npm ci --omit=dev\n',
    },
    {
      name: 'npm_config_cache on /tmp, removed in the same RUN',
      code: 'FROM node:20-slim\nENV npm_config_cache=/tmp/npm-cache\nRUN npm ci --omit=dev && rm -rf /tmp/npm-cache\n',
    },
    {
      name: 'npm_config_cache pointing at a cache mount',
      code: '# syntax=docker/dockerfile:1\nFROM node:20-slim\nENV npm_config_cache=/cache/npm\nRUN --mount=type=cache,target=/cache npm ci --omit=dev\n',
    },
    {
      name: 'seed 001: npm install in the build stage only',
      code: 'FROM node:8 as build\nWORKDIR /app\nCOPY package.json index.js ./\nRUN npm install\nFROM gcr.io/distroless/nodejs\nCOPY --from=build /app /\nCMD ["index.js"]\n',
    },
    { name: 'rm -rf ~/.npm', code: 'FROM node:20\nRUN npm install -g pm2 && rm -rf ~/.npm\n' },
    {
      name: "yarn berry keeps its cache in the project (Plug'n'Play): not reported",
      code: 'FROM node:20\nWORKDIR /app\nCOPY .yarnrc.yml package.json yarn.lock ./\nCOPY .yarn ./.yarn\nRUN yarn install --immutable\n',
    },
    { name: 'npm run only', code: 'FROM node:20\nRUN npm run build\n' },
  ],
  invalid: [
    {
      name: 'npm ci in the final stage',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n',
      findings: [{ line: 4, message: '/root/.npm', severity: 'warning', fixable: true }],
      output:
        'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n',
    },
    {
      name: 'yarn 1 as root: /usr/local/share/.cache/yarn',
      code: 'FROM node:20-alpine\nRUN yarn --frozen-lockfile --production\n',
      findings: [{ line: 2, message: '/usr/local/share/.cache/yarn' }],
      output: 'FROM node:20-alpine\nRUN yarn --frozen-lockfile --production && yarn cache clean\n',
    },
    {
      name: 'USER node and a custom cache that is not removed',
      code: 'FROM node:20-slim\nUSER node\nENV npm_config_cache=/tmp/.npm\nRUN npm install --omit=dev\n',
      findings: [{ line: 4, message: '/tmp/.npm' }],
      output:
        'FROM node:20-slim\nUSER node\nENV npm_config_cache=/tmp/.npm\nRUN npm install --omit=dev && npm cache clean --force\n',
    },
    {
      name: 'cache clean in a later RUN is too late; continuation with a comment',
      code: 'FROM node:20\nRUN npm ci \\\n    # production only\n    --omit=dev\nRUN npm cache clean --force\n',
      findings: [{ line: 2 }],
      output:
        'FROM node:20\nRUN npm ci \\\n    # production only\n    --omit=dev && npm cache clean --force\nRUN npm cache clean --force\n',
    },
    {
      name: 'pnpm store: info, no fix',
      code: 'FROM node:20-slim\nRUN corepack enable && pnpm install --prod --frozen-lockfile\n',
      findings: [{ line: 2, message: 'pnpm store', severity: 'info', fixable: false }],
    },
    {
      name: 'heredoc and escape directive',
      code: '# syntax=docker/dockerfile:1\n# escape=`\nFROM node:20\nRUN <<EOF\nnpm ci --omit=dev\nEOF\n',
      findings: [{ line: 5 }],
      output:
        '# syntax=docker/dockerfile:1\n# escape=`\nFROM node:20\nRUN <<EOF\nnpm ci --omit=dev\nnpm cache clean --force\nEOF\n',
    },
    {
      name: 'sh -c: cleanup appended after the string',
      code: 'FROM node:20\nRUN sh -c "npm ci --omit=dev"\n',
      findings: [{ line: 2 }],
      output: 'FROM node:20\nRUN sh -c "npm ci --omit=dev" && npm cache clean --force\n',
    },
  ],
});
