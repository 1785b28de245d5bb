import { npmDevDependencies } from '../../src/rules/packages/npm-dev-dependencies.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(npmDevDependencies, {
  valid: [
    {
      name: '`yarn --version` installs nothing',
      code: 'FROM node:20-alpine\nRUN yarn --version\nCMD ["node", "index.js"]\n',
    },
    'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "server.js"]\n',
    {
      name: 'NODE_ENV=production',
      code: 'FROM node:20-slim\nENV NODE_ENV=production\nWORKDIR /app\nRUN npm ci\n',
    },
    {
      name: '--production and --only=prod',
      code: 'FROM node:14\nRUN npm install --production && npm ci --only=prod\n',
    },
    { name: 'npm_config_omit', code: 'FROM node:20\nENV NPM_CONFIG_OMIT=dev\nRUN npm ci\n' },
    {
      name: 'installing named packages globally',
      code: 'FROM node:20\nRUN npm install -g pm2 && npm install express\n',
    },
    {
      name: 'builder stage copying only the build output',
      code: [
        'FROM node:20 AS build',
        'WORKDIR /app',
        'COPY . .',
        'RUN npm ci && npm run build',
        'FROM nginx:1.27-alpine',
        'COPY --from=build /app/dist /usr/share/nginx/html',
        '',
      ].join('\n'),
    },
    {
      name: 'builder stage pruned before its node_modules are copied',
      code: [
        'FROM node:20 AS build',
        'WORKDIR /app',
        'COPY . .',
        'RUN npm ci && npm run build',
        'RUN npm prune --omit=dev',
        'FROM node:20-slim',
        'COPY --from=build /app /app',
        '',
      ].join('\n'),
    },
    {
      name: 'yarn 1 builder reinstalls production dependencies before the copy',
      code: [
        'FROM node:20 AS build',
        'WORKDIR /app',
        'COPY . .',
        'RUN yarn install --frozen-lockfile && yarn build && yarn install --production --ignore-scripts --prefer-offline',
        'FROM node:20-slim',
        'COPY --from=build /app /app',
        '',
      ].join('\n'),
    },
    {
      name: 'prune in the same RUN',
      code: 'FROM node:20\nWORKDIR /app\nRUN npm ci && npm run build && npm prune --production\n',
    },
    {
      name: 'a development image (dev server)',
      code: 'FROM node:20\nWORKDIR /app\nRUN npm install\nCMD ["npx", "nodemon", "server.js"]\n',
    },
    { name: 'a stage named dev', code: 'FROM node:20 AS dev\nRUN npm install\n' },
    { name: 'a test image', code: 'FROM node:20\nWORKDIR /app\nRUN npm ci\nCMD ["npm", "test"]\n' },
    {
      name: 'yarn --production and pnpm --prod',
      code: 'FROM node:20\nRUN yarn install --production --frozen-lockfile\nRUN pnpm install --prod\n',
    },
  ],
  invalid: [
    {
      name: 'seed 001: node_modules from npm install copied into distroless (node 8: --production)',
      code: 'FROM node:8 as build\nWORKDIR /app\nCOPY package.json index.js ./\nRUN npm install\nFROM gcr.io/distroless/nodejs\nCOPY --from=build /app /\nEXPOSE 3000\nCMD ["index.js"]\n',
      findings: [{ line: 4, message: 'COPY --from at line 6', severity: 'warning', fixable: true }],
      output:
        'FROM node:8 as build\nWORKDIR /app\nCOPY package.json index.js ./\nRUN npm install --production\nFROM gcr.io/distroless/nodejs\nCOPY --from=build /app /\nEXPOSE 3000\nCMD ["index.js"]\n',
    },
    {
      name: 'npm ci in the final stage',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "index.js"]\n',
      findings: [{ line: 4, message: 'add --omit=dev' }],
      output:
        'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "index.js"]\n',
    },
    {
      name: 'a build later in the stage needs them: multi-stage advice, no fix',
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD ["node", "dist/main.js"]\n',
      findings: [
        {
          line: 4,
          message: '`npm run build` (line 5) may need them: build in a separate stage',
          fixable: false,
        },
      ],
    },
    {
      name: 'a node script later in the stage may need them',
      code: 'FROM node:20-slim\nWORKDIR /app\nRUN npm ci\nRUN node scripts/generate.mjs\nCMD ["node", "server.js"]\n',
      findings: [{ line: 3, message: '`node scripts/generate.mjs` (line 4) may need them', fixable: false }],
    },
    {
      name: 'prune in a later layer saves nothing',
      code: 'FROM node:20\nWORKDIR /app\nRUN npm ci\nRUN npm prune --omit=dev\n',
      findings: [{ line: 3, message: 'later layer' }],
      output: 'FROM node:20\nWORKDIR /app\nRUN npm ci --omit=dev\nRUN npm prune --omit=dev\n',
    },
    {
      name: 'bare yarn and NODE_ENV=development; escape directive and continuation',
      code: '# escape=`\nFROM node:20-alpine\nENV NODE_ENV=development\nRUN yarn `\n    # lockfile must match\n    --frozen-lockfile\n',
      findings: [{ line: 4, message: 'add --production' }],
      output:
        '# escape=`\nFROM node:20-alpine\nENV NODE_ENV=development\nRUN yarn --production `\n    # lockfile must match\n    --frozen-lockfile\n',
    },
    {
      name: 'heredoc, pnpm',
      code: '# syntax=docker/dockerfile:1\nFROM node:20-slim\nRUN <<EOF\ncorepack enable\npnpm install --frozen-lockfile\nEOF\n',
      findings: [{ line: 5, message: 'add --prod' }],
      output:
        '# syntax=docker/dockerfile:1\nFROM node:20-slim\nRUN <<EOF\ncorepack enable\npnpm install --prod --frozen-lockfile\nEOF\n',
    },
    {
      name: 'yarn berry: different command, no fix',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY .yarnrc.yml package.json yarn.lock ./\nRUN yarn install --immutable\n',
      findings: [{ line: 4, message: 'yarn workspaces focus --all --production', fixable: false }],
    },
    {
      name: 'builder copied whole after a build: prune advice',
      code: 'FROM node:20 AS build\nWORKDIR /srv\nCOPY . .\nRUN npm ci && npx tsc\nFROM node:20-slim\nCOPY --from=build /srv /srv\nCMD ["node", "/srv/dist/index.js"]\n',
      findings: [
        {
          line: 4,
          message: 'may need them, so remove them after it (`npm prune --omit=dev`)',
          fixable: false,
        },
      ],
    },
  ],
});
