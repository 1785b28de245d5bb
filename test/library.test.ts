import { expect, it } from 'vitest';
import { allRules, applyEdits, lintModel, parseDockerfile } from '../src/index.js';

it('works as a library: parse, lint and fix through the package entry', async () => {
  const model = await parseDockerfile('FROM python:3.12-slim\nRUN pip install flask\n', 'Dockerfile');
  const findings = await lintModel(model, { rules: allRules });
  const pip = findings.find((finding) => finding.ruleId === 'pip-cache');
  expect(pip?.fix).toBeDefined();
  expect(applyEdits(model.text, pip!.fix!)).toBe(
    'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n',
  );
});
