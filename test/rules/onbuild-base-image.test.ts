import { onbuildBaseImage } from '../../src/rules/base/onbuild-base-image.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(onbuildBaseImage, {
  valid: [
    'FROM python:3.12-slim\nCOPY . .\nCMD ["python", "app.py"]\n',
    {
      name: 'a Dockerfile that defines ONBUILD triggers for others is not built on them',
      code: 'FROM python:3.12-slim\nONBUILD COPY . /app\nONBUILD RUN pip install -r /app/requirements.txt\n',
    },
    {
      name: 'an onbuild image in a stage the target does not read',
      code: 'FROM node:8-onbuild AS old\nFROM node:20-slim\nCMD ["node", "index.js"]\n',
    },
  ],
  invalid: [
    {
      name: 'python onbuild',
      code: 'FROM python:3.6-onbuild\nEXPOSE 5000\nCMD ["python", "./app.py"]\n',
      findings: [{ line: 1, message: 'write the steps out FROM python:3.6', severity: 'warning' }],
    },
    {
      name: 'node onbuild through a stage',
      code: 'FROM node:8-onbuild AS app\nFROM app\nEXPOSE 8080\n',
      findings: [{ line: 1, message: 'node:8-onbuild runs hidden ONBUILD steps' }],
    },
    {
      name: 'a bare onbuild tag',
      code: 'FROM golang:onbuild\n',
      findings: [{ line: 1, message: 'FROM golang (or its slim variant)' }],
    },
  ],
});
