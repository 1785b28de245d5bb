import { devDependenciesInstalled } from '../../src/rules/packages/dev-dependencies-installed.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(devDependenciesInstalled, {
  valid: [
    'FROM php:8.3-cli\nRUN composer install --no-dev --optimize-autoloader\n',
    'FROM php:8.3-cli\nENV COMPOSER_NO_DEV=1\nRUN composer install\n',
    {
      name: 'bundler told to leave groups out: config in the RUN, ENV, or an earlier stage',
      code: [
        'FROM ruby:3.3-slim AS base',
        'ENV BUNDLE_WITHOUT="development:test"',
        'FROM base',
        'RUN bundle install',
        'FROM ruby:3.3-slim',
        "RUN bundle config set --local without 'development test' && bundle install",
        '',
      ].join('\n'),
    },
    {
      name: 'bundler config in an earlier RUN; a copied .bundle/config may set it too',
      code: "FROM ruby:3.3-slim\nRUN bundle config --global without 'development test'\nRUN bundle install\nFROM ruby:3.3-slim\nCOPY .bundle/ .bundle/\nRUN bundle install\n",
    },
    'FROM ruby:3.3-slim\nRUN bundle --version\n',
    'FROM python:3.12-slim\nRUN poetry install --only main --no-root\n',
    'FROM python:3.12-slim\nRUN poetry install --without dev,test\n',
    'FROM python:3.12-slim\nRUN uv sync --frozen --no-dev\n',
    'FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n',
    'FROM python:3.12-slim\nRUN pipenv install --deploy --system\n',
    {
      name: 'a test image: started with pytest',
      code: 'FROM python:3.12-slim\nRUN pip install -r requirements.txt -r requirements-test.txt\nCMD ["python", "-m", "pytest", "-q"]\n',
    },
    {
      name: 'a builder stage',
      code: 'FROM composer:2 AS vendor\nRUN composer install\nFROM php:8.3-fpm\nCOPY --from=vendor /app/vendor /var/www/vendor\n',
    },
  ],
  invalid: [
    {
      name: 'composer install without --no-dev',
      code: 'FROM php:8.2-apache\nCOPY . .\nRUN composer install\n',
      findings: [
        {
          line: 3,
          message: '`composer install` installs the development',
          severity: 'warning',
          fixable: true,
        },
      ],
      output: 'FROM php:8.2-apache\nCOPY . .\nRUN composer install --no-dev\n',
    },
    {
      name: 'bundle install with every group',
      code: 'FROM ruby:3.2\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n',
      findings: [{ line: 3, message: 'bundle config set --local without', fixable: false }],
    },
    {
      name: 'poetry install, uv sync, pipenv --dev and requirements-dev.txt',
      code: [
        'FROM python:3.12-slim',
        'RUN poetry config virtualenvs.create false && poetry install --no-interaction',
        'RUN uv sync --frozen',
        'RUN pipenv install --dev --system',
        'RUN pip install --no-cache-dir -r requirements.txt -r requirements-dev.txt',
        '',
      ].join('\n'),
      findings: [
        { line: 2, message: '--only main' },
        { line: 3, message: 'add --no-dev', fixable: true },
        { line: 4, message: 'drop --dev' },
        { line: 5, message: 'requirements-dev.txt' },
      ],
      output: [
        'FROM python:3.12-slim',
        'RUN poetry config virtualenvs.create false && poetry install --no-interaction',
        'RUN uv sync --no-dev --frozen',
        'RUN pipenv install --dev --system',
        'RUN pip install --no-cache-dir -r requirements.txt -r requirements-dev.txt',
        '',
      ].join('\n'),
    },
  ],
});
